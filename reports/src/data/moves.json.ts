/**
 * moves.json: the Next moves page (pipeline/moves/). Who of our executives and solutions engineers
 * should make which move this week (the optimal allocation, and its gain against assigning by deal
 * size), each open deal's best moves with the value at stake, the key accounts' coverage gaps with
 * the moves that close them, and the stalled deals with the move the model expects to raise them
 * most. People appear by id and role unless the site is built with personal data shown.
 */
import { queryRows, quoteLiteral, type DuckDBConnection } from '../../../pipeline/base/db.ts';
import { expectedValueSql } from '../../../pipeline/score/expected-value.ts';
import { LATEST_SCORES_CTE, scoresHeader } from './latestScores.ts';
import { coverageGapMoves, stalledDealMoves } from './moveLists.ts';
import { showPersonalData } from './personalData.ts';
import { runLoaderAsScript } from './runLoader.ts';
import { hasTable } from './tables.ts';

const DEALS_SHOWN = 60;
const TOP_PER_DEAL = 3;

/** The moves page's data, from the run's database. */
export async function movesData(conn: DuckDBConnection) {
  const { asOf, currency } = await scoresHeader(conn);
  const night = `DATE ${quoteLiteral(asOf)}`;
  if (!(await hasTable(conn, 'next_moves'))) return { asOf, currency, available: false };
  const personal = showPersonalData();
  const userLabel = (alias: string) => (personal ? `coalesce(${alias}.name, ${alias}.user_id)` : `${alias}.user_id`);
  const moves = `moves AS (SELECT * FROM next_moves WHERE as_of = ${night})`;

  const [summary] = await queryRows(
    conn,
    `WITH ${moves}, alloc AS (SELECT * FROM move_allocation WHERE as_of = ${night})
     SELECT (SELECT count(*) FROM moves)::INTEGER AS moves,
            (SELECT count(DISTINCT opportunity_id) FROM moves)::INTEGER AS deals,
            (SELECT count(*) FROM moves WHERE delta_expected_value > 0)::INTEGER AS "positiveMoves",
            (SELECT coalesce(sum(delta_expected_value), 0) FROM alloc WHERE method = 'optimal')::DOUBLE AS "optimalGain",
            (SELECT coalesce(sum(greatest(delta_expected_value, 0)), 0) FROM alloc WHERE method = 'by_deal_size')::DOUBLE AS "bySizeGain",
            (SELECT count(*) FROM alloc WHERE method = 'optimal')::INTEGER AS "optimalAssigned"`,
  );

  const people = await queryRows(
    conn,
    `WITH alloc AS (SELECT * FROM move_allocation WHERE as_of = ${night} AND method = 'optimal')
     SELECT alloc.user_id AS "userId", ${userLabel('u')} AS person, alloc.resource, u.region, any_value(alloc.capacity)::INTEGER AS capacity,
            count(*)::INTEGER AS assigned, sum(alloc.delta_expected_value)::DOUBLE AS gain
     FROM alloc LEFT JOIN users AS u USING (user_id)
     GROUP BY ALL ORDER BY gain DESC, alloc.user_id`,
  );

  const assignments = await queryRows(
    conn,
    `WITH ${moves}
     SELECT ${userLabel('u')} AS person, a.resource, m.opportunity_id AS "opportunityId", m.account_id AS "accountId", m.description AS move,
            m.win_probability::DOUBLE AS "winProbability", m.delta_win_probability::DOUBLE AS "deltaWin", m.delta_expected_value::DOUBLE AS "deltaValue"
     FROM move_allocation AS a JOIN moves AS m USING (move_id) LEFT JOIN users AS u USING (user_id)
     WHERE a.as_of = ${night} AND a.method = 'optimal'
     ORDER BY m.delta_expected_value DESC, m.move_id`,
  );

  const deals = await queryRows(
    conn,
    `WITH ${moves}, ${LATEST_SCORES_CTE}
     SELECT m.opportunity_id AS "opportunityId", m.account_id AS "accountId", ${userLabel('u')} AS owner, l.stage,
            l.win_probability::DOUBLE AS "winProbability", (${expectedValueSql('l', true)})::DOUBLE AS "expectedValue",
            m.description AS "bestMove", m.move_kind AS kind, m.delta_win_probability::DOUBLE AS "deltaWin", m.delta_expected_value::DOUBLE AS "valueAtStake",
            (SELECT count(*) FROM moves AS o WHERE o.opportunity_id = m.opportunity_id)::INTEGER AS moves
     FROM moves AS m JOIN latest AS l USING (opportunity_id) LEFT JOIN users AS u ON u.user_id = m.owner_id
     WHERE m.rank_in_deal = 1 AND m.delta_expected_value > 0
     ORDER BY m.delta_expected_value DESC, m.move_id LIMIT ${DEALS_SHOWN}`,
  );

  const gaps = await coverageGapMoves(conn, asOf);
  const stalled = await stalledDealMoves(conn, asOf);

  // the top moves of every deal, for its panel on the Deals page
  const top = await queryRows<{ id: string; move: string; deltaWin: number; valueAtStake: number }>(
    conn,
    `WITH ${moves}
     SELECT opportunity_id AS id, description AS move, delta_win_probability::DOUBLE AS "deltaWin", delta_expected_value::DOUBLE AS "valueAtStake"
     FROM moves WHERE rank_in_deal <= ${TOP_PER_DEAL} ORDER BY opportunity_id, rank_in_deal`,
  );
  const byDeal: Record<string, Omit<(typeof top)[number], 'id'>[]> = {};
  for (const { id, ...move } of top) {
    byDeal[id] ??= [];
    byDeal[id].push(move);
  }

  const kinds = await queryRows(
    conn,
    `WITH ${moves}
     SELECT move_kind AS kind, count(*)::INTEGER AS moves, coalesce(sum(delta_expected_value) FILTER (WHERE delta_expected_value > 0), 0)::DOUBLE AS "valueAtStake",
            avg(delta_win_probability)::DOUBLE AS "meanDeltaWin"
     FROM moves GROUP BY ALL ORDER BY kind`,
  );

  return { asOf, currency, available: true, summary, people, assignments, deals, gaps, stalled, byDeal, kinds };
}

await runLoaderAsScript(import.meta.url, 'moves', movesData);
