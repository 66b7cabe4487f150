/**
 * Observation weights that make training look like scoring. A deal open at the scoring date is
 * seen at a random moment of its life. Training sees closed deals at chosen moments: a fixed age
 * (creation + k days, every `spacing` days), which samples a deal's life evenly, and every stage
 * entry, which does not: there the time in stage is always 0 and the deal has just moved. Left in
 * with equal weights, stage-entry rows teach the model that a fresh stage is normal, and every
 * open deal (typically weeks into its stage) then looks stalled: predictions for open deals came
 * out ~0.06 too low on generated data.
 *
 * So each observation stands for deal-days: every day of a deal's life from its first observation
 * to its close is counted once, in the stage the deal was in, by the observation of that stage
 * nearest to it in time (a stage entry stands for the first days of its stage, the fresh ones).
 * The weighted rows are then a sample of deal-days, as a snapshot of open deals is, and a row's
 * clocks (days in stage, age, days since the last activity) are on average those of the days it
 * stands for. Letting each observation stand for the days until the next one instead (the rule
 * until issue #18) gave a stage entry the whole gap to the next look: its 0 days in stage stood
 * for days 0 to 30, most of them from deals that were stalling, and open deals fresh in their stage
 * came out 0.04-0.06 below the generator's oracle (10,000-deal export, seed 7), the whole
 * forecast's open deals ×0.77-0.85 of what they won.
 * Weighing stage entries 0 and letting an observation at a fixed age count until the next
 * fixed-age one attributed the days of later stages to it: the first look (mostly in Prospecting)
 * of a deal that moved on fast weighed a month, and open Prospecting deals came out at 0.26
 * against the oracle's 0.13 on a 3,000-deal export.
 * Without a days-in-stage column each observation stands for the days until the next (or the close).
 */
import type { ClosedObservations } from './data.ts';

/** The feature that tells a stage-entry observation (0 days in the stage). */
export const DAYS_IN_STAGE_FEATURE = 'pbm_timing_days_in_stage';

/** One weight per row (all rows of `data`), mean 1. Rows of a deal must be consecutive and ordered by as_of (as readClosedObservations returns them). */
export function timeWeights(data: ClosedObservations): Float32Array {
  const n = data.rowCount;
  const daysInStage = data.features[data.featureNames.indexOf(DAYS_IN_STAGE_FEATURE)];
  // without the column every observation starts its own segment: it stands for the days until the next
  const startsSegment = (i: number) =>
    daysInStage === undefined ||
    daysInStage[i] === 0 ||
    i === 0 ||
    data.opportunityIds[i - 1] !== data.opportunityIds[i];
  const isStageEntry = (i: number) => daysInStage !== undefined && daysInStage[i] === 0;
  const asOf = (i: number) => data.closeDays[i]! - data.daysToClose[i]!;
  const weights = new Float32Array(n);
  let total = 0;
  // walk each deal backwards, remembering where the days of the next row of the same stage start
  let laterBoundary = Number.NaN;
  for (let i = n - 1; i >= 0; i--) {
    if (i === n - 1 || data.opportunityIds[i + 1] !== data.opportunityIds[i]) laterBoundary = data.closeDays[i]!;
    // this row stands for the days nearer to it than to its stage's other observations
    const earlierBoundary = startsSegment(i) ? asOf(i) : (asOf(i - 1) + asOf(i)) / 2;
    const days = laterBoundary - earlierBoundary;
    // a stage entered on the day the deal closed stands for no day
    const weight = Number.isFinite(days) ? Math.max(isStageEntry(i) ? 0 : 1, days) : 1;
    weights[i] = weight;
    total += weight;
    laterBoundary = earlierBoundary;
  }
  const mean = n > 0 && total > 0 ? total / n : 1;
  for (let i = 0; i < n; i++) weights[i]! /= mean;
  return weights;
}
