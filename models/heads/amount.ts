/**
 * The deal-size model: the amount a deal closes at if won, learned from won deals as a correction
 * to the rep's amount on the log scale, target = ln(final amount / reference), where the reference
 * is the rep-entered amount at the observation (or, when the rep entered none, the median won
 * amount of the fit split). Prediction = reference x exp(output), the median on the log scale.
 * Judged on the won holdout deals against the rep amount itself: WAPE and median APE.
 */
import type { ClosedObservations, Observations } from '../win/data.ts';
import { amountMetrics, median, type AmountMetrics } from '../regression-metrics.ts';

export interface AmountHead {
  /** Reference amount for deals without a rep amount. */
  fallbackAmount: number;
  /** Standard deviation of the log-scale residuals on the validation split. */
  logSigma: number;
}

export interface AmountEvaluation {
  model: AmountMetrics;
  /** The rep-entered amount at the same observations. */
  baseline: AmountMetrics;
}

/** Won rows of `rows` with a usable final amount: the rows the deal-size model learns from. */
export function wonRowsWithAmount(data: ClosedObservations, rows: Int32Array): Int32Array {
  return rows.filter((i) => data.labels[i] === 1 && data.finalAmount[i]! > 0);
}

export function fallbackAmountOf(data: ClosedObservations, wonFitRows: Int32Array): number {
  const amount = median(Array.from(wonFitRows, (i) => data.finalAmount[i]!));
  return Number.isFinite(amount) && amount > 0 ? amount : 1;
}

/** The reference amount of each of `rows`. */
export function referenceAmounts(data: Observations, rows: Int32Array | null, fallbackAmount: number): Float64Array {
  const n = rows ? rows.length : data.rowCount;
  const reference = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const rep = data.repAmount[rows ? rows[r]! : r]!;
    reference[r] = rep > 0 ? rep : fallbackAmount;
  }
  return reference;
}

export function amountTargets(data: ClosedObservations, rows: Int32Array, fallbackAmount: number): Float32Array {
  const reference = referenceAmounts(data, rows, fallbackAmount);
  return Float32Array.from(rows, (i, r) => Math.log(data.finalAmount[i]! / reference[r]!));
}

export function amountsFromOutputs(reference: ArrayLike<number>, outputs: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: reference.length }, (_, r) => reference[r]! * Math.exp(outputs[r]!));
}

export function evaluateAmounts(
  predicted: ArrayLike<number>,
  data: ClosedObservations,
  rows: Int32Array,
): AmountEvaluation {
  const actual = Float64Array.from(rows, (i) => data.finalAmount[i]!);
  const rep = Float64Array.from(rows, (i) => data.repAmount[i]!);
  return { model: amountMetrics(predicted, actual), baseline: amountMetrics(rep, actual) };
}
