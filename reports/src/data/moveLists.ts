/**
 * The moves seen from the visible lines: each key account's coverage gaps with the moves that close
 * them (ESP+), and the stalled deals with the move that would most raise them (TAS+). One query each,
 * shown on the Next moves page and on the Key accounts and Pipeline pages, so all three say the same.
 */
import { queryRows, quoteLiteral, type DuckDBConnection } from '../../../pipeline/base/db.ts';
import type { CoverageGapMove, Maybe, StalledDealMove, Unavailable } from '../components/types.ts';
import { listSql } from './dealLists.ts';
import { expectedValueSql } from '../../../pipeline/score/expected-value.ts';
import { LATEST_SCORES_CTE } from './latestScores.ts';
import { optionalColumns, requireColumns } from './tables.ts';

/** Key accounts here: those with the most open expected value. */
export const GAP_ACCOUNTS = 15;
export const STALLED_SHOWN = 60;
/** The moves that close a gap in the buying group (the others add our people or revive a tie). */
const GAP_KINDS = ['engage_role', 'introduction', 'multi_thread'];

/** The night's moves as a CTE named `moves`, or why there are none. */
async function movesOfNight(conn: DuckDBConnection, asOf: string, what: string): Promise<string | Unavailable> {
  const missing = await requireColumns(
    conn,
    'next_moves',
    ['as_of', 'move_id', 'opportunity_id', 'account_id', 'role', 'move_kind', 'description', 'rank_in_deal'],
    what,
  );
  return missing ?? `moves AS (SELECT * FROM next_moves WHERE as_of = DATE ${quoteLiteral(asOf)})`;
}

/** One row per key account and uncovered buying-group role, with the move the model values most. */
export async function coverageGapMoves(
  conn: DuckDBConnection,
  asOf: string,
): Promise<Maybe<{ rows: CoverageGapMove[] }>> {
  const night = await movesOfNight(conn, asOf, 'The list of coverage gaps with their moves');
  if (typeof night !== 'string') return night;
  const rows = await queryRows<CoverageGapMove>(
    conn,
    `WITH ${night}, ${LATEST_SCORES_CTE},
     key_accounts AS (
         SELECT account_id, sum(${expectedValueSql('latest', true)} ORDER BY opportunity_id)::DOUBLE AS potential FROM latest
         GROUP BY ALL ORDER BY potential DESC, account_id LIMIT ${GAP_ACCOUNTS})
     SELECT k.account_id AS "accountId", k.potential, m.opportunity_id AS "opportunityId", m.role AS gap, m.description AS move,
            m.delta_win_probability::DOUBLE AS "deltaWin", m.delta_expected_value::DOUBLE AS "valueAtStake"
     FROM key_accounts AS k JOIN moves AS m USING (account_id)
     WHERE m.move_kind IN (${GAP_KINDS.map(quoteLiteral).join(', ')})
     QUALIFY row_number() OVER (PARTITION BY k.account_id, m.role ORDER BY m.delta_expected_value DESC, m.move_id) = 1
     ORDER BY k.potential DESC, k.account_id, m.delta_expected_value DESC, m.move_id`,
  );
  return { available: true, rows };
}

/** The stalled deals (the Deals page's list) with their best move, those it would raise most first. */
export async function stalledDealMoves(
  conn: DuckDBConnection,
  asOf: string,
): Promise<Maybe<{ rows: StalledDealMove[] }>> {
  const night = await movesOfNight(conn, asOf, 'The list of stalled deals with their moves');
  if (typeof night !== 'string') return night;
  const scored = await optionalColumns(conn, 'scores', ['slip_risk', 'trend']);
  const rows = await queryRows<StalledDealMove>(
    conn,
    `WITH ${night}, ${LATEST_SCORES_CTE}
     SELECT l.opportunity_id AS "opportunityId", l.account_id AS "accountId", l.stage, l.win_probability::DOUBLE AS "winProbability",
            m.description AS "bestMove", m.delta_win_probability::DOUBLE AS "deltaWin", m.delta_expected_value::DOUBLE AS "valueAtStake"
     FROM latest AS l LEFT JOIN features_score AS f USING (opportunity_id)
     JOIN moves AS m ON m.opportunity_id = l.opportunity_id AND m.rank_in_deal = 1
     WHERE ${listSql((column) => scored.has(column)).stalled}
     ORDER BY m.delta_win_probability DESC, m.move_id LIMIT ${STALLED_SHOWN}`,
  );
  return { available: true, rows };
}
