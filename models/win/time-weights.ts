/**
 * Observation weights that make training look like scoring. A deal open at the scoring date is
 * seen at a random moment of its life. Training sees closed deals at chosen moments: a fixed age
 * (creation + k days, every `spacing` days), which samples a deal's life evenly, and every stage
 * entry, which does not: there the time in stage is always 0 and the deal has just moved. Left in
 * with equal weights, stage-entry rows teach the model that a fresh stage is normal, and every
 * open deal (typically weeks into its stage) then looks stalled: predictions for open deals came
 * out ~0.06 too low on generated data.
 *
 * So each observation stands for the deal-days until the deal's next observation of any kind (or
 * its close): every day is counted once, in the stage the deal was in, and a stage entry stands
 * for the first days of its stage (the fresh ones). The weighted rows are then a sample of
 * deal-days, as a snapshot of open deals is. Weighing stage entries 0 and letting an observation
 * at a fixed age count until the next fixed-age one instead attributed the days of later stages to
 * it: the first look (mostly in Prospecting) of a deal that moved on fast weighed a month, and open
 * Prospecting deals came out at 0.26 against the oracle's 0.13 on a 3,000-deal export (open-deal
 * ECE against the oracle 0.053 / 0.066 / 0.084 on seeds 1-3; 0.037 / 0.070 / 0.035 after, and
 * 0.030 / 0.048 / 0.037 with calibration cross-fitted: models/win/cross-fit-calibration.ts).
 * Without a days-in-stage column, every observation counts (still weighted by the days it stands for).
 */
import type { ClosedObservations } from './data.ts';

/** The feature that tells a stage-entry observation (0 days in the stage). */
export const DAYS_IN_STAGE_FEATURE = 'pbm_timing_days_in_stage';

/** One weight per row (all rows of `data`), mean 1. Rows of a deal must be consecutive and ordered by as_of (as readClosedObservations returns them). */
export function timeWeights(data: ClosedObservations): Float32Array {
  if (process.env['WUWEI_NEAREST'] !== '0') return nearestObservationWeights(data);
  const n = data.rowCount;
  const daysInStage = data.features[data.featureNames.indexOf(DAYS_IN_STAGE_FEATURE)];
  const isStageEntry = (i: number) => daysInStage !== undefined && daysInStage[i] === 0;
  const asOf = (i: number) => data.closeDays[i]! - data.daysToClose[i]!;
  const weights = new Float32Array(n);
  let total = 0;
  // walk each deal backwards, remembering when its next observation (or its close) is
  let nextObserved = Number.NaN;
  for (let i = n - 1; i >= 0; i--) {
    if (i === n - 1 || data.opportunityIds[i + 1] !== data.opportunityIds[i]) nextObserved = data.closeDays[i]!;
    const days = nextObserved - asOf(i);
    // a stage entered on the day the deal closed stands for no day
    const weight = Number.isFinite(days) ? Math.max(isStageEntry(i) ? 0 : 1, days) : 1;
    nextObserved = asOf(i);
    weights[i] = weight;
    total += weight;
  }
  return normalised(weights, total);
}

function nearestObservationWeights(data: ClosedObservations): Float32Array {
  const n = data.rowCount;
  const daysInStage = data.features[data.featureNames.indexOf(DAYS_IN_STAGE_FEATURE)];
  const isStageEntry = (i: number) => daysInStage !== undefined && daysInStage[i] === 0;
  const asOf = (i: number) => data.closeDays[i]! - data.daysToClose[i]!;
  const weights = new Float32Array(n);
  let total = 0;
  // walk each deal backwards; a stage's days end at the next stage entry (or the close)
  let stageEnd = Number.NaN;
  let laterBoundary = Number.NaN; // where the days of the row after this one (same stage) start
  for (let i = n - 1; i >= 0; i--) {
    const lastOfDeal = i === n - 1 || data.opportunityIds[i + 1] !== data.opportunityIds[i];
    if (lastOfDeal) {
      stageEnd = data.closeDays[i]!;
      laterBoundary = stageEnd;
    }
    const firstOfStage = isStageEntry(i) || i === 0 || data.opportunityIds[i - 1] !== data.opportunityIds[i];
    // this row stands for the days nearer to it than to the stage's other observations
    const earlierBoundary = firstOfStage ? asOf(i) : (asOf(i - 1) + asOf(i)) / 2;
    const days = laterBoundary - earlierBoundary;
    const weight = Number.isFinite(days) ? Math.max(isStageEntry(i) ? 0 : 1, days) : 1;
    weights[i] = weight;
    total += weight;
    laterBoundary = earlierBoundary;
    if (isStageEntry(i)) {
      stageEnd = asOf(i);
      laterBoundary = stageEnd;
    }
  }
  return normalised(weights, total);
}

function normalised(weights: Float32Array, total: number): Float32Array {
  const n = weights.length;
  const mean = n > 0 && total > 0 ? total / n : 1;
  for (let i = 0; i < n; i++) weights[i]! /= mean;
  return weights;
}
