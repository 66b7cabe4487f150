import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withDatabase, type DuckDBConnection } from '../../pipeline/base/db.ts';
import { ENTITY_NAMES, SCHEMA } from '../../pipeline/load/schema.ts';
import { probabilityCloseBetween } from '../../pipeline/outlook/close-timing.ts';
import { computeForecast, writeForecast, type ForecastRow } from '../../pipeline/forecast/index.ts';
import { defaultConfig } from '../../pipeline/config/config.ts';
import { monthContaining, quarterContaining } from '../../pipeline/base/periods.ts';
import { quantile } from '../../pipeline/forecast/simulate.ts';
import { applyStageCorrection, openDealStages } from '../../pipeline/forecast/stage-correction.ts';
import type { DealOutlook } from '../../pipeline/outlook/deal-outlook.ts';

const AS_OF = '2026-05-15';
const TINY = 1e-6; // a close-timing spread so small that a deal closes on its median day

/**
 * A hand-computed fixture. Quarter 2026-04-01..06-30, as of 05-15 (days 1..46 after it are left).
 *  W1 (owner U1) won 500 on 04-10; W0 won 300 on 03-20 (before the quarter); L1 lost on 04-20.
 *  O1 (U1): p 0.7, amount 1000, closes on day 20; Negotiation 0.8, rep date 06-15, commit.
 *  O2 (U1): p 0.5, amount 100, closes on day 20; Discovery 0.4, rep date 06-01, best_case.
 *  O3 (U2): p 0.5, amount 400, median day 46 (half its chance falls in the quarter); rep date 08-01.
 * Expected, company: 500 + 0.7*1000 + 0.5*100 + 0.5*400*0.5 = 1350. Owner U1: 1250.
 * Owner U1's outcomes: 500 + {0: .15, 100: .15, 1000: .35, 1100: .35} -> P10 500, P50 1500, P90 1600.
 * Weighted pipeline (rep date in the quarter): 0.8*1000 + 0.4*100 = 840; commit 1000; best case 1100.
 */
async function fixture(conn: DuckDBConnection): Promise<void> {
  for (const entity of ENTITY_NAMES) {
    const columns = Object.entries(SCHEMA[entity].columns).map(([name, spec]) => `${name} ${spec.type}`);
    await conn.run(`CREATE TABLE ${entity} (${columns.join(', ')})`);
  }
  await conn.run(`INSERT INTO users (user_id, team, region) VALUES ('U1', 'T1', 'EMEA'), ('U2', 'T1', 'EMEA')`);
  await conn.run(`INSERT INTO accounts (account_id, region) VALUES ('A1', 'EMEA'), ('A2', 'APAC')`);
  await conn.run(`
    INSERT INTO opportunities (opportunity_id, account_id, owner_id, product_line, created_date, stage, amount) VALUES
      ('W0', 'A1', 'U1', 'core', DATE '2026-01-10', 'Closed Won', 300),
      ('W1', 'A1', 'U1', 'core', DATE '2026-02-01', 'Closed Won', 500),
      ('L1', 'A1', 'U1', 'core', DATE '2026-02-01', 'Closed Lost', 900),
      ('O1', 'A1', 'U1', 'core', DATE '2026-03-01', 'Negotiation', 1000),
      ('O2', 'A1', 'U1', 'core', DATE '2026-03-01', 'Discovery', 100),
      ('O3', 'A2', 'U2', 'addon', DATE '2026-03-01', 'Prospecting', 400)`);
  await conn.run(`
    INSERT INTO opportunity_history (opportunity_id, changed_at, stage, amount, close_date, probability, forecast_category) VALUES
      ('W0', DATE '2026-01-10', 'Proposal', 300, DATE '2026-03-20', 0.6, 'pipeline'),
      ('W0', DATE '2026-03-20', 'Closed Won', 300, DATE '2026-03-20', 1, 'closed'),
      ('W1', DATE '2026-02-01', 'Proposal', 450, DATE '2026-04-10', 0.6, 'pipeline'),
      ('W1', DATE '2026-04-10', 'Closed Won', 500, DATE '2026-04-10', 1, 'closed'),
      ('L1', DATE '2026-02-01', 'Proposal', 900, DATE '2026-04-20', 0.6, 'pipeline'),
      ('L1', DATE '2026-04-20', 'Closed Lost', 900, DATE '2026-04-20', 0, 'omitted'),
      ('O1', DATE '2026-03-01', 'Negotiation', 1000, DATE '2026-06-15', 0.8, 'commit'),
      ('O1', DATE '2026-05-20', 'Negotiation', 1000, DATE '2026-06-15', 0.8, 'omitted'),
      ('O2', DATE '2026-03-01', 'Discovery', 100, DATE '2026-06-01', 0.4, 'best_case'),
      ('O3', DATE '2026-03-01', 'Prospecting', 400, DATE '2026-08-01', 0.1, 'pipeline')`);
  // The open deals as the features stage would give them as of the date.
  await conn.run(`
    CREATE TABLE features_score AS SELECT * FROM (VALUES
      ('O1', DATE '${AS_OF}', 'Negotiation', 0.8, 1000.0, DATE '2026-06-15'),
      ('O2', DATE '${AS_OF}', 'Discovery', 0.4, 100.0, DATE '2026-06-01'),
      ('O3', DATE '${AS_OF}', 'Prospecting', 0.1, 400.0, DATE '2026-08-01')
    ) AS t(opportunity_id, as_of, stage, stage_probability, amount, expected_close_date)`);
}

const outlook: DealOutlook = {
  asOf: AS_OF,
  opportunityIds: ['O1', 'O2', 'O3'],
  winProbability: Float64Array.from([0.7, 0.5, 0.5]),
  expectedAmount: Float64Array.from([1000, 100, 400]),
  closeMedianDays: Float64Array.from([19.5, 19.5, 46]),
  closeLogSigma: Float64Array.from([TINY, TINY, 0.5]),
  positiveFactors: ['', '', ''],
  negativeFactors: ['', '', ''],
  amountSource: 'model',
  timingSource: 'model',
  repDateTiming: null,
  amountRealization: null,
  modelVersion: 'fixture',
  predictionSource: 'model',
};

async function forecastRows(): Promise<ForecastRow[]> {
  return withDatabase(':memory:', async (conn) => {
    await fixture(conn);
    return computeForecast(conn, outlook, {
      periods: [quarterContaining(AS_OF, 1), monthContaining(AS_OF, 1)],
      settings: { simulations: 20_000, seed: 11, newDeals: false, newDealsLookback: 4, levelUncertainty: 0 },
    });
  });
}

describe('forecast arithmetic on a hand-computed fixture', () => {
  it('adds won to date and open deals weighted by win probability and the chance of closing in the period', async () => {
    const rows = await forecastRows();
    const find = (period: string, type: string, segment: string) =>
      rows.find((r) => r.period_start === period && r.segment_type === type && r.segment === segment)!;
    const company = find('2026-04-01', 'all', 'all');
    expect(company.period_end).toBe('2026-06-30');
    expect(company.won_to_date).toBe(500);
    expect(company.expected_open).toBeCloseTo(850, 3);
    expect(company.expected).toBeCloseTo(1350, 3);
    expect(company.weighted_pipeline).toBeCloseTo(840, 9);
    expect(company.rep_commit).toBe(1000); // O1's later change to omitted (after the as-of date) is not seen
    expect(company.rep_best_case).toBe(1100);
    expect(company.rep_pipeline).toBe(1100);
    expect(company.open_deals).toBe(2);

    const owner = find('2026-04-01', 'owner', 'U1');
    expect(owner.expected).toBeCloseTo(1250, 6);
    expect([owner.p10, owner.p50, owner.p90]).toEqual([500, 1500, 1600]);
    expect(find('2026-04-01', 'owner', 'U2').expected).toBeCloseTo(100, 3);
    expect(find('2026-04-01', 'region', 'APAC').expected).toBeCloseTo(100, 3);
    expect(find('2026-04-01', 'product_line', 'core').expected).toBeCloseTo(1250, 6);

    // June (days 17..46): O1 and O2 close on day 20; nothing won yet in June.
    const june = find('2026-06-01', 'owner', 'U1');
    expect(june.won_to_date).toBe(0);
    expect(june.expected).toBeCloseTo(750, 6);
  });

  it("multiplies the open deals' win probabilities by their stage's correction, capped at 1", async () => {
    const rows = await withDatabase(':memory:', async (conn) => {
      await fixture(conn);
      // as the nightly does: the open deals' stages from features_score, corrected, then forecast
      const stageOf = await openDealStages(conn);
      const { winProbability } = applyStageCorrection(
        outlook.winProbability,
        outlook.opportunityIds.map((id) => stageOf.get(id) ?? null),
        {
          asOf: AS_OF,
          nights: ['2026-04-01'],
          factors: [
            { stage: 'Prospecting', nights: 1, deals: 40, won: 30, expected: 10, factor: 3 },
            { stage: 'Negotiation', nights: 1, deals: 40, won: 9, expected: 10, factor: 0.9 },
          ],
        },
      );
      return computeForecast(
        conn,
        { ...outlook, winProbability },
        {
          periods: [quarterContaining(AS_OF, 1)],
          settings: { simulations: 2000, seed: 11, newDeals: false, newDealsLookback: 4, levelUncertainty: 0 },
        },
      );
    });
    const company = rows.find((r) => r.segment_type === 'all')!;
    // O1 0.7 x 0.9 x 1000; O2 (Discovery, no factor) 0.5 x 100; O3 min(1, 0.5 x 3) x 400 x 0.5
    expect(company.expected_open).toBeCloseTo(630 + 50 + 200, 3);
    expect(company.weighted_pipeline).toBeCloseTo(840, 9); // the CRM's baseline is not corrected
  });

  it("keeps the CRM's baseline on a flat export, whose features leave out the rep's stage and close date", async () => {
    const rows = await withDatabase(':memory:', async (conn) => {
      await fixture(conn);
      // as int_deal_state.sql leaves them when the history cannot show closed deals while open
      await conn.run('UPDATE features_score SET stage = NULL, expected_close_date = NULL');
      return computeForecast(conn, outlook, {
        periods: [quarterContaining(AS_OF, 1)],
        settings: { simulations: 2000, seed: 11, newDeals: false, newDealsLookback: 4, levelUncertainty: 0 },
      });
    });
    const company = rows.find((r) => r.segment_type === 'all')!;
    // the rep's close dates from the history as of the date, as in the first case: O1 and O2 in the quarter
    expect(company.weighted_pipeline).toBeCloseTo(840, 9);
    expect(company.rep_commit).toBe(1000);
    expect(company.rep_pipeline).toBe(1100);
    expect(company.open_deals).toBe(2);
  });

  it('is the same on every run (seeded simulation)', async () => {
    expect(await forecastRows()).toEqual(await forecastRows());
  });

  it('computes the close probability and quantiles it relies on', () => {
    expect(probabilityCloseBetween(46, 0.5, 1, 46)).toBeCloseTo(0.5, 6);
    expect(probabilityCloseBetween(19.5, TINY, 1, 19)).toBe(0);
    expect(probabilityCloseBetween(19.5, TINY, 20, 20)).toBeCloseTo(1, 9);
    expect(probabilityCloseBetween(30, 0.5, 40, 10)).toBe(0);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.1)).toBe(1);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.5)).toBe(5);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
  });
});

describe('the nightly forecast of an export without amounts', () => {
  it('warns that every money figure of the open deals is 0', async () => {
    const out = mkdtempSync(join(tmpdir(), 'wuwei-no-amounts-'));
    const warnings: string[] = [];
    try {
      await withDatabase(':memory:', async (conn) => {
        await fixture(conn);
        await writeForecast(
          conn,
          { ...outlook, expectedAmount: new Float64Array(outlook.opportunityIds.length) },
          { config: defaultConfig(), outDir: out, log: { info: () => {}, warn: (message) => warnings.push(message) } },
        );
        await writeForecast(conn, outlook, {
          config: defaultConfig(),
          outDir: out,
          log: { info: () => {}, warn: (message) => warnings.push(`with amounts: ${message}`) },
        });
      });
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
    expect(warnings.filter((w) => /expected amount is 0/.test(w))).toEqual([
      "every open deal's expected amount is 0 (their amounts in the export are 0 or empty, 3 open deals): the forecast of open deals is 0; check the export's amount column",
    ]);
  });
});
