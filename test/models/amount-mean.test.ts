import { describe, expect, it } from 'vitest';
import { amountsFromOutputs, meanAmountsFromOutputs } from '../../models/heads/amount.ts';
import { Random } from '../../pipeline/random.ts';

describe('expected amounts', () => {
  it('are the log-normal mean, not its median, so that summing them books what won deals really bring', () => {
    // Won amounts around a rep amount of 100: ln(final / 100) ~ N(0.1, 0.5). The model's output is the log-scale centre 0.1.
    const random = new Random(5);
    const sigma = 0.5;
    let total = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) total += 100 * Math.exp(0.1 + random.normal(0, sigma));
    const realised = total / n;
    const [median] = amountsFromOutputs([100], [0.1]);
    const [mean] = meanAmountsFromOutputs([100], [0.1], sigma);
    expect(Math.abs(mean! / realised - 1)).toBeLessThan(0.01);
    expect(median! / realised).toBeLessThan(0.9); // the median runs low by exp(-sigma^2 / 2) = 0.88
  });
});
