/**
 * The open deals of the latest night: `scores` keeps every night, the report shows the newest.
 * Shared SQL for the loaders, plus the facts every page header states.
 */
import { queryRows, type DuckDBConnection } from '../../../pipeline/db.ts';

export const LATEST_SCORES_CTE = `latest AS (SELECT * FROM scores WHERE as_of = (SELECT max(as_of) FROM scores))`;

export interface ScoresHeader {
  asOf: string;
  scoredAt: string;
  modelVersion: string;
  openDeals: number;
  currency: string;
}

export async function scoresHeader(conn: DuckDBConnection): Promise<ScoresHeader> {
  const [row] = await queryRows<{ asOf: string | null; scoredAt: string | null; modelVersion: string | null; openDeals: number }>(
    conn,
    `WITH ${LATEST_SCORES_CTE}
     SELECT strftime(max(as_of), '%Y-%m-%d') AS "asOf",
            strftime(max(scored_at), '%Y-%m-%d %H:%M') AS "scoredAt",
            any_value(model_version) AS "modelVersion",
            count(*)::INTEGER AS "openDeals"
     FROM latest`,
  );
  if (!row?.asOf) throw new Error('the scores table is empty: run `wuwei score` before the report');
  return { asOf: row.asOf, scoredAt: row.scoredAt ?? '', modelVersion: row.modelVersion ?? '', openDeals: row.openDeals, currency: await currencyOf(conn) };
}

/** The opportunities' currency code if the export has one for all open deals, else a neutral phrase. */
async function currencyOf(conn: DuckDBConnection): Promise<string> {
  const [column] = await queryRows<{ n: number }>(
    conn,
    `SELECT count(*)::INTEGER AS n FROM information_schema.columns WHERE table_name = 'opportunities' AND column_name = 'currency'`,
  );
  if (!column?.n) return 'reporting currency';
  const currencies = await queryRows<{ currency: string }>(
    conn,
    `WITH ${LATEST_SCORES_CTE}
     SELECT DISTINCT currency FROM opportunities WHERE currency IS NOT NULL AND opportunity_id IN (SELECT opportunity_id FROM latest)`,
  );
  return currencies.length === 1 ? currencies[0]!.currency : 'reporting currency';
}
