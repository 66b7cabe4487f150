/**
 * The correction by stage on a flat export, through the real CLI: a flat report (no stage history)
 * run one night, backtested at two quarter starts (`--week-step 0`), then run a second night. The
 * backtest's dates know no stage, nor do the flat export's open deals (features give a flat export no
 * stage on any row, training or scoring), so the correction learns one factor, `(none)`, and applies it
 * to every open deal. A third night the same company's export comes with its history file: tonight's
 * open deals have stages the past never saw, and each takes the factor pooled over all the past deals,
 * `(all stages)`. Each night the forecast's open-deal bookings are the model's times the factor applied,
 * measured against the same forecast recomputed with the correction off.
 */
import { cpSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, withDatabase, type DuckDBConnection } from '../../pipeline/base/db.ts';
import { ALL_STAGES, NO_STAGE, shrunkFactor } from '../../pipeline/forecast/stage-correction.ts';
import { wuweiInProcess } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

const OPPORTUNITIES = 2000;
const SEED = 5;
const NIGHTS = ['2026-06-30', '2026-07-01', '2026-07-02'] as const;

interface FactorRow {
  stage: string;
  deals: number;
  won: number;
  expected: number;
  factor: number;
  open_deals: number;
}

interface Night {
  factors: FactorRow[];
  openDeals: number;
  withStage: number;
  /** The highest win probability scored tonight: a corrected one above 1 would be capped. */
  maxWinProbability: number;
  /** The company's expected bookings from the open deals per period, corrected and with the correction off. */
  expectedOpen: { period: string; corrected: number; uncorrected: number }[];
}

async function step(args: string[]): Promise<void> {
  const result = await wuweiInProcess(args);
  if (result.code !== 0) throw new Error(`wuwei ${args[0]} failed (${result.code}): ${result.output.slice(-2000)}`);
}

describe('the correction by stage on a flat export, run by the real stages', () => {
  const tmp = tempDir();
  const dbPath = join(tmp.dir, 'data', 'wuwei.duckdb');
  const db = ['--db', dbPath];
  const nights: Night[] = [];

  /** Tonight's factors and counts, then the forecast again with the correction off, to compare. */
  async function readNight(asOf: string): Promise<Night> {
    const company = (conn: DuckDBConnection) =>
      queryRows<{ period: string; expected_open: number }>(
        conn,
        `SELECT period_label AS period, expected_open::DOUBLE AS expected_open FROM forecasts
         WHERE as_of = DATE '${asOf}' AND segment_type = 'all' ORDER BY period_type, period_start`,
      );
    const night = await withDatabase(
      dbPath,
      async (conn) => ({
        factors: await queryRows<FactorRow>(
          conn,
          `SELECT stage, deals, won, expected, factor, open_deals FROM forecast_stage_factors
           WHERE as_of = DATE '${asOf}' ORDER BY stage = '${ALL_STAGES}', stage`,
        ),
        ...(
          await queryRows<{ openDeals: number; withStage: number; maxWinProbability: number }>(
            conn,
            `SELECT count(*)::INTEGER AS "openDeals", count(stage)::INTEGER AS "withStage",
                  max(win_probability)::DOUBLE AS "maxWinProbability"
           FROM scores WHERE as_of = DATE '${asOf}'`,
          )
        )[0]!,
        corrected: await company(conn),
      }),
      { readOnly: true },
    );
    await step(['forecast', '--config', join(tmp.dir, 'no-correction.yaml'), ...db]);
    const uncorrected = await withDatabase(dbPath, company, { readOnly: true });
    const { corrected, ...rest } = night;
    return {
      ...rest,
      expectedOpen: corrected.map((row, i) => ({
        period: row.period,
        corrected: row.expected_open,
        uncorrected: uncorrected[i]!.expected_open,
      })),
    };
  }

  beforeAll(async () => {
    const history = join(tmp.dir, 'history');
    const flat = join(tmp.dir, 'flat');
    await step(['generate', '--out', history, '--opportunities', String(OPPORTUNITIES), '--seed', String(SEED)]);
    // the flat export is the same export without its history file (test/generate/shapes.test.ts)
    cpSync(history, flat, { recursive: true });
    rmSync(join(flat, 'opportunity_history.csv'));
    writeFileSync(join(tmp.dir, 'no-correction.yaml'), 'forecast:\n  stageCorrection: false\n');

    await step(['run', '--source', flat, '--as-of', NIGHTS[0], '--no-report', ...db]);
    await step(['backtest', '--quarters', '2', '--week-step', '0', ...db]);
    await step(['run', '--source', flat, '--as-of', NIGHTS[1], '--no-report', ...db]);
    nights.push(await readNight(NIGHTS[1]));
    // the company now exports its history too
    await step(['run', '--source', history, '--as-of', NIGHTS[2], '--no-report', ...db]);
    nights.push(await readNight(NIGHTS[2]));
  }, 600_000);
  afterAll(() => tmp.cleanup());

  it("learns only a (none) factor from the backtest's stage-less quarter starts, and the pooled one equal to it", () => {
    const [flat] = nights;
    const [none, pooled] = flat!.factors;
    expect(flat!.factors.map((f) => f.stage)).toEqual([NO_STAGE, ALL_STAGES]);
    expect(none!.deals).toBeGreaterThan(100);
    expect(none!.factor).toBeCloseTo(shrunkFactor(none!.won, none!.expected), 12);
    expect(none!.factor).not.toBe(1);
    expect({ ...pooled!, stage: NO_STAGE, open_deals: 0 }).toEqual({ ...none!, open_deals: 0 });
  });

  it('applies the (none) factor to every open deal of the flat night, none left uncorrected', () => {
    const [flat] = nights;
    const [none, pooled] = flat!.factors;
    expect(flat!.withStage).toBe(0);
    expect(flat!.openDeals).toBeGreaterThan(50);
    expect(none!.open_deals).toBe(flat!.openDeals);
    expect(pooled!.open_deals).toBe(0);
  });

  it('applies the pooled factor to every open deal once they have stages the past never saw', () => {
    const [, withHistory] = nights;
    const [none, pooled] = withHistory!.factors;
    expect(withHistory!.withStage).toBe(withHistory!.openDeals);
    expect(withHistory!.factors.map((f) => f.stage)).toEqual([NO_STAGE, ALL_STAGES]);
    expect(none!.open_deals).toBe(0);
    expect(pooled!.open_deals).toBe(withHistory!.openDeals);
    expect(pooled!.factor).toBe(none!.factor);
  });

  it("multiplies the open deals' expected bookings by the factor applied, against the forecast with the correction off", () => {
    for (const night of nights) {
      const factor = night.factors.find((f) => f.open_deals > 0)!.factor;
      // no deal's corrected probability reaches the cap of 1, so every period's open-deal bookings scale by the factor
      expect(night.maxWinProbability * factor).toBeLessThan(1);
      const periods = night.expectedOpen.filter((p) => p.uncorrected > 0);
      expect(periods.length).toBeGreaterThanOrEqual(2);
      for (const p of periods) expect(p.corrected / p.uncorrected, p.period).toBeCloseTo(factor, 9);
    }
  });
});
