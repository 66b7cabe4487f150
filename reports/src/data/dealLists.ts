/**
 * The lists to act on (stalled, single-threaded, slipping, at risk): one rule each on the deal's
 * scores and features, used by the Deals page and by every page that counts such deals, so a count
 * and the list behind it are the same deals.
 */
import { queryRows, type DuckDBConnection } from '../../../pipeline/base/db.ts';
import type { DealList } from '../components/types.ts';
import { LATEST_SCORES_CTE } from './latestScores.ts';
import { hasTable, optionalColumns } from './tables.ts';

/** The lists, each a rule on the deal's features and scores, said the way the page says it. */
export const LIST_RULES: Record<DealList, string> = {
  stalled: 'In its stage 1.5 times as long as won deals were, or no activity for 30 days',
  'single-threaded': 'One engaged contact or none',
  slipping: "Slip risk of 50% or more, the close date pushed twice or more, or the rep's date passed",
  'at-risk': 'Declining, or 15 points or more below its stage probability',
};

/** The lists' SQL on the deal `l` and its features `f`; scores columns a run lacks count as not met. */
export function listSql(has: (column: string) => boolean): Record<DealList, string> {
  return {
    stalled: 'coalesce(f.pbm_timing_stage_vs_norm >= 1.5 OR f.pbm_timing_days_since_activity >= 30, false)',
    'single-threaded': 'coalesce(f.ecm_chain_single_threaded >= 0.5, false)',
    slipping: `${has('slip_risk') ? 'coalesce(l.slip_risk >= 0.5, false) OR ' : ''}coalesce(f.pbm_timing_close_pushes >= 2, false) OR coalesce(l.expected_close_date < l.as_of, false)`,
    'at-risk': `${has('trend') ? "coalesce(l.trend = 'declining', false) OR " : ''}l.win_probability <= coalesce(l.stage_probability, 0) - 0.15`,
  };
}

/** Open deals of the latest night on one list, and their rep amount. */
export async function dealListTotal(
  conn: DuckDBConnection,
  list: DealList,
): Promise<{ deals: number; amount: number }> {
  if (!(await hasTable(conn, 'features_score'))) return { deals: 0, amount: 0 };
  const scored = await optionalColumns(conn, 'scores', ['slip_risk', 'trend']);
  const [row] = await queryRows<{ deals: number; amount: number }>(
    conn,
    `WITH ${LATEST_SCORES_CTE}
     SELECT count(*)::INTEGER AS deals, coalesce(sum(l.amount), 0)::DOUBLE AS amount
     FROM latest AS l LEFT JOIN features_score AS f USING (opportunity_id)
     WHERE ${listSql((column) => scored.has(column))[list]}`,
  );
  return row ?? { deals: 0, amount: 0 };
}
