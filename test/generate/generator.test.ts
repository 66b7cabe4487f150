import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, withDatabase } from '../../pipeline/base/db.ts';
import { generate } from '../../pipeline/generate/index.ts';
import { quietLogger } from '../../pipeline/base/log.ts';
import { tempDir } from '../helpers/temp.ts';

const AS_OF = '2026-06-30';
const options = (out: string, seed: number) => ({
  out,
  opportunities: 1200,
  seed,
  asOf: AS_OF,
  start: '2024-01-01',
  log: quietLogger,
});

function fingerprint(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir)
      .sort()
      .map((file) => [
        file,
        createHash('sha256')
          .update(readFileSync(join(dir, file)))
          .digest('hex'),
      ]),
  );
}

describe('synthetic CRM generator', () => {
  const tmp = tempDir();
  const a = join(tmp.dir, 'a');
  beforeAll(async () => {
    await generate(options(a, 11));
  });
  afterAll(() => tmp.cleanup());

  it('is deterministic by seed', async () => {
    const b = join(tmp.dir, 'b');
    const c = join(tmp.dir, 'c');
    await generate(options(b, 11));
    await generate(options(c, 12));
    expect(fingerprint(b)).toEqual(fingerprint(a));
    expect(fingerprint(c)['opportunities.csv']).not.toEqual(fingerprint(a)['opportunities.csv']);
  });

  it('writes ground truth consistent with the exported deals and their history', async () => {
    await withDatabase(':memory:', async (conn) => {
      const csv = (name: string) => `read_csv('${join(a, name)}.csv', header = true)`;
      const [check] = await queryRows<Record<string, number>>(
        conn,
        `WITH o AS (SELECT * FROM ${csv('opportunities')}),
              g AS (SELECT * FROM ${csv('ground_truth')}),
              last_history AS (SELECT opportunity_id, arg_max(stage, changed_at) AS stage FROM ${csv('opportunity_history')} GROUP BY 1)
         SELECT
           (SELECT count(*) FROM o)::INTEGER AS deals,
           (SELECT count(*) FROM g)::INTEGER AS truths,
           count(*) FILTER (WHERE o.is_closed = g.open_at_cut)::INTEGER AS open_flag_mismatch,
           count(*) FILTER (WHERE o.is_closed AND o.is_won <> (g.final_outcome = 'won'))::INTEGER AS outcome_mismatch,
           count(*) FILTER (WHERE o.is_closed AND (o.close_date <> g.final_close_date OR o.amount <> g.final_amount))::INTEGER AS closed_value_mismatch,
           count(*) FILTER (WHERE o.is_closed AND g.true_win_probability NOT IN (0, 1))::INTEGER AS closed_probability_not_certain,
           count(*) FILTER (WHERE NOT o.is_closed AND g.final_close_date <= DATE '${AS_OF}')::INTEGER AS open_closing_in_past,
           count(*) FILTER (WHERE g.true_win_probability < 0 OR g.true_win_probability > 1)::INTEGER AS probability_out_of_range,
           count(*) FILTER (WHERE h.stage <> o.stage)::INTEGER AS history_stage_mismatch,
           count(*) FILTER (WHERE NOT o.is_closed)::INTEGER AS open_deals,
           avg(CASE WHEN o.is_closed THEN o.is_won::INTEGER END)::DOUBLE AS win_rate
         FROM o JOIN g USING (opportunity_id) JOIN last_history AS h USING (opportunity_id)`,
      );
      expect(check).toMatchObject({
        deals: 1200,
        truths: 1200,
        open_flag_mismatch: 0,
        outcome_mismatch: 0,
        closed_value_mismatch: 0,
        closed_probability_not_certain: 0,
        open_closing_in_past: 0,
        probability_out_of_range: 0,
        history_stage_mismatch: 0,
      });
      expect(check!['open_deals']).toBeGreaterThan(30);
      expect(check!['win_rate']).toBeGreaterThan(0.2);
      expect(check!['win_rate']).toBeLessThan(0.4);

      // Nothing after the cut is exported.
      const [late] = await queryRows<{ n: number }>(
        conn,
        `SELECT ((SELECT count(*) FROM ${csv('activities')} WHERE occurred_at >= DATE '${AS_OF}' + 1)
               + (SELECT count(*) FROM ${csv('opportunity_history')} WHERE changed_at > DATE '${AS_OF}')
               + (SELECT count(*) FROM ${csv('opportunity_contact_roles')} WHERE created_date > DATE '${AS_OF}'))::INTEGER AS n`,
      );
      expect(late!.n).toBe(0);
    });
  });

  it('plants a real relationship signal: deals whose decision maker we engaged win more often', async () => {
    await withDatabase(':memory:', async (conn) => {
      const rows = await queryRows<{ has_dm: boolean; win_rate: number }>(
        conn,
        `WITH dm AS (SELECT DISTINCT opportunity_id FROM read_csv('${join(a, 'opportunity_contact_roles')}.csv') WHERE role = 'decision_maker')
         SELECT (dm.opportunity_id IS NOT NULL) AS has_dm, avg((g.final_outcome = 'won')::INTEGER)::DOUBLE AS win_rate
         FROM read_csv('${join(a, 'ground_truth')}.csv') AS g LEFT JOIN dm USING (opportunity_id) GROUP BY 1`,
      );
      const rate = (flag: boolean) => rows.find((r) => r.has_dm === flag)!.win_rate;
      expect(rate(true)).toBeGreaterThan(rate(false) + 0.1);
    });
  });
});
