/**
 * The open deals of the latest night: `scores` keeps every night, the report shows the newest.
 * Shared SQL for the loaders (defined in pipeline/score/latest-scores.ts), plus the facts every page header states.
 */
import { queryRows, type DuckDBConnection } from '../../../pipeline/base/db.ts';
import { featuresFoundNoOpenDeal } from '../../../pipeline/outlook/deal-outlook.ts';
import { LATEST_SCORES_CTE } from '../../../pipeline/score/latest-scores.ts';
import { reportingCurrency, runDate } from './runDate.ts';

// one definition for the pages and the score stage's report tables (pipeline/report-tables)
export { LATEST_SCORES_CTE };

export interface ScoresHeader {
  asOf: string;
  scoredAt: string;
  modelVersion: string;
  openDeals: number;
  currency: string;
}

export async function scoresHeader(conn: DuckDBConnection): Promise<ScoresHeader> {
  const [row] = await queryRows<{
    asOf: string | null;
    scoredAt: string | null;
    modelVersion: string | null;
    openDeals: number;
  }>(
    conn,
    `WITH ${LATEST_SCORES_CTE}
     SELECT strftime(max(as_of), '%Y-%m-%d') AS "asOf",
            strftime(max(scored_at), '%Y-%m-%d %H:%M') AS "scoredAt",
            any_value(model_version) AS "modelVersion",
            count(*)::INTEGER AS "openDeals"
     FROM latest`,
  );
  if (!row?.asOf) {
    // A night whose every deal is closed scored none: its pages show no open deal, not an error.
    const asOf = await runDate(conn);
    if (await featuresFoundNoOpenDeal(conn, asOf))
      return { asOf, scoredAt: '', modelVersion: '', openDeals: 0, currency: await reportingCurrency(conn) };
    throw new Error('the scores table is empty: run `wuwei score` before the report');
  }
  return {
    asOf: row.asOf,
    scoredAt: row.scoredAt ?? '',
    modelVersion: row.modelVersion ?? '',
    openDeals: row.openDeals,
    currency: await reportingCurrency(conn),
  };
}
