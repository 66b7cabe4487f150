/**
 * The backtest judges what the nightly run does: the model it trains uses the features the export
 * supports (not every catalog feature) and the config's seed, as the train stage does; and its
 * judge is right: the actual of each as-of date, split into won to date, the open deals and the
 * deals not yet created, matches the generator's ground truth.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, withDatabase } from '../../pipeline/base/db.ts';
import { defaultConfig, type WuweiConfig } from '../../pipeline/config/config.ts';
import { supportedFeatureNames } from '../../pipeline/features/build.ts';
import { FEATURE_NAMES } from '../../pipeline/features/catalog.ts';
import { backtestQuarter, type QuarterBacktest } from '../../pipeline/forecast/backtest.ts';
import { quarterContaining } from '../../pipeline/base/periods.ts';
import { quietLogger } from '../../pipeline/base/log.ts';
import { loadActiveModel } from '../../models/index.ts';
import { loadInto, smallExport } from '../helpers/loaded-export.ts';
import { tempDir } from '../helpers/temp.ts';

const defaults = defaultConfig();
const config: WuweiConfig = {
  ...defaults,
  models: { ...defaults.models, seed: 9 },
  backtest: { ...defaults.backtest, epochs: 4, weekStep: 6 },
  forecast: { ...defaults.forecast, simulations: 300 },
};

describe('the backtest runs the nightly recipe', () => {
  const tmp = tempDir();
  let source = '';
  let result: QuarterBacktest;
  let seed = 0;
  let trainedOn: string[] = [];
  let supported: string[] = [];
  beforeAll(async () => {
    source = await smallExport(tmp.dir, 1500, 4);
    await withDatabase(':memory:', async (conn) => {
      await loadInto(conn, source);
      // an export without competitors: their features are unsupported, so the nightly leaves them out
      await conn.run('DELETE FROM opportunity_competitors');
      const modelsDir = join(tmp.dir, 'models');
      result = await backtestQuarter(conn, quarterContaining('2026-01-01', 1), { config, modelsDir });
      const model = (await loadActiveModel(conn, modelsDir, quietLogger))!;
      seed = model.metadata.seed;
      trainedOn = model.metadata.featureNames.filter((name) => FEATURE_NAMES.includes(name));
      supported = await supportedFeatureNames(conn);
    });
  });
  afterAll(() => tmp.cleanup());

  it("trains on the supported features with the config's models.seed", () => {
    expect(seed).toBe(9);
    expect(supported.length).toBeLessThan(FEATURE_NAMES.length);
    expect(trainedOn).toEqual(supported);
  });

  it('forecasts at the quarter start and every weekStep weeks into the quarter', () => {
    const company = result.rows.filter((row) => row.segment_type === 'all');
    expect(company.map((row) => [row.as_of, row.weeks_into_period])).toEqual([
      ['2025-12-31', 0],
      ['2026-02-11', 6],
      ['2026-03-25', 12],
    ]);
    // as the quarter goes by, more of it is won to date
    expect(company[2]!.won_to_date).toBeGreaterThan(company[1]!.won_to_date);
    expect(company[1]!.won_to_date).toBeGreaterThan(0);
  });

  it("corrects later dates by stage from the quarter start's deals closed since, and keeps each deal's part of the forecast", () => {
    const company = result.rows.filter((row) => row.segment_type === 'all');
    for (const row of company) {
      const deals = result.deals.filter((deal) => deal.asOf === row.as_of);
      const open = deals.reduce((sum, d) => sum + d.forecastWinProbability * d.expectedAmount * d.closeInPeriod, 0);
      expect(open, row.as_of).toBeCloseTo(row.expected_open, 3);
      const corrected = deals.filter((d) => d.forecastWinProbability !== d.winProbability).length;
      // the quarter start has no earlier cut to learn from; six weeks in, its deals that closed since teach the correction
      if (row.weeks_into_period === 0) expect(corrected, row.as_of).toBe(0);
      else expect(corrected, row.as_of).toBeGreaterThan(deals.length / 2);
    }
  });

  it("splits each actual into won to date, open deals and new deals exactly as the generator's truth says", async () => {
    const truth = await withDatabase(':memory:', (conn) =>
      queryRows<{ as_of: string; won_to_date: number; actual_open: number; actual_new: number }>(
        conn,
        `WITH deals AS (
            SELECT g.final_amount::DOUBLE AS amount, g.final_close_date::DATE AS closed, o.created_date::DATE AS created
            FROM read_csv('${join(source, 'ground_truth.csv')}') AS g JOIN read_csv('${join(source, 'opportunities.csv')}') AS o USING (opportunity_id)
            WHERE g.final_outcome = 'won' AND g.final_close_date BETWEEN DATE '2026-01-01' AND DATE '2026-03-31'),
          dates(as_of) AS (VALUES (DATE '2025-12-31'), (DATE '2026-02-11'), (DATE '2026-03-25'))
         SELECT strftime(as_of, '%Y-%m-%d') AS as_of,
                coalesce(sum(amount) FILTER (WHERE closed <= as_of), 0)::DOUBLE AS won_to_date,
                coalesce(sum(amount) FILTER (WHERE closed > as_of AND created <= as_of), 0)::DOUBLE AS actual_open,
                coalesce(sum(amount) FILTER (WHERE closed > as_of AND created > as_of), 0)::DOUBLE AS actual_new
         FROM dates CROSS JOIN deals GROUP BY as_of ORDER BY as_of`,
      ),
    );
    const company = result.rows.filter((row) => row.segment_type === 'all');
    expect(
      company.map(({ as_of, won_to_date, actual_open, actual_new }) => ({
        as_of,
        won_to_date,
        actual_open,
        actual_new,
      })),
    ).toEqual(truth);
    for (const row of company) expect(row.actual).toBeCloseTo(row.won_to_date + row.actual_open + row.actual_new, 6);
    // the open deals' part, deal by deal, adds up to the same actual
    for (const row of company) {
      const deals = result.deals.filter((deal) => deal.asOf === row.as_of && deal.wonInPeriod);
      expect(deals.reduce((sum, deal) => sum + deal.finalAmount!, 0)).toBeCloseTo(row.actual_open, 6);
    }
  });
});
