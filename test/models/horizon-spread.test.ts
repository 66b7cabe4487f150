import { describe, expect, it } from 'vitest';
import { Random } from '../../pipeline/base/random.ts';
import { normalCdf, residualSigma } from '../../models/heads/close.ts';
import { closeTimingAt, fitHorizonSpread, spreadAt } from '../../models/heads/horizon-spread.ts';

/**
 * Closes as the generator's won deals give them: those the network puts near (ln days small) scatter
 * widely on the log scale and close sooner than it says, far ones scatter little and close later. The
 * residuals average zero, as a fitted level makes them.
 */
function heteroscedasticCloses(n: number, seed: number) {
  const random = new Random(seed);
  const outputs = new Float32Array(n);
  const targets = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const mu = random.uniform(Math.log(10), Math.log(150));
    const nearness = (Math.log(150) - mu) / (Math.log(150) - Math.log(10)); // 1 near, 0 far
    outputs[i] = mu;
    targets[i] = mu - 0.4 * (nearness - 0.5) + (0.25 + 0.6 * nearness) * random.normal();
  }
  return { outputs, targets };
}

describe('the close-timing spread by horizon', () => {
  const validation = heteroscedasticCloses(8000, 1);
  const holdout = heteroscedasticCloses(8000, 2);
  const spread = fitHorizonSpread(validation.targets, validation.outputs)!;

  it('learns a wider, earlier log-normal for deals the network puts near than for far ones', () => {
    expect(spread.mu).toHaveLength(8);
    expect([...spread.mu].sort((a, b) => a - b)).toEqual(spread.mu);
    expect(spread.sigma[0]).toBeGreaterThan(0.65);
    expect(spread.sigma[7]).toBeLessThan(0.4);
    expect(spread.shift[0]).toBeLessThan(spread.shift[7]! - 0.15);
    // the shifts are centred: the level stays the level's job
    expect(spread.shift.reduce((sum, s) => sum + s, 0) / spread.shift.length).toBeCloseTo(0, 2);
  });

  it('expects as many closes within a week as happen, where one sigma for all books about half', () => {
    const observed = holdout.targets.filter((t) => t <= Math.log(7)).length;
    const sigma = residualSigma(validation.targets, validation.outputs);
    let single = 0;
    let byHorizon = 0;
    for (const mu of holdout.outputs) {
      single += normalCdf((Math.log(7) - mu) / sigma);
      const timing = closeTimingAt({ logSigma: sigma, spread }, mu);
      byHorizon += normalCdf((Math.log(7) - Math.log(timing.median)) / timing.logSigma);
    }
    expect(observed).toBeGreaterThan(500);
    expect(Math.abs(byHorizon / observed - 1)).toBeLessThan(0.1);
    expect(single / observed).toBeLessThan(0.75);
  });

  it('interpolates between bin centres, holds beyond them, and leaves models without a spread as they were', () => {
    const between = spreadAt(spread, (spread.mu[2]! + spread.mu[3]!) / 2);
    expect(between.sigma).toBeCloseTo((spread.sigma[2]! + spread.sigma[3]!) / 2, 9);
    expect(spreadAt(spread, -10)).toEqual({ shift: spread.shift[0], sigma: spread.sigma[0] });
    expect(spreadAt(spread, 10)).toEqual({ shift: spread.shift[7], sigma: spread.sigma[7] });
    expect(closeTimingAt({ logSigma: 0.5 }, Math.log(30))).toEqual({ median: 30.000000000000004, logSigma: 0.5 });
    expect(fitHorizonSpread(new Float32Array(499), new Float32Array(499))).toBeNull();
  });
});
