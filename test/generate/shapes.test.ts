import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, withDatabase } from '../../pipeline/base/db.ts';
import { generate, type GenerateOptions } from '../../pipeline/generate/index.ts';
import { loadExports } from '../../pipeline/load/index.ts';
import { quietLogger } from '../../pipeline/base/log.ts';
import { tempDir } from '../helpers/temp.ts';

const AS_OF = '2026-06-30';
const base = { opportunities: 1500, seed: 21, asOf: AS_OF, start: '2024-01-01', log: quietLogger };
const run = (out: string, extra: Partial<GenerateOptions> = {}) => generate({ ...base, out, ...extra });
const hash = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('generator export shapes, company-specific columns and hidden amounts', () => {
  const tmp = tempDir();
  const dir = (name: string) => join(tmp.dir, name);
  beforeAll(async () => {
    await run(dir('history'));
    await run(dir('flat'), { shape: 'flat' });
    await run(dir('snapshots'), { shape: 'snapshots', snapshots: { count: 3, everyDays: 30 } });
    await run(dir('custom'), { shape: 'flat', customColumns: true, zeroAmountShare: 0.1 });
  });
  afterAll(() => tmp.cleanup());

  it('flat: the same export without the history file', () => {
    const flat = readdirSync(dir('flat')).sort();
    expect(flat).toEqual(
      readdirSync(dir('history'))
        .filter((f) => f !== 'opportunity_history.csv')
        .sort(),
    );
    for (const file of flat) expect(hash(join(dir('flat'), file)), file).toEqual(hash(join(dir('history'), file)));
  });

  it('snapshots: one folder per night, the last equal to the flat export, earlier ones cut earlier', async () => {
    expect(readdirSync(dir('snapshots')).sort()).toEqual([
      '2026-05-01',
      '2026-05-31',
      '2026-06-30',
      'ground_truth.csv',
      'ground_truth_moves.csv',
    ]);
    const last = join(dir('snapshots'), '2026-06-30');
    for (const file of readdirSync(dir('flat')).filter((f) => !f.startsWith('ground_truth')))
      expect(hash(join(last, file)), file).toEqual(hash(join(dir('flat'), file)));
    expect(existsSync(join(last, 'opportunity_history.csv'))).toBe(false);
    await withDatabase(':memory:', async (conn) => {
      const csv = (night: string, name: string) => `read_csv('${join(dir('snapshots'), night, name)}.csv')`;
      const [check] = await queryRows<Record<string, number>>(
        conn,
        `SELECT
           (SELECT count(*) FROM ${csv('2026-05-01', 'opportunities')} WHERE created_date > DATE '2026-05-01')::INTEGER AS created_after_cut,
           (SELECT count(*) FROM ${csv('2026-05-01', 'activities')} WHERE occurred_at >= TIMESTAMP '2026-05-02')::INTEGER AS activity_after_cut,
           (SELECT count(*) FROM ${csv('2026-05-01', 'opportunities')})::INTEGER AS deals_first,
           (SELECT count(*) FROM ${csv('2026-06-30', 'opportunities')})::INTEGER AS deals_last,
           -- a deal closed by the first night shows the same close in the last
           (SELECT count(*) FROM ${csv('2026-05-01', 'opportunities')} AS a JOIN ${csv('2026-06-30', 'opportunities')} AS b USING (opportunity_id)
            WHERE a.is_closed AND (a.stage <> b.stage OR a.close_date <> b.close_date))::INTEGER AS closed_changed,
           -- an activity has the same id in every night it appears
           (SELECT count(*) FROM ${csv('2026-05-01', 'activities')} AS a JOIN ${csv('2026-06-30', 'activities')} AS b USING (activity_id)
            WHERE a.occurred_at <> b.occurred_at)::INTEGER AS activity_id_moved`,
      );
      expect(check).toMatchObject({
        created_after_cut: 0,
        activity_after_cut: 0,
        closed_changed: 0,
        activity_id_moved: 0,
      });
      expect(check!['deals_first']).toBeLessThan(check!['deals_last']!);
    });
  });

  it('snapshots: loading the nights oldest first derives a history of what changed between them', async () => {
    await withDatabase(':memory:', async (conn) => {
      for (const night of ['2026-05-31', '2026-06-30'])
        await loadExports(conn, { source: join(dir('snapshots'), night), log: quietLogger });
      const [check] = await queryRows<Record<string, number>>(
        conn,
        `SELECT count(DISTINCT as_of)::INTEGER AS nights,
                (SELECT count(*) FROM opportunity_history WHERE changed_at > DATE '2026-05-31' AND stage NOT LIKE 'Closed%')::INTEGER AS open_changes_later
         FROM snapshot_opportunities`,
      );
      expect(check!['nights']).toBe(2);
      expect(check!['open_changes_later']).toBeGreaterThan(10);
    });
  });

  it('custom columns: honest ones move the outcome, the loss reason is filled only once a deal is lost', async () => {
    await withDatabase(':memory:', async (conn) => {
      const csv = (name: string) => `read_csv('${join(dir('custom'), name)}.csv')`;
      const [check] = await queryRows<Record<string, number>>(
        conn,
        `WITH d AS (SELECT o.*, a.client_revenue_band, a.revenue_from_client_2y, g.final_outcome = 'won' AS won_finally
                    FROM ${csv('opportunities')} AS o JOIN ${csv('accounts')} AS a USING (account_id) JOIN ${csv('ground_truth')} AS g USING (opportunity_id))
         SELECT
           avg(won_finally::INTEGER) FILTER (WHERE tender_flag = 'yes') AS tender_win,
           avg(won_finally::INTEGER) FILTER (WHERE tender_flag = 'no') AS no_tender_win,
           avg(won_finally::INTEGER) FILTER (WHERE budget_allocated IS NOT NULL) AS budget_win,
           avg(won_finally::INTEGER) FILTER (WHERE budget_allocated IS NULL) AS no_budget_win,
           avg(won_finally::INTEGER) FILTER (WHERE client_revenue_band = 'A') AS band_a_win,
           avg(won_finally::INTEGER) FILTER (WHERE client_revenue_band = 'D') AS band_d_win,
           corr(marketing_score, won_finally::INTEGER) AS noise_corr,
           count(*) FILTER (WHERE loss_reason IS NOT NULL AND stage <> 'Closed Lost')::INTEGER AS reason_not_lost,
           count(*) FILTER (WHERE loss_reason IS NULL AND stage = 'Closed Lost')::INTEGER AS lost_without_reason,
           avg((amount = 0)::INTEGER) AS zero_share,
           avg((amount IS NULL)::INTEGER) AS missing_share
         FROM d`,
      );
      expect(check!['tender_win']!).toBeLessThan(check!['no_tender_win']! - 0.05);
      expect(check!['budget_win']!).toBeGreaterThan(check!['no_budget_win']! + 0.05);
      expect(check!['band_a_win']!).toBeGreaterThan(check!['band_d_win']! + 0.08);
      expect(Math.abs(check!['noise_corr']!)).toBeLessThan(0.06);
      expect(check).toMatchObject({ reason_not_lost: 0, lost_without_reason: 0 });
      // 10% hidden: two in three at 0, one in three empty
      expect(check!['zero_share']!).toBeGreaterThan(0.04);
      expect(check!['zero_share']!).toBeLessThan(0.1);
      expect(check!['missing_share']!).toBeGreaterThan(0.015);
      expect(check!['missing_share']!).toBeLessThan(0.06);
    });
  });

  it('custom columns keep the win rate of an export without them', async () => {
    await withDatabase(':memory:', async (conn) => {
      const rate = async (name: string) =>
        (
          await queryRows<{ r: number }>(
            conn,
            `SELECT avg((final_outcome = 'won')::INTEGER) AS r FROM read_csv('${join(dir(name), 'ground_truth.csv')}')`,
          )
        )[0]!.r;
      expect(Math.abs((await rate('custom')) - (await rate('history')))).toBeLessThan(0.04);
    });
  });
});
