/**
 * An experiment on the moves (issue 20), kept to reproduce a negative result: does valuing a move
 * "like with like" correct the model's overrating of our own people's moves? Our people join the
 * deals whose relationships are already good, so a model fitted on all deals credits them with part
 * of what the relationship did. Here each move element's (a buying-group role engaged, our executive
 * or a solutions engineer involved, a second thread) effect on winning is estimated among closed
 * deals' observations in the same relationship state (the Mantel-Haenszel common odds ratio within
 * strata), and each move's model change in log-odds is re-levelled to it; then both are judged
 * against the generator's truth. Not used by the pipeline: on seed 7 it raised the rank figures but
 * widened the very per-kind gaps it was meant to close (bench/moves-truth-matched.json).
 *
 *   wuwei generate --out x --opportunities 3000 --seed 7; wuwei run --source x --db DB --no-report
 *   npx tsx bench/moves-truth-matched.ts --db DB --truth x/ground_truth_moves.csv [--stratum SQL]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { queryRows, withDatabase, type DuckDBConnection } from '../pipeline/base/db.ts';
import { checkMovesAgainstTruth } from '../pipeline/moves/truth-check.ts';

/** Whether a training observation had the move's element, by the move's truth key. */
const TREATED: Record<string, string> = {
  decision_maker: 'ecm_chain_decision_maker_engaged > 0',
  economic_buyer: 'ecm_chain_has_economic_buyer > 0',
  champion: 'ecm_key_person_champion_strength > 0',
  influencer: 'ecm_chain_single_threaded < 0.5',
  executive_sponsor: 'ecm_company_executive_involved > 0',
  solutions_engineer: 'pbm_people_engineer_involved > 0',
};
/**
 * Relationship state: the share of interactions the customer started, in deciles (in the generator
 * it rises with relationship quality, and our people joining do not raise it). Strata on tie
 * strength or on the stage took out the roles' effects too: both follow from engaging them.
 */
const STRATUM = 'ntile(10) OVER (ORDER BY pbm_sentiment_inbound_share)';
/** Fewer treated or untreated observations than this and the comparison says nothing. */
const MIN_OBSERVATIONS = 30;

interface MatchedEffect {
  truthKey: string;
  /** log of the Mantel-Haenszel odds ratio of winning with the element, within relationship strata. */
  logOddsRatio: number;
  /** The same without strata: what the raw association says. */
  rawLogOddsRatio: number;
  treated: number;
  untreated: number;
}

/** Each move element's log-odds effect on winning, like with like, from the training observations. */
async function matchedEffects(
  conn: DuckDBConnection,
  options: { table?: string; stratum?: string } = {},
): Promise<MatchedEffect[]> {
  const { table = 'features_train', stratum = STRATUM } = options;
  const effects: MatchedEffect[] = [];
  for (const [truthKey, treated] of Object.entries(TREATED)) {
    const [row] = await queryRows<Omit<MatchedEffect, 'truthKey'>>(
      conn,
      `WITH obs AS (
         SELECT label_won::INTEGER AS won, coalesce(${treated}, false)::INTEGER AS t, ${stratum} AS stratum
         FROM ${table} WHERE label_won IS NOT NULL),
       cells AS (
         SELECT stratum, count(*) AS n,
                count(*) FILTER (WHERE t = 1 AND won = 1) AS a, count(*) FILTER (WHERE t = 1 AND won = 0) AS b,
                count(*) FILTER (WHERE t = 0 AND won = 1) AS c, count(*) FILTER (WHERE t = 0 AND won = 0) AS d
         FROM obs GROUP BY stratum)
       SELECT ln(sum(a * d / n) / nullif(sum(b * c / n), 0))::DOUBLE AS "logOddsRatio",
              ln((sum(a) + 0.5) * (sum(d) + 0.5) / ((sum(b) + 0.5) * (sum(c) + 0.5)))::DOUBLE AS "rawLogOddsRatio",
              sum(a + b)::INTEGER AS treated, sum(c + d)::INTEGER AS untreated
       FROM cells`,
    );
    if (!row || row.logOddsRatio === null || !Number.isFinite(row.logOddsRatio)) continue;
    if (row.treated < MIN_OBSERVATIONS || row.untreated < MIN_OBSERVATIONS) continue;
    effects.push({ truthKey, ...row });
  }
  return effects;
}

const logit = (p: number) => Math.log(Math.max(1e-6, p) / Math.max(1e-6, 1 - p));
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/**
 * The moves' worth with each element's level set like with like: a move's change in log-odds is the
 * element's matched effect plus how far the model puts this deal above or below the kind's mean
 * change (the model still says which deals gain most). Moves without a matched effect keep the model's.
 */
function levelByMatchedEffects<W extends { before: { winProbability: number }; after: { winProbability: number } }>(
  moves: { moveId: string; truthKey: string }[],
  worth: Map<string, W>,
  effects: MatchedEffect[],
): Map<string, W> {
  const effectOf = new Map(effects.map((e) => [e.truthKey, e.logOddsRatio]));
  const change = (w: W) => logit(w.after.winProbability) - logit(w.before.winProbability);
  const byKey = new Map<string, number[]>();
  for (const move of moves) {
    const w = worth.get(move.moveId);
    if (w && effectOf.has(move.truthKey)) byKey.set(move.truthKey, [...(byKey.get(move.truthKey) ?? []), change(w)]);
  }
  const meanOf = new Map(
    [...byKey].map(([key, changes]) => [key, changes.reduce((s, c) => s + c, 0) / changes.length]),
  );
  const leveled = new Map(worth);
  for (const move of moves) {
    const w = worth.get(move.moveId);
    const effect = effectOf.get(move.truthKey);
    if (!w || effect === undefined) continue;
    const z = logit(w.before.winProbability) + effect + change(w) - meanOf.get(move.truthKey)!;
    leveled.set(move.moveId, { ...w, after: { ...w.after, winProbability: sigmoid(z) } });
  }
  return leveled;
}

const { values } = parseArgs({
  options: { db: { type: 'string' }, truth: { type: 'string' }, stratum: { type: 'string' }, out: { type: 'string' } },
});
if (!values.db || !values.truth)
  throw new Error(
    'usage: tsx bench/moves-truth-matched.ts --db DB --truth EXPORT/ground_truth_moves.csv [--stratum SQL]',
  );

const record = await withDatabase(
  values.db,
  async (conn) => {
    const [{ asOf } = { asOf: '' }] = await queryRows<{ asOf: string }>(
      conn,
      `SELECT max(as_of)::VARCHAR AS "asOf" FROM next_moves`,
    );
    const perKind = () =>
      queryRows<{ kind: string; moves: number; modelDelta: number; trueDelta: number }>(
        conn,
        `SELECT m.move_kind AS kind, count(*)::INTEGER AS moves, avg(m.delta_win_probability)::DOUBLE AS "modelDelta",
              avg(t.true_delta)::DOUBLE AS "trueDelta"
       FROM next_moves AS m JOIN move_truth AS t USING (opportunity_id, truth_key)
       WHERE m.as_of = DATE '${asOf}' GROUP BY ALL ORDER BY kind`,
      );
    const model = { ...(await checkMovesAgainstTruth(conn, asOf, values.truth!)), perKind: await perKind() };
    const effects = await matchedEffects(conn, { stratum: values.stratum });
    const rows = await queryRows<{ move_id: string; truth_key: string; p: number; after: number }>(
      conn,
      `SELECT move_id, truth_key, win_probability AS p, win_probability_after AS after FROM next_moves WHERE as_of = DATE '${asOf}'`,
    );
    const worth = new Map(
      rows.map((r) => [r.move_id, { before: { winProbability: r.p }, after: { winProbability: r.after } }]),
    );
    const moves = rows.map((r) => ({ moveId: r.move_id, truthKey: r.truth_key }));
    const leveled = levelByMatchedEffects(moves, worth, effects);
    // the re-levelled moves shadow next_moves on this connection only; the database is opened read-only
    await conn.run('CREATE TEMP TABLE leveled (move_id VARCHAR, after DOUBLE)');
    await conn.run(
      `INSERT INTO leveled VALUES ${[...leveled].map(([id, w]) => `('${id}', ${w.after.winProbability})`).join(', ')}`,
    );
    await conn.run(`CREATE TEMP TABLE next_moves AS
    SELECT m.* REPLACE (l.after AS win_probability_after, l.after - m.win_probability AS delta_win_probability)
    FROM main.next_moves AS m JOIN leveled AS l USING (move_id) WHERE m.as_of = DATE '${asOf}'`);
    const matched = { ...(await checkMovesAgainstTruth(conn, asOf, values.truth!)), perKind: await perKind() };
    return { asOf, stratum: values.stratum ?? STRATUM, effects, model, matched };
  },
  { readOnly: true },
);

const out = values.out ?? 'bench/moves-truth-matched.json';
writeFileSync(out, `${JSON.stringify({ measuredAt: new Date().toISOString(), ...record }, null, 2)}\n`);
console.log(JSON.stringify(record, null, 2));
