import { describe, expect, it } from 'vitest';
import { censoringWeights, DEAL_AGE_FEATURE, MIN_CLOSED_SHARE } from '../../models/win/censoring-weights.ts';
import type { ClosedObservations } from '../../models/win/data.ts';

describe('censoring weights', () => {
  // 100 deals known at the cut, created on days 0..99; the split ends on day 100
  const createdDays = Float64Array.from({ length: 100 }, (_, day) => day);
  // deal S: created day 10, closed day 20 (10 days); deal L: created day 5, closed day 55 (50 days), seen twice;
  // deal X: created day 2, closed day 92 (90 days)
  const data = {
    rowCount: 4,
    opportunityIds: ['S', 'L', 'L', 'X'],
    featureNames: [DEAL_AGE_FEATURE],
    features: [Float32Array.from([0, 3, 33, 0])],
    closeDays: Float64Array.from([20, 55, 55, 92]),
    daysToClose: Float32Array.from([10, 47, 17, 90]),
  } as unknown as ClosedObservations;

  it('weigh a deal by 1 / the share of deals created early enough for its duration to have ended by the split end', () => {
    const weights = censoringWeights(data, createdDays, () => 100);
    // a 10-day deal had closed by day 100 if created by day 90: 91 of 100 deals; a 50-day one: 51 of 100
    expect(weights[0]).toBeCloseTo(100 / 91, 5);
    expect(weights[1]).toBeCloseTo(100 / 51, 5);
    expect(weights[2]).toBe(weights[1]); // every observation of a deal weighs the same
    // a 90-day deal: 11 of 100, capped
    expect(weights[3]).toBeCloseTo(1 / MIN_CLOSED_SHARE, 5);
  });

  it('take each row at its own split end, and weigh nothing without creation dates', () => {
    const weights = censoringWeights(data, createdDays, (row) => (row === 0 ? 50 : 100));
    // of the 51 deals created by day 50, 41 were created by day 40
    expect(weights[0]).toBeCloseTo(51 / 41, 5);
    expect(Array.from(censoringWeights(data, new Float64Array(0), () => 100))).toEqual([1, 1, 1, 1]);
  });
});
