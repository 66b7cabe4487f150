import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withDatabase, type DuckDBConnection } from '../../pipeline/base/db.ts';
import { defaultConfig, type WuweiConfig } from '../../pipeline/config/config.ts';
import { backtestQuarter, methodAccuracy, pastQuarters } from '../../pipeline/forecast/backtest.ts';
import type { BacktestRow } from '../../pipeline/forecast/backtest-rows.ts';
import { addDays } from '../../pipeline/base/dates.ts';
import { quarterContaining } from '../../pipeline/base/periods.ts';
import { Random } from '../../pipeline/base/random.ts';
import { loadInto, smallExport } from '../helpers/loaded-export.ts';
import { tempDir } from '../helpers/temp.ts';
import { join } from 'node:path';

const config: WuweiConfig = {
  ...defaultConfig(),
  backtest: { ...defaultConfig().backtest, epochs: 5, weekStep: 0 },
  forecast: { ...defaultConfig().forecast, simulations: 500 },
};

/** The forecast side of a backtest row: everything but the actual and the (time-stamped) model version. */
function forecastOf(rows: BacktestRow[]) {
  return rows.map(
    ({ actual: _actual, actual_open: _open, actual_new: _new, model_version: _version, ...forecast }) => forecast,
  );
}

/**
 * Rewrites everything after `asOf` at random (seeded): records after it deleted or changed, new
 * future records and deals added, and the deals' end-of-export state scrambled. Nothing on or before
 * `asOf` is touched.
 */
async function rewriteTheFuture(conn: DuckDBConnection, asOf: string, seed: number): Promise<void> {
  const d = `DATE '${asOf}'`;
  const random = new Random(seed);
  const factor = (1 + random.next() * 4).toFixed(3);
  const shift = random.int(1, 120);
  for (const sql of [
    `DELETE FROM opportunity_history WHERE changed_at > ${d} AND hash(opportunity_id || '${seed}') % 2 = 0`,
    `UPDATE opportunity_history SET amount = amount * ${factor}, stage = CASE WHEN stage = 'Closed Won' THEN 'Closed Lost' ELSE 'Closed Won' END, close_date = changed_at + ${shift} WHERE changed_at > ${d}`,
    `DELETE FROM activities WHERE occurred_at::DATE > ${d} AND hash(activity_id || '${seed}') % 3 = 0`,
    `DELETE FROM opportunity_contact_roles WHERE created_date > ${d}`,
    `UPDATE opportunities SET stage = 'Closed Won', is_closed = true, is_won = true, amount = amount * ${factor}, close_date = ${d} - 999, probability = 1, forecast_category = 'commit'`,
    `UPDATE opportunities SET owner_id = (SELECT min(user_id) FROM users), product_line = 'future-line' WHERE created_date > ${d}`,
    `INSERT INTO opportunities SELECT opportunity_id || '-future', account_id, owner_id, name, type, lead_source, product_line, currency, ${d} + ${shift}, ${d} + ${shift + 30}, 'Negotiation', 0.8, 'commit', false, false, amount * 10 FROM opportunities`,
    `INSERT INTO opportunity_history SELECT opportunity_id, ${d} + ${shift}, 'Closed Won', amount * 10, ${d} + ${shift}, 1, 'closed' FROM opportunities`,
    `INSERT INTO activities SELECT activity_id || '-future', account_id, opportunity_id, type, 'inbound', owner_id, (${d} + ${shift})::TIMESTAMP, duration_minutes FROM activities`,
    `INSERT INTO opportunity_competitors SELECT opportunity_id, 'Future Rival', true, ${d} + 3 FROM opportunities WHERE NOT ends_with(opportunity_id, '-future')`,
  ]) {
    await conn.run(sql);
  }
}

describe('backtest is point in time', () => {
  const tmp = tempDir();
  let source = '';
  beforeAll(async () => {
    source = await smallExport(tmp.dir);
  });
  afterAll(() => tmp.cleanup());

  for (const [quarterStart, seed] of [
    ['2025-01-01', 1],
    ['2025-10-01', 2],
  ] as const) {
    it(`the forecast for the quarter from ${quarterStart} does not change when everything after the day before is rewritten`, async () => {
      const quarter = quarterContaining(quarterStart, 1);
      const run = (mutate: boolean) =>
        withDatabase(':memory:', async (conn) => {
          await loadInto(conn, source);
          if (mutate) await rewriteTheFuture(conn, addDays(quarter.start, -1), seed);
          return (
            await backtestQuarter(conn, quarter, {
              config,
              seed: 42,
              modelsDir: join(tmp.dir, `models-${quarterStart}-${mutate}`),
            })
          ).rows;
        });
      const original = await run(false);
      const rewritten = await run(true);
      const total = (rows: BacktestRow[]) => rows.find((row) => row.segment_type === 'all')!;
      expect(total(original).as_of).toBe(addDays(quarterStart, -1));
      expect(total(original).expected).toBeGreaterThan(0);
      expect(forecastOf(rewritten)).toEqual(forecastOf(original));
      // The rewrite did reach the data the actuals come from.
      expect(total(rewritten).actual).not.toBe(total(original).actual);
    });
  }
});

describe('backtest bookkeeping', () => {
  it('picks complete past quarters with enough history, oldest first', () => {
    const quarters = pastQuarters({ firstDate: '2024-01-01', lastDate: '2026-06-30' }, 1, 8, 365);
    expect(quarters.map((q) => q.start)).toEqual([
      '2025-01-01',
      '2025-04-01',
      '2025-07-01',
      '2025-10-01',
      '2026-01-01',
      '2026-04-01',
    ]);
    expect(pastQuarters({ firstDate: '2024-01-01', lastDate: '2026-06-29' }, 1, 2, 365).map((q) => q.label)).toEqual([
      'FY2025 Q4',
      'FY2026 Q1',
    ]);
    expect(
      pastQuarters({ firstDate: '2024-01-01', lastDate: '2026-06-30' }, 4, 1, 365).map((q) => [q.start, q.label]),
    ).toEqual([['2026-04-01', 'FY2026 Q1']]);
  });

  it('computes accuracy, bias, WAPE, hit rate and range coverage as defined', () => {
    const m = methodAccuracy('x', [
      { actual: 100, forecast: 110, p10: 90, p90: 120 },
      { actual: 200, forecast: 150, p10: 120, p90: 190 },
      { actual: 0, forecast: 10 }, // no actual: not judged
    ]);
    expect(m.periods).toBe(2);
    expect(m.accuracy).toBeCloseTo((0.9 + 0.75) / 2, 12);
    expect(m.bias).toBeCloseTo(-40 / 300, 12);
    expect(m.wape).toBeCloseTo(60 / 300, 12);
    expect(m.hitRate10).toBe(0.5);
    expect(m.rangeCoverage).toBe(0.5);
  });
});
