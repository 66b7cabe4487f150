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
  const mean = n > 0 && total > 0 ? total / n : 1;
  for (let i = 0; i < n; i++) weights[i]! /= mean;
  return weights;
}
