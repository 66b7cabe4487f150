/**
 * The untidy-reps variant: the same deals and truth, only the rep-entered fields worse. Judged on
 * the exports the way the pipeline sees them.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, withDatabase } from '../../pipeline/base/db.ts';
import { generate } from '../../pipeline/generate/index.ts';
import { quietLogger } from '../../pipeline/base/log.ts';
import { tempDir } from '../helpers/temp.ts';

interface RepView {
  won_truth: string;
  first_amount_log_ratio: number;
  first_date_log_ratio: number;
  date_changes_per_deal: number;
  shown_ahead_share: number;
}

describe('the untidy-reps generator', () => {
  const tmp = tempDir();
  const views: Record<string, RepView> = {};
  beforeAll(async () => {
    for (const untidyReps of [false, true]) {
      const out = join(tmp.dir, String(untidyReps));
      await generate({
        out,
        opportunities: 1500,
        seed: 11,
        asOf: '2026-06-30',
        start: '2024-01-01',
        untidyReps,
        log: quietLogger,
      });
      const csv = (name: string) => `read_csv('${join(out, name)}.csv', header = true)`;
      const [view] = await withDatabase(':memory:', (conn) =>
        queryRows<RepView>(
          conn,
          `WITH truth AS (SELECT * FROM ${csv('ground_truth')}),
                history AS (SELECT * FROM ${csv('opportunity_history')} WHERE stage NOT IN ('Closed Won', 'Closed Lost')),
                first AS (SELECT opportunity_id, arg_min(amount, changed_at) AS amount, arg_min(close_date, changed_at) AS close_date, min(changed_at) AS created
                          FROM history GROUP BY 1),
                won AS (SELECT * FROM truth JOIN first USING (opportunity_id) WHERE final_outcome = 'won' AND NOT open_at_cut)
           SELECT (SELECT md5(string_agg(opportunity_id || final_amount || final_close_date, ',' ORDER BY opportunity_id)) FROM truth WHERE final_outcome = 'won') AS won_truth,
                  (SELECT avg(ln(amount / final_amount)) FROM won)::DOUBLE AS first_amount_log_ratio,
                  (SELECT avg(ln(greatest(1, datediff('day', created, close_date)) / greatest(1, datediff('day', created, final_close_date)))) FROM won)::DOUBLE AS first_date_log_ratio,
                  (SELECT count(DISTINCT (opportunity_id, close_date)) / count(DISTINCT opportunity_id) FROM history)::DOUBLE AS date_changes_per_deal,
                  (SELECT avg((stage = 'Qualification')::INTEGER) FROM history WHERE changed_at = (SELECT min(changed_at) FROM history AS h WHERE h.opportunity_id = history.opportunity_id))::DOUBLE AS shown_ahead_share`,
        ),
      );
      views[String(untidyReps)] = view!;
    }
  });
  afterAll(() => tmp.cleanup());

  it('keeps every won deal, amount and close date', () => {
    expect(views['true']!.won_truth).toBe(views['false']!.won_truth);
  });

  it("makes the reps' numbers worse: higher first amounts, earlier first dates pushed more often, stages shown ahead", () => {
    const tidy = views['false']!;
    const untidy = views['true']!;
    expect(untidy.first_amount_log_ratio).toBeGreaterThan(tidy.first_amount_log_ratio + 0.1);
    expect(untidy.first_date_log_ratio).toBeLessThan(tidy.first_date_log_ratio - 0.1);
    expect(untidy.date_changes_per_deal).toBeGreaterThan(tidy.date_changes_per_deal * 1.2); // 1.87 against 1.44 at this seed
    // a new deal starts in Prospecting; about 30% of untidy reps show it as Qualification from day one
    expect(tidy.shown_ahead_share).toBe(0);
    expect(untidy.shown_ahead_share).toBeGreaterThan(0.2);
    expect(untidy.shown_ahead_share).toBeLessThan(0.4);
  });
});
