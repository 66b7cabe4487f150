/**
 * The run rate of deals not yet created follows the analogs' trend: when each past quarter booked
 * more from deals created within it than the one before (accounts becoming customers, win rates
 * rising with history), the analogs' plain mean lags by half the lookback; the least-squares line read
 * at the forecast quarter does not. Judged on real DuckDB deal facts with a known linear growth.
 */
import { describe, expect, it } from 'vitest';
import { withDatabase } from '../../pipeline/base/db.ts';
import { quarterContaining } from '../../pipeline/base/periods.ts';
import {
  analogWindows,
  levelAtLagZero,
  newDealRunRate,
  shiftMonths,
  TREND_MIN_ANALOGS,
} from '../../pipeline/forecast/new-deals.ts';
import { addDays } from '../../pipeline/base/dates.ts';

describe('levelAtLagZero', () => {
  it('reads a straight line at lag 0 and leaves no spread around it', () => {
    const lags = [1, 2, 3, 4, 5, 6, 7, 8];
    const level = levelAtLagZero(
      lags,
      lags.map((lag) => 1000 - 50 * lag),
    );
    expect(level.value).toBeCloseTo(1000, 6);
    expect(level.sd).toBeCloseTo(0, 6);
  });

  it('takes the mean and its sd with fewer analogs than a trend needs', () => {
    const values = [300, 200, 100].slice(0, TREND_MIN_ANALOGS - 1);
    const level = levelAtLagZero([1, 2, 3].slice(0, values.length), values);
    expect(level.value).toBeCloseTo(200, 6);
    expect(level.sd).toBeCloseTo(100, 6);
  });

  it('never forecasts negative bookings from a falling line', () => {
    expect(levelAtLagZero([1, 2, 3, 4], [10, 100, 200, 300]).value).toBe(0);
  });
});

describe('the new-deal run rate on deal facts growing by 100 a quarter', () => {
  // Eight past quarters; in the one k quarters before the forecast, a deal created on its second day
  // and won on its tenth books 1000 - 100 * k. The forecast quarter would book 1000.
  const asOf = '2026-03-31';
  const quarter = quarterContaining('2026-04-01', 1);

  it('forecasts the next quarter on the line, where the plain mean lags by 450', async () => {
    const windows = analogWindows(asOf, [quarter], 8, '2024-01-01');
    expect(windows.map((w) => w.lag)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const deals = windows.map((w) => ({
      id: `N${w.lag}`,
      created: addDays(w.start, 1),
      closed: addDays(w.start, 9),
      amount: 1000 - 100 * w.lag,
    }));
    const result = await withDatabase(':memory:', async (conn) => {
      await conn.run(
        `CREATE TEMP TABLE deal_segments AS SELECT * FROM (VALUES ${deals
          .map((d) => `('${d.id}', DATE '${d.created}', 'all', 'all')`)
          .join(', ')}) AS t(opportunity_id, created_date, segment_type, segment)`,
      );
      await conn.run(
        `CREATE TEMP TABLE deal_closes AS SELECT * FROM (VALUES ${deals
          .map((d) => `('${d.id}', DATE '${d.closed}', true, ${d.amount})`)
          .join(', ')}) AS t(opportunity_id, closed_on, won, final_amount)`,
      );
      return newDealRunRate(conn, windows, new Map([['all|all', 0]]), 1);
    });
    const plainMean = deals.reduce((sum, d) => sum + d.amount, 0) / deals.length;
    expect(plainMean).toBeCloseTo(550, 6);
    expect(result.analogs).toEqual([8]);
    expect(result.mean[0]).toBeCloseTo(1000, 6);
    expect(result.sd[0]).toBeCloseTo(0, 6);
  });

  it('keeps each analog as-of date as many days before its quarter as the as-of date is before the period', () => {
    // the day before the quarter, as the backtest cuts: 06-30 shifted by months would be 03-30, and
    // the deals created on 03-31 would count as not yet created in that analog
    const windows = analogWindows('2025-06-30', [quarterContaining('2025-07-01', 1)], 3, '2024-01-01');
    expect(windows.map((w) => [w.asOf, w.start, w.end])).toEqual([
      ['2025-03-31', '2025-04-01', '2025-06-30'],
      ['2024-12-31', '2025-01-01', '2025-03-31'],
      ['2024-09-30', '2024-10-01', '2024-12-31'],
    ]);
    expect(shiftMonths('2025-06-30', -3)).toBe('2025-03-30');
  });
});
