/**
 * The forecast earns its place beside the CRM's own number: backtested at two quarter starts on a
 * seeded generated export with the nightly recipe, the company total is judged against the
 * generator's ground truth (what each deal really booked, and when). Wuwei must not lose to the
 * weighted pipeline on WAPE beyond what chance allows, its bias must stay within what the deals' own
 * randomness explains, and the open deals' win probabilities and amounts must add up to what was
 * won. The bounds scale with that randomness (each open deal won in the quarter or not, as the
 * generator draws it), computed from the deals themselves, so the test is seeded and small yet not
 * tuned to one outcome.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, withDatabase } from '../../pipeline/base/db.ts';
import { defaultConfig, type WuweiConfig } from '../../pipeline/config/config.ts';
import { backtestQuarter, methodAccuracy, openDealFactors } from '../../pipeline/forecast/backtest.ts';
import type { BacktestDeal, BacktestRow } from '../../pipeline/forecast/backtest-rows.ts';
import { quarterContaining } from '../../pipeline/base/periods.ts';
import { loadInto, smallExport } from '../helpers/loaded-export.ts';
import { tempDir } from '../helpers/temp.ts';

const defaults = defaultConfig();
const config: WuweiConfig = {
  ...defaults,
  backtest: { ...defaults.backtest, epochs: 6, weekStep: 0 },
  forecast: { ...defaults.forecast, simulations: 500 },
};
const QUARTER_STARTS = ['2025-10-01', '2026-01-01'];

describe('the backtested forecast against the weighted pipeline, judged by the generator truth', () => {
  const tmp = tempDir();
  const company: (BacktestRow & { truth: number })[] = [];
  const deals: BacktestDeal[] = [];
  beforeAll(async () => {
    const source = await smallExport(tmp.dir, 3000, 11);
    await withDatabase(':memory:', async (conn) => {
      await loadInto(conn, source);
      for (const start of QUARTER_STARTS) {
        const quarter = quarterContaining(start, 1);
        const result = await backtestQuarter(conn, quarter, {
          config,
          modelsDir: join(tmp.dir, 'models'),
          weekStep: 0,
        });
        const [truth] = await queryRows<{ won: number }>(
          conn,
          `SELECT coalesce(sum(final_amount), 0)::DOUBLE AS won FROM read_csv('${join(source, 'ground_truth.csv')}')
           WHERE final_outcome = 'won' AND final_close_date::DATE BETWEEN DATE '${quarter.start}' AND DATE '${quarter.end}'`,
        );
        company.push({ ...result.rows.find((row) => row.segment_type === 'all')!, truth: truth!.won });
        deals.push(...result.deals);
      }
    });
  }, 600_000);
  afterAll(() => tmp.cleanup());

  it('judges against what the generator says was won in each quarter', () => {
    expect(company).toHaveLength(2);
    for (const row of company) expect(row.actual).toBeCloseTo(row.truth, 0);
  });

  it("is as accurate as the weighted pipeline and as unbiased as the deals' own randomness allows", () => {
    const wuwei = methodAccuracy(
      'wuwei',
      company.map((row) => ({ actual: row.truth, forecast: row.expected })),
    );
    const weighted = methodAccuracy(
      'weighted_pipeline',
      company.map((row) => ({ actual: row.truth, forecast: row.won_to_date + row.weighted_pipeline })),
    );
    const total = company.reduce((sum, row) => sum + row.truth, 0);
    // what an exact forecast would still miss by: each open deal won in the quarter or not, independently
    const sds = QUARTER_STARTS.map((_, k) =>
      noiseSd(deals.filter((deal) => deal.periodLabel === company[k]!.period_label)),
    );
    const floor = sds.reduce((sum, sd) => sum + Math.sqrt(2 / Math.PI) * sd, 0) / total;
    expect(floor).toBeGreaterThan(0.01);
    expect(wuwei.wape).toBeLessThanOrEqual(weighted.wape + 2 * floor);
    expect(Math.abs(wuwei.bias * total)).toBeLessThanOrEqual(3 * Math.hypot(...sds));
  });

  it("sums the open deals' win probabilities to what they won and their amounts to what the won ones booked", () => {
    const known = deals.filter((deal) => deal.won !== null);
    const won = known.filter((deal) => deal.won);
    const factors = openDealFactors(deals);
    expect(known.length).toBeGreaterThan(300);
    // the count won is a sum of independent Bernoulli draws: within 3 sd of the sum of probabilities
    const sd = Math.sqrt(known.reduce((sum, deal) => sum + deal.winProbability * (1 - deal.winProbability), 0));
    expect(Math.abs(factors.probability * won.length - won.length)).toBeLessThanOrEqual(3 * sd);
    expect(factors.amount).toBeGreaterThan(0.9);
    expect(factors.amount).toBeLessThan(1.1);
  });
});

/** sqrt(sum q(1 - q) a^2), q = P(won in the quarter), a = expected amount: the spread of the open deals' bookings. */
function noiseSd(deals: BacktestDeal[]): number {
  return Math.sqrt(
    deals.reduce((sum, deal) => {
      const q = deal.winProbability * deal.closeInPeriod;
      return sum + q * (1 - q) * deal.expectedAmount * deal.expectedAmount;
    }, 0),
  );
}
