/**
 * ground_truth_moves.csv: each open deal's true win probability with each move applied. Its "before"
 * is ground_truth.csv's oracle; a role or the sponsor never lowers the odds and raises them on the
 * deals that would never have had it; engineers and re-engaging change nothing in this world.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, withDatabase } from '../../pipeline/base/db.ts';
import { quietLogger } from '../../pipeline/base/log.ts';
import { generate, MOVE_TRUTH_FILE } from '../../pipeline/generate/index.ts';
import { TRUTH_MOVES } from '../../pipeline/generate/move-truth.ts';
import { tempDir } from '../helpers/temp.ts';

describe('the truth about moves', () => {
  const tmp = tempDir();
  beforeAll(async () => {
    await generate({
      out: tmp.dir,
      opportunities: 800,
      seed: 9,
      asOf: '2026-06-30',
      start: '2024-01-01',
      log: quietLogger,
    });
  });
  afterAll(() => tmp.cleanup());

  it('lists every move for every open deal, before equal to the oracle, and moves only in the direction and on the deals it should', async () => {
    const rows = await withDatabase(':memory:', (conn) =>
      queryRows<{ move: string; n: number; open: number; off: number; lower: number; raised: number }>(
        conn,
        `WITH t AS (SELECT * FROM read_csv('${join(tmp.dir, MOVE_TRUTH_FILE)}', all_varchar = true)),
              g AS (SELECT * FROM read_csv('${join(tmp.dir, 'ground_truth.csv')}', all_varchar = true))
         SELECT t.move, count(*)::INTEGER AS n, (SELECT count(*) FROM g WHERE open_at_cut = 'true')::INTEGER AS open,
                count(*) FILTER (WHERE t.true_win_probability <> g.true_win_probability)::INTEGER AS off,
                count(*) FILTER (WHERE t.true_win_probability_after::DOUBLE < t.true_win_probability::DOUBLE)::INTEGER AS lower,
                count(*) FILTER (WHERE t.true_win_probability_after::DOUBLE > t.true_win_probability::DOUBLE)::INTEGER AS raised
         FROM t JOIN g USING (opportunity_id) GROUP BY t.move ORDER BY t.move`,
      ),
    );
    expect(rows.map((r) => r.move).sort()).toEqual(TRUTH_MOVES.map((m) => m.key).sort());
    for (const row of rows) {
      expect(row.n, row.move).toBe(row.open);
      expect(row.off, row.move).toBe(0);
      expect(row.lower, row.move).toBe(0);
      if (row.move === 'solutions_engineer' || row.move === 'reengage') expect(row.raised, row.move).toBe(0);
      // some deals engage the role (or get the sponsor) anyway: for them the move adds nothing
      else expect(row.raised / row.n, row.move).toBeGreaterThan(0.2);
      if (row.move === 'champion' || row.move === 'decision_maker') expect(row.raised, row.move).toBeLessThan(row.n);
    }
  });
});
