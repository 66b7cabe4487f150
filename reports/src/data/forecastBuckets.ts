/**
 * Open deals grouped by month of the rep's expected close date, from the run's month on: Wuwei
 * expected bookings, weighted and unweighted pipeline. Dates before the run's month are "past due";
 * a year out and beyond is "later".
 */
import { queryRows, type DuckDBConnection } from '../../../pipeline/db.ts';
import type { ForecastBucket } from '../components/types.ts';
import { LATEST_SCORES_CTE } from './latestScores.ts';

export const PAST_DUE = -1;
export const LATER = 12;
export const NO_DATE = 13;

export async function forecastBuckets(conn: DuckDBConnection, asOf: string): Promise<ForecastBucket[]> {
  const rows = await queryRows<Omit<ForecastBucket, 'label'>>(
    conn,
    `WITH ${LATEST_SCORES_CTE},
     bucketed AS (
         SELECT
             CASE
                 WHEN expected_close_date IS NULL THEN ${NO_DATE}
                 WHEN expected_close_date < date_trunc('month', as_of) THEN ${PAST_DUE}
                 WHEN expected_close_date >= date_trunc('month', as_of) + INTERVAL 12 MONTH THEN ${LATER}
                 ELSE datediff('month', date_trunc('month', as_of), expected_close_date)
             END AS month_index,
             coalesce(amount, 0) AS amount,
             coalesce(win_probability, 0) AS win_probability,
             coalesce(stage_probability, 0) AS stage_probability
         FROM latest
     )
     SELECT month_index::INTEGER AS "monthIndex",
            count(*)::INTEGER AS deals,
            round(sum(win_probability * amount), 2)::DOUBLE AS expected,
            round(sum(stage_probability * amount), 2)::DOUBLE AS weighted,
            sum(amount)::DOUBLE AS unweighted
     FROM bucketed
     GROUP BY month_index
     ORDER BY month_index`,
  );
  return fillMonths(rows).map((row) => ({ ...row, label: bucketLabel(row.monthIndex, asOf) }));
}

/** Months without deals still get a bar slot (zero), from the run's month to the last month with deals. */
function fillMonths(rows: Omit<ForecastBucket, 'label'>[]): Omit<ForecastBucket, 'label'>[] {
  const byIndex = new Map(rows.map((row) => [row.monthIndex, row]));
  const lastMonth = Math.max(1, ...rows.map((row) => row.monthIndex).filter((index) => index >= 0 && index < LATER));
  for (let index = 0; index <= lastMonth; index++) {
    if (!byIndex.has(index)) byIndex.set(index, { monthIndex: index, deals: 0, expected: 0, weighted: 0, unweighted: 0 });
  }
  return [...byIndex.values()].sort((a, b) => a.monthIndex - b.monthIndex);
}

export function bucketLabel(monthIndex: number, asOf: string): string {
  if (monthIndex === PAST_DUE) return 'Past due';
  if (monthIndex === LATER) return 'Later';
  if (monthIndex === NO_DATE) return 'No date';
  const start = new Date(`${asOf.slice(0, 7)}-01T00:00:00Z`);
  start.setUTCMonth(start.getUTCMonth() + monthIndex);
  return start.toLocaleDateString('en-US', { month: 'short', year: 'numeric', timeZone: 'UTC' });
}
