/**
 * The moves stage against the generator's truth, recorded in bench/moves-truth.json and shown in
 * BENCHMARKS.md (moves-truth-section.ts). On a database a nightly run made from a generated
 * export: how the model's expected uplifts rank moves and deals against the true ones, beside the
 * naive rule "always add the economic buyer", and what the allocation gains in truth against
 * assigning by deal size.
 *
 *   wuwei generate --out x --opportunities 3000 --seed 7
 *   wuwei run --source x --db DB --no-report
 *   npx tsx bench/moves-truth.ts --db DB --truth x/ground_truth_moves.csv --opportunities 3000 --seed 7
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { queryRows, withDatabase } from '../pipeline/base/db.ts';
import { checkMovesAgainstTruth } from '../pipeline/moves/truth-check.ts';
import { type MovesTruthRecord, recordMovesTruthSection } from './moves-truth-section.ts';

const { values } = parseArgs({
  options: {
    db: { type: 'string' },
    truth: { type: 'string' },
    opportunities: { type: 'string' },
    seed: { type: 'string' },
    out: { type: 'string' },
  },
});
if (!values.db || !values.truth)
  throw new Error(
    'usage: tsx bench/moves-truth.ts --db DB --truth EXPORT/ground_truth_moves.csv [--opportunities N --seed S]',
  );

const result = await withDatabase(values.db, async (conn) => {
  const [{ asOf } = { asOf: '' }] = await queryRows<{ asOf: string }>(
    conn,
    `SELECT max(as_of)::VARCHAR AS "asOf" FROM next_moves`,
  );
  const check = await checkMovesAgainstTruth(conn, asOf, values.truth!);
  // the allocation judged by the truth: the true change in win probability × tonight's expected amount
  const allocation = await queryRows<{ method: string; assigned: number; modelGain: number; trueGain: number }>(
    conn,
    `SELECT a.method, count(*)::INTEGER AS assigned, sum(greatest(a.delta_expected_value, 0))::DOUBLE AS "modelGain",
            sum(t.true_delta * (m.expected_value / nullif(m.win_probability, 0)))::DOUBLE AS "trueGain"
     FROM move_allocation AS a JOIN next_moves AS m USING (as_of, move_id)
     JOIN move_truth AS t ON t.opportunity_id = m.opportunity_id AND t.truth_key = m.truth_key
     WHERE a.as_of = DATE '${asOf}' GROUP BY a.method ORDER BY a.method`,
  );
  const perKind = await queryRows<MovesTruthRecord['perKind'][number]>(
    conn,
    `SELECT m.move_kind AS kind, count(*)::INTEGER AS moves, avg(m.delta_win_probability)::DOUBLE AS "modelDelta", avg(t.true_delta)::DOUBLE AS "trueDelta"
     FROM next_moves AS m JOIN move_truth AS t USING (opportunity_id, truth_key) WHERE m.as_of = DATE '${asOf}' GROUP BY ALL ORDER BY kind`,
  );
  return { asOf, ...check, allocation, perKind };
});

const record: MovesTruthRecord = {
  command: `wuwei generate --out x --opportunities ${values.opportunities ?? 'N'} --seed ${values.seed ?? 'S'}; wuwei run --source x --db DB --no-report; npx tsx bench/moves-truth.ts --db DB --truth x/ground_truth_moves.csv`,
  note: "Model uplift = what the model expects if the move happens (counterfactual feature rows, active model); truth = the generator's win probability with the move applied (pipeline/generate/move-truth.ts). Naive rule: always add the economic buyer.",
  opportunities: values.opportunities ? Number(values.opportunities) : null,
  seed: values.seed ? Number(values.seed) : null,
  measuredAt: new Date().toISOString(),
  ...result,
};
const out = values.out ?? 'bench/moves-truth.json';
writeFileSync(out, `${JSON.stringify(record, null, 2)}\n`);
if (!values.out) recordMovesTruthSection(process.cwd(), record);
console.log(JSON.stringify(record, null, 2));
