/**
 * The Forecast page's panels beyond the month buckets: segments, rep categories, the deal flow
 * between the last two nights, and, when the forecast stage has written them, the P10–P90 period
 * forecasts (`forecasts`) and the backtest of past periods (`backtest`).
 */
import { queryRows, type DuckDBConnection } from '../../../pipeline/db.ts';
import type { BacktestRow, BacktestSummary, CategoryForecast, DealFlow, Forecast, RangeForecast, SegmentForecast } from '../components/types.ts';
import { LATEST_SCORES_CTE } from './latestScores.ts';
import { columnsOf, requireColumns } from './tables.ts';

export const FORECASTS_COLUMNS = ['period_start', 'period_end', 'segment_type', 'segment', 'won_to_date', 'expected', 'p10', 'p50', 'p90', 'weighted_pipeline'];
export const BACKTEST_COLUMNS = ['period_start', 'method', 'forecast', 'actual'];

export async function segmentForecast(conn: DuckDBConnection): Promise<SegmentForecast[]> {
  return queryRows<SegmentForecast>(
    conn,
    `WITH ${LATEST_SCORES_CTE}
     SELECT coalesce(a.segment, 'unknown') AS segment, count(*)::INTEGER AS deals,
            round(sum(l.win_probability * coalesce(l.amount, 0)), 2)::DOUBLE AS expected,
            round(sum(coalesce(l.stage_probability, 0) * coalesce(l.amount, 0)), 2)::DOUBLE AS weighted,
            sum(coalesce(l.amount, 0))::DOUBLE AS unweighted
     FROM latest AS l LEFT JOIN accounts AS a USING (account_id)
     GROUP BY ALL ORDER BY expected DESC`,
  );
}

export async function categoryForecast(conn: DuckDBConnection): Promise<Forecast['categories']> {
  const missing = await requireColumns(conn, 'opportunities', ['forecast_category'], "The rep's forecast categories");
  if (missing) return missing;
  const rows = await queryRows<CategoryForecast>(
    conn,
    `WITH ${LATEST_SCORES_CTE},
     categorised AS (
         SELECT coalesce(o.forecast_category, 'none') AS category, l.amount, l.win_probability
         FROM latest AS l LEFT JOIN opportunities AS o USING (opportunity_id)
     )
     SELECT category, count(*)::INTEGER AS deals,
            sum(coalesce(amount, 0))::DOUBLE AS unweighted,
            round(sum(win_probability * coalesce(amount, 0)), 2)::DOUBLE AS expected
     FROM categorised GROUP BY category
     ORDER BY coalesce(list_position(['commit', 'best_case', 'pipeline', 'omitted', 'none'], category), 99), category`,
  );
  if (rows.every((row) => row.category === 'none')) return { available: false, reason: "The rep's forecast categories are not available in this run: the export has no forecast_category values." };
  return { available: true, rows };
}

const FLOW_LABELS: Record<DealFlow['flow'], string> = {
  new: 'New deals',
  won: 'Won',
  lost: 'Lost',
  pushed: 'Close date pushed later',
  pulled: 'Close date pulled in',
  dropped: 'Left the pipeline otherwise',
};

export async function dealFlow(conn: DuckDBConnection): Promise<Forecast['flow']> {
  const [nights] = await queryRows<{ latest: string | null; previous: string | null }>(
    conn,
    `SELECT strftime(max(as_of), '%Y-%m-%d') AS latest,
            strftime((SELECT max(as_of) FROM scores WHERE as_of < (SELECT max(as_of) FROM scores)), '%Y-%m-%d') AS previous
     FROM scores`,
  );
  if (!nights?.previous) return { available: false, reason: 'The deal flow is not available in this run: it compares two nights of scores, and the scores table holds one so far.' };
  const rows = await queryRows<{ flow: DealFlow['flow']; deals: number; amount: number }>(
    conn,
    `WITH now AS (SELECT * FROM scores WHERE as_of = DATE '${nights.latest}'),
     before AS (SELECT * FROM scores WHERE as_of = DATE '${nights.previous}'),
     classified AS (
         SELECT CASE
                    WHEN b.opportunity_id IS NULL THEN 'new'
                    WHEN n.opportunity_id IS NULL AND o.is_won THEN 'won'
                    WHEN n.opportunity_id IS NULL AND o.is_closed THEN 'lost'
                    WHEN n.opportunity_id IS NULL THEN 'dropped'
                    WHEN n.expected_close_date > b.expected_close_date THEN 'pushed'
                    WHEN n.expected_close_date < b.expected_close_date THEN 'pulled'
                END AS flow,
                coalesce(n.amount, b.amount, 0) AS amount
         FROM now AS n FULL OUTER JOIN before AS b USING (opportunity_id)
         LEFT JOIN opportunities AS o ON o.opportunity_id = coalesce(n.opportunity_id, b.opportunity_id)
     )
     SELECT flow, count(*)::INTEGER AS deals, sum(amount)::DOUBLE AS amount FROM classified WHERE flow IS NOT NULL GROUP BY flow`,
  );
  const order = Object.keys(FLOW_LABELS) as DealFlow['flow'][];
  const byFlow = new Map(rows.map((row) => [row.flow, row]));
  return {
    available: true,
    previousAsOf: nights.previous,
    rows: order.map((flow) => ({ flow, label: FLOW_LABELS[flow], deals: byFlow.get(flow)?.deals ?? 0, amount: byFlow.get(flow)?.amount ?? 0 })),
  };
}

export async function rangeForecast(conn: DuckDBConnection): Promise<Forecast['range']> {
  const missing = await requireColumns(conn, 'forecasts', FORECASTS_COLUMNS, 'The period forecast with its P10–P90 range');
  if (missing) return missing;
  const columns = await columnsOf(conn, 'forecasts');
  // One kind of period on one axis (quarters when the table has several kinds), and only periods
  // still to come: a period that ends on the run date holds nothing left to forecast.
  const filters = [
    "segment_type = 'all'",
    ...(columns.has('period_type') ? ["period_type = 'quarter'"] : []),
    ...(columns.has('as_of') ? ['as_of = (SELECT max(as_of) FROM forecasts)', 'period_end > as_of'] : []),
  ];
  const rows = await queryRows<Omit<RangeForecast, 'label'>>(
    conn,
    `SELECT strftime(period_start, '%Y-%m-%d') AS "periodStart", strftime(period_end, '%Y-%m-%d') AS "periodEnd",
            coalesce(won_to_date, 0)::DOUBLE AS "wonToDate", expected::DOUBLE AS expected,
            p10::DOUBLE AS p10, p50::DOUBLE AS p50, p90::DOUBLE AS p90, coalesce(weighted_pipeline, 0)::DOUBLE AS "weightedPipeline"
     FROM forecasts
     WHERE ${filters.join(' AND ')}
     ORDER BY period_start, period_end`,
  );
  if (rows.length === 0) return { available: false, reason: "The period forecast is not available in this run: the forecasts table has no company total (segment_type 'all')." };
  return { available: true, rows: rows.map((row) => ({ ...row, label: periodLabel(row.periodStart, row.periodEnd) })) };
}

export async function backtest(conn: DuckDBConnection): Promise<Forecast['backtest']> {
  const missing = await requireColumns(conn, 'backtest', BACKTEST_COLUMNS, 'Forecast accuracy from the backtest');
  if (missing) return missing;
  const columns = await columnsOf(conn, 'backtest');
  const range = columns.has('p10') && columns.has('p90');
  const rows = await queryRows<Omit<BacktestRow, 'label'> & { periodEnd: string | null }>(
    conn,
    `SELECT strftime(period_start, '%Y-%m-%d') AS "periodStart",
            ${columns.has('period_end') ? `strftime(period_end, '%Y-%m-%d')` : 'NULL'} AS "periodEnd",
            method, forecast::DOUBLE AS forecast, actual::DOUBLE AS actual,
            (1 - abs(actual - forecast) / nullif(actual, 0))::DOUBLE AS accuracy,
            ((forecast - actual) / nullif(actual, 0))::DOUBLE AS bias,
            ${range ? 'CASE WHEN p10 IS NULL OR p90 IS NULL THEN NULL ELSE actual BETWEEN p10 AND p90 END' : 'NULL'} AS "inRange"
     FROM backtest
     ${columns.has('segment_type') ? "WHERE segment_type = 'all'" : ''}
     ORDER BY period_start, method`,
  );
  if (rows.length === 0) return { available: false, reason: 'Forecast accuracy is not available in this run: the backtest table is empty.' };
  const summary: BacktestSummary[] = [...new Set(rows.map((row) => row.method))].map((method) => {
    const mine = rows.filter((row) => row.method === method);
    const mean = (values: (number | null)[]) => {
      const known = values.filter((value): value is number => value !== null);
      return known.length ? known.reduce((sum, value) => sum + value, 0) / known.length : null;
    };
    const ranged = mine.filter((row) => row.inRange !== null);
    return {
      method,
      periods: mine.length,
      meanAccuracy: mean(mine.map((row) => row.accuracy)),
      meanBias: mean(mine.map((row) => row.bias)),
      coverage: ranged.length ? ranged.filter((row) => row.inRange).length / ranged.length : null,
    };
  });
  return { available: true, rows: rows.map(({ periodEnd, ...row }) => ({ ...row, label: periodLabel(row.periodStart, periodEnd) })), summary };
}

/** "Q3 2026" for a quarter, "Jul 2026" for a month, else the start date. */
export function periodLabel(start: string, end: string | null): string {
  const from = new Date(`${start}T00:00:00Z`);
  const month = from.toLocaleDateString('en-US', { month: 'short', year: 'numeric', timeZone: 'UTC' });
  if (!end) return month;
  const days = (new Date(`${end}T00:00:00Z`).getTime() - from.getTime()) / 86_400_000;
  if (days > 80 && days < 95 && from.getUTCMonth() % 3 === 0) return `Q${from.getUTCMonth() / 3 + 1} ${from.getUTCFullYear()}`;
  if (days < 32) return month;
  return `${start} – ${end}`;
}
