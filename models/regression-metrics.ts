/**
 * Metrics for amounts and durations as pure functions over parallel arrays, predictions first,
 * actuals second. Rows where either is missing (NaN) are left out and counted.
 */

export interface AmountMetrics {
  /** Weighted absolute percentage error: sum |predicted - actual| / sum actual. */
  wape: number;
  /** Median of |predicted - actual| / actual. */
  medianApe: number;
  n: number;
}

export interface DurationMetrics {
  /** Mean absolute error in days. */
  maeDays: number;
  /** Median absolute error in days. */
  medianAeDays: number;
  n: number;
}

export function amountMetrics(predicted: ArrayLike<number>, actual: ArrayLike<number>): AmountMetrics {
  let errors = 0;
  let total = 0;
  const ape: number[] = [];
  for (let i = 0; i < actual.length; i++) {
    const p = predicted[i]!;
    const a = actual[i]!;
    if (!Number.isFinite(p) || !Number.isFinite(a) || a <= 0) continue;
    errors += Math.abs(p - a);
    total += a;
    ape.push(Math.abs(p - a) / a);
  }
  return { wape: total > 0 ? errors / total : Number.NaN, medianApe: median(ape), n: ape.length };
}

export function durationMetrics(predicted: ArrayLike<number>, actual: ArrayLike<number>): DurationMetrics {
  const errors: number[] = [];
  for (let i = 0; i < actual.length; i++) {
    const p = predicted[i]!;
    const a = actual[i]!;
    if (Number.isFinite(p) && Number.isFinite(a)) errors.push(Math.abs(p - a));
  }
  const mae = errors.length > 0 ? errors.reduce((sum, e) => sum + e, 0) / errors.length : Number.NaN;
  return { maeDays: mae, medianAeDays: median(errors), n: errors.length };
}

export function median(values: ArrayLike<number>): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
