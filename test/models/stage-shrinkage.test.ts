import { describe, expect, it } from 'vitest';
import { Random } from '../../pipeline/base/random.ts';
import { applyStageShrinkage, fitStageShrinkage, levelsInMatrix } from '../../models/win/stage-shrinkage.ts';
import { fitPreprocessing, transform } from '../../models/win/preprocess.ts';

/**
 * Deals at three stages whose true win rates are 0.2, 0.5 and 0.8. A "model" that knows each deal's
 * own probability needs no shrinkage; one that is pure noise around 0.5 is best replaced by the
 * stage rates; and the blend leaves a stage with many deals closer to the model than a thin one.
 */
function deals(seed: number, noisyModel: boolean) {
  const random = new Random(seed);
  const n = 3000;
  const levels = new Int32Array(n);
  const labels = new Float32Array(n);
  const outOfFold = new Float32Array(n);
  const foldOf = new Int32Array(n);
  const opportunityIds: string[] = [];
  const rates = [0.2, 0.5, 0.8];
  for (let i = 0; i < n; i++) {
    levels[i] = i % 3;
    const own = Math.min(0.95, Math.max(0.05, rates[i % 3]! + random.uniform(-0.15, 0.15)));
    labels[i] = random.bernoulli(own) ? 1 : 0;
    outOfFold[i] = noisyModel ? random.uniform(0.3, 0.7) : own;
    foldOf[i] = i % 5;
    opportunityIds.push(`O${i}`);
  }
  return { levels, levelCount: 4, labels, outOfFold, foldOf, folds: 5, opportunityIds };
}

describe('shrinkage towards the stage baseline', () => {
  it('chooses no shrinkage for a model that knows each deal, and strong shrinkage for noise', () => {
    expect(fitStageShrinkage(deals(1, false)).strength).toBe(0);
    const noise = fitStageShrinkage(deals(1, true));
    expect(noise.strength).toBeGreaterThanOrEqual(1000);
    expect(noise.baselines.slice(0, 3).map((b) => Math.round(b.rate * 10) / 10)).toEqual([0.2, 0.5, 0.8]);
    expect(noise.baselines[3]).toEqual({ rate: expect.closeTo(0.5, 1), deals: 0 });
  });

  it('moves a thin stage further towards its rate than a stage with many deals', () => {
    const shrinkage = {
      column: 'stage',
      strength: 100,
      baselines: [
        { rate: 0.2, deals: 1000 },
        { rate: 0.2, deals: 10 },
      ],
    };
    const [many, thin] = applyStageShrinkage(shrinkage, Float32Array.from([0.6, 0.6]), Int32Array.from([0, 1]));
    expect(many).toBeCloseTo((1000 / 1100) * 0.6 + (100 / 1100) * 0.2, 5);
    expect(thin).toBeCloseTo((10 / 110) * 0.6 + (100 / 110) * 0.2, 5);
  });

  it('reads each row’s stage from the one-hot block of the input matrix, rare and missing stages as other', () => {
    const stages = [...Array(30).fill('Proposal'), ...Array(30).fill('Discovery'), 'Rare', null];
    const preprocessing = fitPreprocessing(
      ['x'],
      [new Float32Array(stages.length)],
      Int32Array.from(stages.keys()),
      5,
      { names: ['stage'], columns: [stages] },
    );
    const matrix = transform(preprocessing, { numeric: [new Float32Array(stages.length)], categorical: [stages] });
    const found = levelsInMatrix(preprocessing, matrix)!;
    expect(found.levelCount).toBe(3);
    expect([found.levels[0], found.levels[30], found.levels[60], found.levels[61]]).toEqual([1, 0, 2, 2]); // equal counts: by name
    expect(
      levelsInMatrix(fitPreprocessing(['x'], [new Float32Array(2)], Int32Array.from([0, 1])), new Float32Array(2)),
    ).toBeNull();
  });
});
