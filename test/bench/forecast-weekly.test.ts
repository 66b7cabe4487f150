import { describe, expect, it } from 'vitest';
import { renderWeeklyAccuracy } from '../../bench/forecast-weekly.ts';
import type { BacktestRow } from '../../pipeline/forecast/backtest-rows.ts';

/** A quarter's company total as `wuwei backtest` writes it (only the fields the judges read matter). */
function row(weeks: number, actual: number, expected: number, p10: number, p90: number, weighted: number): BacktestRow {
  return {
    weeks_into_period: weeks,
    segment_type: 'all',
    actual,
    expected,
    p10,
    p90,
    won_to_date: 10,
    weighted_pipeline: weighted - 10,
    rep_commit: 0,
  } as BacktestRow;
}

describe('forecast accuracy as the quarter goes by', () => {
  it('pools every run’s quarters per week: WAPE and bias over the summed actuals, ranges held counted', () => {
    const lines = renderWeeklyAccuracy([
      // week 0: two quarters (from two runs), errors -10 and +30 on actuals 100 and 100
      row(0, 100, 90, 80, 120, 100),
      row(0, 100, 130, 110, 150, 120),
      // week 4: one quarter, exact
      row(4, 200, 200, 190, 210, 150),
    ]);
    expect(lines[2]).toBe('| 0 | 2 | 20.0% | +10.0% | 1 of 2 | 40.0% | 10.0% | 90.0% |');
    expect(lines[3]).toBe('| 4 | 1 | 0.0% | +0.0% | 1 of 1 | 10.0% | 25.0% | 95.0% |');
  });
});
