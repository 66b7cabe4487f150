/**
 * The close-timing model: days from an observation's as-of date to the deal's close if it is won
 * (trained on won deals), as a log-normal. The network predicts mu = mean of ln(days) (days below 1
 * count as 1); the validation split's residuals give the spread, by how far away mu is
 * (horizon-spread.ts), and one sigma over all of them for models saved before it. The chance of
 * closing within d days is Phi((ln d - mu - shift) / sigma).
 * Judged on the holdout against the rep-entered close date (days from as-of to it, 0 when overdue):
 * mean absolute error in days, the calibration of "closes within 90 days", and the expected
 * against the observed closes within a week (the short horizon a quarter's last week needs).
 */
import type { ClosedObservations } from '../win/data.ts';
import { expectedCalibrationError, brierScore } from '../../pipeline/base/metrics.ts';
import { durationMetrics, type DurationMetrics } from '../regression-metrics.ts';
import { closeTimingAt, type HorizonSpread } from './horizon-spread.ts';

export interface CloseHead {
  logSigma: number;
  /** Absent in models saved before it: then logSigma is every deal's sigma. */
  spread?: HorizonSpread | null;
}

export interface CloseEvaluation {
  model: DurationMetrics;
  /** The rep-entered close date at the same observations. */
  baseline: DurationMetrics;
  /** "Closes within `horizonDays` days": Brier score and ECE of the model's probabilities. */
  within: { horizonDays: number; brier: number; ece: number; observedRate: number };
  /** Closes within `horizonDays` days summed over the holdout: expected by the model, and observed. */
  withinWeek: { horizonDays: number; expected: number; observed: number };
}

export const CALIBRATION_HORIZON_DAYS = 90;
export const WEEK_HORIZON_DAYS = 7;

export function closeTargets(data: ClosedObservations, rows: Int32Array): Float32Array {
  return Float32Array.from(rows, (i) => Math.log(Math.max(1, data.daysToClose[i]!)));
}

/** Root mean square of (target - output): the log-normal's sigma. */
export function residualSigma(targets: ArrayLike<number>, outputs: ArrayLike<number>): number {
  let squares = 0;
  for (let i = 0; i < targets.length; i++) squares += (targets[i]! - outputs[i]!) ** 2;
  return targets.length > 0 ? Math.sqrt(squares / targets.length) : 1;
}

/** P(close within `days` days) of a log-normal with log-median mu and sigma. */
export function probabilityWithin(days: number, mu: number, sigma: number): number {
  return normalCdf((Math.log(Math.max(days, 1e-9)) - mu) / sigma);
}

export function evaluateClose(
  outputs: ArrayLike<number>,
  head: CloseHead,
  data: ClosedObservations,
  rows: Int32Array,
): CloseEvaluation {
  const actual = Float64Array.from(rows, (i) => data.daysToClose[i]!);
  const timing = Array.from(outputs, (mu) => closeTimingAt(head, mu));
  const medians = Float64Array.from(timing, (t) => t.median);
  const rep = Float64Array.from(rows, (i) => Math.max(0, data.repCloseDays[i]!));
  const within = (days: number) => ({
    probabilities: Float64Array.from(timing, (t) => probabilityWithin(days, Math.log(t.median), t.logSigma)),
    observed: Float64Array.from(actual, (d) => (d <= days ? 1 : 0)),
  });
  const horizon = within(CALIBRATION_HORIZON_DAYS);
  const week = within(WEEK_HORIZON_DAYS);
  const sum = (values: Float64Array) => values.reduce((total, v) => total + v, 0);
  return {
    model: durationMetrics(medians, actual),
    baseline: durationMetrics(rep, actual),
    within: {
      horizonDays: CALIBRATION_HORIZON_DAYS,
      brier: brierScore(horizon.probabilities, horizon.observed),
      ece: expectedCalibrationError(horizon.probabilities, horizon.observed),
      observedRate: sum(horizon.observed) / Math.max(1, rows.length),
    },
    withinWeek: {
      horizonDays: WEEK_HORIZON_DAYS,
      expected: sum(week.probabilities),
      observed: sum(week.observed),
    },
  };
}

/** Standard normal CDF (Abramowitz and Stegun 7.1.26 on erf; error below 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}
