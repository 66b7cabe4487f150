/**
 * Observation weights that make training look like scoring. A deal open at the scoring date is
 * seen at a random moment of its life. Training sees closed deals at chosen moments: a fixed age
 * (creation + k days, every `spacing` days), which samples a deal's life evenly, and every stage
 * entry, which does not: there the time in stage is always 0 and the deal has just moved. Left in
 * with equal weights, stage-entry rows teach the model that a fresh stage is normal, and every
 * open deal (typically weeks into its stage) then looks stalled: predictions for open deals came
 * out ~0.06 too low on generated data.
 *
 * So each observation at a fixed age stands for the deal-days until the deal's next such
 * observation (or its close), and observations on the day a stage was entered get weight 0. The
 * weighted rows are then a sample of deal-days, as a snapshot of open deals is. Without a
 * days-in-stage column, every observation counts (still weighted by the days it stands for).
 * Each weight is then multiplied by the deal's survivor weight (below), so that the long deals a
 * history cut at the as-of date has not yet seen close count as often as they run.
 */
import type { ClosedObservations } from './data.ts';

/** The feature that tells a stage-entry observation (0 days in the stage). */
export const DAYS_IN_STAGE_FEATURE = 'pbm_timing_days_in_stage';

/** One weight per row (all rows of `data`), mean 1. Rows of a deal must be consecutive and ordered by as_of (as readClosedObservations returns them). */
export function timeWeights(data: ClosedObservations): Float32Array {
  const n = data.rowCount;
  const daysInStage = data.features[data.featureNames.indexOf(DAYS_IN_STAGE_FEATURE)];
  const isStageEntry = (i: number) => daysInStage !== undefined && daysInStage[i] === 0;
  const asOf = (i: number) => data.closeDays[i]! - data.daysToClose[i]!;
  const weights = new Float32Array(n);
  let total = 0;
  // walk each deal backwards, remembering when its next kept observation (or its close) is
  let nextKept = Number.NaN;
  for (let i = n - 1; i >= 0; i--) {
    if (i === n - 1 || data.opportunityIds[i + 1] !== data.opportunityIds[i]) nextKept = data.closeDays[i]!;
    let weight = 0;
    if (!isStageEntry(i)) {
      const days = nextKept - asOf(i);
      weight = Number.isFinite(days) ? Math.max(1, days) : 1;
      nextKept = asOf(i);
    }
    weights[i] = weight;
    total += weight;
  }
  const survivors = survivorWeights(data);
  total = 0;
  for (let i = 0; i < n; i++) {
    weights[i] = weights[i]! * survivors[i]!;
    total += weights[i]!;
  }
  const mean = n > 0 && total > 0 ? total / n : 1;
  for (let i = 0; i < n; i++) weights[i]! /= mean;
  return weights;
}

/** A deal as long as this share of the history (or longer) gets the weight of one this long: bounds the weights at 1 / (1 - share). */
export const MAX_CENSORED_SHARE = 0.8;

/**
 * Weights that undo the right-censoring of training: it sees only deals that closed by the as-of
 * date, and a deal that runs L days, created at a uniform moment of the W days of history, has
 * closed by then with probability (W - L) / W. Long deals (the full funnel, so mostly won, and
 * the late closers) are thus under-represented, most of all on a short history: with a year of
 * history, a 200-day deal is seen less than half as often as it runs. Each of a deal's rows gets
 * W / (W - L) (inverse probability of being observed), L measured from its first observation to
 * its close, W from the first observation in the data to the last close (the as-of date).
 */
export function survivorWeights(data: ClosedObservations): Float64Array {
  const n = data.rowCount;
  const weights = new Float64Array(n).fill(1);
  if (n === 0) return weights;
  const observedOn = (i: number) => data.closeDays[i]! - data.daysToClose[i]!;
  let first = Infinity;
  let last = -Infinity;
  for (let i = 0; i < n; i++) {
    first = Math.min(first, observedOn(i));
    last = Math.max(last, data.closeDays[i]!);
  }
  const history = last - first;
  if (!(history > 0)) return weights;
  // rows of a deal are consecutive and ordered by as_of: its first row is where it starts
  let start = 0;
  for (let i = 0; i < n; i++) {
    if (i > 0 && data.opportunityIds[i] !== data.opportunityIds[i - 1]) start = i;
    const length = data.closeDays[i]! - observedOn(start);
    weights[i] = 1 / (1 - Math.min(Math.max(length, 0) / history, MAX_CENSORED_SHARE));
  }
  return weights;
}
