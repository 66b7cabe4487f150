/**
 * The moves stage end to end on the real stages (generate → load → features → train → score → moves,
 * the nightly `wuwei run`): every open deal gets priced moves, the counterfactual rebuild without a
 * move reproduces tonight's scores, the allocation keeps capacity, region and one person per move
 * and gains at least what assigning by deal size gains, the files sit beside scores.csv, the page's
 * data shows no names, and the model's uplifts rank moves and deals like the generator's truth,
 * better than always adding the economic buyer.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, withDatabase } from '../../pipeline/base/db.ts';
import { quietLogger } from '../../pipeline/base/log.ts';
import { runPaths } from '../../pipeline/config/paths.ts';
import { defaultConfig } from '../../pipeline/config/config.ts';
import { featureBuildOptions } from '../../models/index.ts';
import { candidateMoves } from '../../pipeline/moves/candidates.ts';
import { counterfactualOutlook, scoreTable } from '../../pipeline/moves/counterfactual.ts';
import { checkMovesAgainstTruth, type TruthCheck } from '../../pipeline/moves/truth-check.ts';
import { NEXT_MOVES_FILE, TASK_FILES } from '../../pipeline/moves/move-files.ts';
import { wuweiInProcess } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

const OPPORTUNITIES = 2000;
const SEED = 5;

async function step(args: string[]): Promise<void> {
  const result = await wuweiInProcess(args);
  if (result.code !== 0) throw new Error(`wuwei ${args[0]} failed (${result.code}): ${result.output.slice(-2000)}`);
}

describe('moves stage on a real run', () => {
  const tmp = tempDir('wuwei-moves-');
  const exportDir = join(tmp.dir, 'export');
  const paths = runPaths(join(tmp.dir, 'run', 'wuwei.duckdb'));
  let asOf = '';

  beforeAll(async () => {
    await step(['generate', '--out', exportDir, '--opportunities', String(OPPORTUNITIES), '--seed', String(SEED)]);
    asOf = readFileSync(join(exportDir, 'as_of.txt'), 'utf8').trim();
    // the task files come with the CRM formats of the write-back; capacity scarce, so that who gets which move matters
    mkdirSync(join(tmp.dir, 'run'), { recursive: true });
    writeFileSync(
      join(tmp.dir, 'run', 'wuwei.config.yaml'),
      'writeback:\n  formats: [salesforce, dynamics, hubspot]\nmoves:\n  engineerCapacity: 1\n  executiveCapacity: 1\n',
    );
    await step(['run', '--source', exportDir, '--db', paths.db, '--no-report']);
  }, 900_000);
  afterAll(() => tmp.cleanup());

  it("prices moves on every open deal, from tonight's scores", async () => {
    await withDatabase(paths.db, async (conn) => {
      const [row] = await queryRows<{
        open: number;
        priced: number;
        moves: number;
        kinds: number;
        off: number;
        bad: number;
      }>(
        conn,
        `WITH latest AS (SELECT * FROM scores WHERE as_of = DATE '${asOf}'), m AS (SELECT * FROM next_moves WHERE as_of = DATE '${asOf}')
         SELECT (SELECT count(*) FROM latest)::INTEGER AS open, (SELECT count(DISTINCT opportunity_id) FROM m)::INTEGER AS priced,
                (SELECT count(*) FROM m)::INTEGER AS moves, (SELECT count(DISTINCT move_kind) FROM m)::INTEGER AS kinds,
                (SELECT count(*) FROM m JOIN latest USING (opportunity_id) WHERE abs(m.win_probability - latest.win_probability) > 1e-6)::INTEGER AS off,
                (SELECT count(*) FROM m WHERE abs(delta_win_probability - (win_probability_after - win_probability)) > 1e-9
                    OR abs(delta_expected_value - (expected_value_after - expected_value)) > 1e-6)::INTEGER AS bad`,
      );
      expect(row!.open).toBeGreaterThan(50);
      expect(row!.priced).toBeGreaterThan(0.9 * row!.open);
      expect(row!.moves).toBeGreaterThan(2 * row!.priced);
      expect(row!.kinds).toBe(6);
      // the "before" of every move is the score the deal got tonight
      expect(row!.off).toBe(0);
      expect(row!.bad).toBe(0);
      // introductions name the colleague who knows the contact, with the tie
      const intro = await queryRows<{ n: number }>(
        conn,
        `SELECT count(*)::INTEGER AS n FROM next_moves WHERE move_kind = 'introduction' AND (via_user_id IS NULL OR via_user_id = owner_id OR tie_strength <= 0 OR last_interaction > as_of)`,
      );
      expect(intro[0]!.n).toBe(0);
    });
  });

  it('prices only the moves.maxDeals open deals of largest expected value when there are more', async () => {
    const features = defaultConfig().features;
    const options = { executiveRole: features.executiveRole, engineerRole: features.engineerRole, quietDays: 30 };
    await withDatabase(
      paths.db,
      async (conn) => {
        const dealsOf = (moves: { opportunityId: string }[]) => new Set(moves.map((move) => move.opportunityId));
        const all = dealsOf(await candidateMoves(conn, options));
        const limited = dealsOf(await candidateMoves(conn, { ...options, maxDeals: 10 }));
        const top = await queryRows<{ id: string }>(
          conn,
          `SELECT opportunity_id AS id FROM scores WHERE as_of = DATE '${asOf}'
           ORDER BY win_probability * coalesce(expected_amount, amount, 0) DESC, opportunity_id LIMIT 10`,
        );
        expect(all.size).toBeGreaterThan(10);
        expect(limited.size).toBeGreaterThan(5);
        expect([...limited].every((id) => top.some((row) => row.id === id))).toBe(true);
      },
      { readOnly: true },
    );
  });

  it("rebuilding tonight's rows through the overlay with no move gives tonight's scores", async () => {
    await withDatabase(paths.db, async (conn) => {
      const baseline = await scoreTable(conn, 'features_score', paths.models, quietLogger);
      const deals = [...baseline.keys()];
      const rebuilt = await counterfactualOutlook(
        conn,
        [],
        { asOf, features: featureBuildOptions(defaultConfig()).config, modelsDir: paths.models, log: quietLogger },
        deals,
      );
      expect(rebuilt.size).toBe(baseline.size);
      for (const [id, outlook] of baseline) {
        expect(rebuilt.get(id)!.winProbability).toBeCloseTo(outlook.winProbability, 6);
        expect(rebuilt.get(id)!.expectedAmount).toBeCloseTo(outlook.expectedAmount, 2);
      }
      // a round rebuilds only its accounts' rows: a few deals alone come out the same
      const few = deals.filter((_, i) => i % 25 === 0);
      const alone = await counterfactualOutlook(
        conn,
        [],
        { asOf, features: featureBuildOptions(defaultConfig()).config, modelsDir: paths.models, log: quietLogger },
        few,
      );
      expect([...alone.keys()].sort()).toEqual([...few].sort());
      for (const id of few) expect(alone.get(id)!.winProbability).toBeCloseTo(baseline.get(id)!.winProbability, 6);
    });
  });

  it('allocates within capacity and region, one person per move, and gains at least what deal size gains', async () => {
    await withDatabase(paths.db, async (conn) => {
      const night = `as_of = DATE '${asOf}'`;
      const over = await queryRows(
        conn,
        `SELECT method, user_id FROM move_allocation WHERE ${night} GROUP BY ALL HAVING count(*) > any_value(capacity)`,
      );
      expect(over).toEqual([]);
      const twice = await queryRows(
        conn,
        `SELECT method, move_id FROM move_allocation WHERE ${night} GROUP BY ALL HAVING count(*) > 1`,
      );
      expect(twice).toEqual([]);
      const [fit] = await queryRows<{ wrong: number; capacity: number }>(
        conn,
        `SELECT count(*) FILTER (WHERE u.region NOT IN ('Global', m.region) OR m.resource IS DISTINCT FROM a.resource
                                 OR u.role <> CASE a.resource WHEN 'executive' THEN 'executive' ELSE 'sales_engineer' END)::INTEGER AS wrong,
                max(a.capacity)::INTEGER AS capacity
         FROM move_allocation AS a JOIN next_moves AS m USING (as_of, move_id) JOIN users AS u USING (user_id) WHERE a.${night}`,
      );
      expect(fit!.wrong).toBe(0);
      expect(fit!.capacity).toBe(1);
      const gains = await queryRows<{ method: string; gain: number; n: number }>(
        conn,
        `SELECT method, sum(greatest(delta_expected_value, 0))::DOUBLE AS gain, count(*)::INTEGER AS n FROM move_allocation WHERE ${night} GROUP BY method ORDER BY method`,
      );
      const by = Object.fromEntries(gains.map((g) => [g.method, g]));
      expect(by['optimal']!.n).toBeGreaterThan(0);
      expect(by['optimal']!.gain).toBeGreaterThanOrEqual(by['by_deal_size']!.gain);
    });
  });

  it('writes next_moves.csv and the CRM task files beside scores.csv, identifiers only', () => {
    const csv = readFileSync(join(paths.out, NEXT_MOVES_FILE), 'utf8').trim().split('\n');
    expect(csv[0]).toMatch(/^opportunity_id,rank_in_deal,move_kind,/);
    expect(csv.length).toBeGreaterThan(50);
    expect(existsSync(join(paths.out, 'scores.csv'))).toBe(true);
    const contacts = readFileSync(join(exportDir, 'contacts.csv'), 'utf8');
    const aName = contacts.split('\n')[1]!.split(',').slice(2, 4).join(' ');
    for (const spec of Object.values(TASK_FILES)) {
      const lines = readFileSync(join(paths.out, spec.file), 'utf8').trim().split('\n');
      expect(lines[0]).toBe(spec.columns.map(([name]) => name).join(','));
      expect(lines.length).toBeGreaterThan(10);
      expect(lines.join('\n')).not.toContain(aName);
    }
  });

  it("gives the page its data: who does what, each deal's best move, gaps and stalled deals, no names", async () => {
    const loader = join(import.meta.dirname, '..', '..', 'reports', 'src', 'data', 'moves.json.ts');
    const json = JSON.parse(
      execFileSync(process.execPath, ['--import', 'tsx', loader], {
        env: { ...process.env, WUWEI_DB: paths.db },
        encoding: 'utf8',
      }),
    );
    expect(json.available).toBe(true);
    expect(json.people.length).toBeGreaterThan(0);
    expect(json.assignments.length).toBe(json.summary.optimalAssigned);
    expect(json.deals.length).toBeGreaterThan(10);
    expect(json.gaps.rows.length).toBeGreaterThan(0);
    expect(json.stalled.available).toBe(true);
    for (const person of json.people) expect(person.person).toMatch(/^U\d+$/);
    const someDeal = json.deals[0].opportunityId;
    expect(json.byDeal[someDeal][0].move).toBe(json.deals[0].bestMove);
    const names = await withDatabase(paths.db, async (conn) =>
      (await queryRows<{ name: string }>(conn, `SELECT name FROM users`)).map((r) => r.name),
    );
    const text = JSON.stringify(json);
    for (const name of names) expect(text).not.toContain(name);
  });

  describe("against the generator's truth", () => {
    let check: TruthCheck;
    beforeAll(async () => {
      check = await withDatabase(paths.db, (conn) =>
        checkMovesAgainstTruth(conn, asOf, join(exportDir, 'ground_truth_moves.csv')),
      );
    });

    it('judges every priced move', () => {
      expect(check.moves).toBeGreaterThan(300);
    });

    it('ranks moves and deals like the truth, better than always adding the economic buyer', () => {
      expect(check.moveSpearman).toBeGreaterThan(check.naiveMoveSpearman + 0.05);
      expect(check.topDecileOverlap).toBeGreaterThan(check.naiveTopDecileOverlap);
      expect(check.dealSpearman).toBeGreaterThan(0.25);
    });
  });
});
