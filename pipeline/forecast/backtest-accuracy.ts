/**
 * How close past forecasts came: accuracy, bias, WAPE, hit rate and P10–P90 coverage of a method
 * over judged periods, and the table of those figures by method, segment type and week of the
 * quarter that `backtest_accuracy` holds.
 */
import type { BacktestRow } from './backtest-rows.ts';

export interface MethodAccuracy {
  method: string;
  periods: number;
  /** Mean over periods of 1 - |actual - forecast| / actual. */
  accuracy: number;
  /** Sum(forecast - actual) / sum(actual): positive means over-forecast. */
  bias: number;
  /** Sum |actual - forecast| / sum(actual). */
  wape: number;
  /** Share of periods within +-10% of the actual. */
  hitRate10: number;
  /** Share of periods whose actual fell inside P10..P90 (Wuwei only). */
  rangeCoverage: number | null;
  /** Sum(P90 - P10) / sum(actual): how wide the range is against what was booked (Wuwei only). */
  rangeWidth: number | null;
}

export interface JudgedPair {
  actual: number;
  forecast: number;
  p10?: number;
  p90?: number;
}

/** Accuracy of one method over several periods (periods without an actual are not judged). */
export function methodAccuracy(method: string, pairs: JudgedPair[]): MethodAccuracy {
  const judged = pairs.filter((pair) => pair.actual > 0);
  const totalActual = judged.reduce((sum, pair) => sum + pair.actual, 0);
  const withRange = judged.filter((pair) => pair.p10 !== undefined && pair.p90 !== undefined);
  return {
    method,
    periods: judged.length,
    accuracy:
      judged.reduce((sum, pair) => sum + (1 - Math.abs(pair.actual - pair.forecast) / pair.actual), 0) / judged.length,
    bias: judged.reduce((sum, pair) => sum + (pair.forecast - pair.actual), 0) / totalActual,
    wape: judged.reduce((sum, pair) => sum + Math.abs(pair.actual - pair.forecast), 0) / totalActual,
    hitRate10:
      judged.filter((pair) => Math.abs(pair.actual - pair.forecast) <= 0.1 * pair.actual).length / judged.length,
    rangeCoverage:
      withRange.length > 0
        ? withRange.filter((pair) => pair.p10! <= pair.actual && pair.actual <= pair.p90!).length / withRange.length
        : null,
    rangeWidth:
      withRange.length > 0
        ? withRange.reduce((sum, pair) => sum + (pair.p90! - pair.p10!), 0) /
          withRange.reduce((sum, pair) => sum + pair.actual, 0)
        : null,
  };
}

/** The forecasts judged, by how each reads from a backtest row. */
export const BACKTEST_METHODS: Record<string, (row: BacktestRow) => JudgedPair> = {
  wuwei: (row) => ({ actual: row.actual, forecast: row.expected, p10: row.p10, p90: row.p90 }),
  weighted_pipeline: (row) => ({ actual: row.actual, forecast: row.won_to_date + row.weighted_pipeline }),
  rep_commit: (row) => ({ actual: row.actual, forecast: row.won_to_date + row.rep_commit }),
  rep_best_case: (row) => ({ actual: row.actual, forecast: row.won_to_date + row.rep_best_case }),
  // Wuwei's parts, each against its own actual: the open deals and the deals not created yet.
  wuwei_open_deals: (row) => ({ actual: row.actual_open, forecast: row.expected_open }),
  wuwei_new_deals: (row) => ({ actual: row.actual_new, forecast: row.expected_new }),
};

export interface AccuracyRow extends MethodAccuracy {
  segmentType: string;
  weeksIntoPeriod: number;
}

/** Every method judged per segment type and week of the quarter, pooling the segments of a type. */
export function accuracyTable(rows: BacktestRow[]): AccuracyRow[] {
  const groups = new Map<string, BacktestRow[]>();
  for (const row of rows) {
    const key = `${row.segment_type}|${row.weeks_into_period}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(row);
  }
  const table: AccuracyRow[] = [];
  for (const [key, group] of groups) {
    const [segmentType, weeks] = key.split('|');
    for (const [method, pairOf] of Object.entries(BACKTEST_METHODS)) {
      const judged = methodAccuracy(method, group.map(pairOf));
      if (judged.periods > 0) table.push({ ...judged, segmentType: segmentType!, weeksIntoPeriod: Number(weeks) });
    }
  }
  return table;
}
