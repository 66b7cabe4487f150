import { describe, expect, it } from 'vitest';
import { applyPlatt, fitPlatt, sigmoid } from '../../models/calibration.ts';
import { Random } from '../../pipeline/base/random.ts';
import {
  fitPreprocessing,
  inputColumnNames,
  inputColumnsOf,
  transform,
  typicalInputs,
} from '../../models/win/preprocess.ts';
import type { ClosedObservations } from '../../models/win/data.ts';
import { DAYS_IN_STAGE_FEATURE, timeWeights } from '../../models/win/time-weights.ts';
import { splitByCloseDate } from '../../models/win/split.ts';

describe('preprocessing', () => {
  const names = ['amount', 'age', 'flat'];
  const columns = [
    Float32Array.from([1, 2, Number.NaN, 3, 1000]), // missing in training -> indicator
    Float32Array.from([10, 20, 30, 40, Number.NaN]), // complete in training rows 0..3, missing only later
    Float32Array.from([7, 7, 7, 7, 7]), // constant
  ];
  const trainingRows = Int32Array.from([0, 1, 2, 3]);
  const pre = fitPreprocessing(names, columns, trainingRows, 5);

  it('learns mean and std from the training rows only, ignoring missing values', () => {
    expect(pre.features[0]).toMatchObject({ name: 'amount', mean: 2, missingIndicator: true, missingShare: 0.25 });
    expect(pre.features[0]!.std).toBeCloseTo(Math.sqrt(2 / 3), 12);
    expect(pre.features[1]).toMatchObject({ mean: 25, missingIndicator: false });
    expect(pre.features[1]!.std).toBeCloseTo(Math.sqrt(125), 12);
    expect(pre.features[2]).toMatchObject({ mean: 7, std: 1 }); // no division by zero
    expect(inputColumnNames(pre)).toEqual(['amount', 'age', 'flat', 'amount__missing']);
    expect(inputColumnsOf(pre, 0)).toEqual([0, 3]);
    expect(inputColumnsOf(pre, 1)).toEqual([1]);
  });

  it('standardises, imputes the training mean, flags missing values and clips', () => {
    const matrix = transform(pre, columns);
    const row = (r: number) => Array.from(matrix.subarray(r * 4, r * 4 + 4));
    expect(row(0)[0]).toBeCloseTo(-1 / Math.sqrt(2 / 3), 6);
    expect(row(2)).toEqual([0, expect.closeTo(5 / Math.sqrt(125), 6), 0, 1]); // amount missing: mean (0) and flag
    expect(row(4)).toEqual([5, 0, 0, 0]); // 1000 clipped to 5; age missing but had no indicator in training
    expect(transform(pre, columns, Int32Array.from([4, 0]))).toEqual(Float32Array.from([...row(4), ...row(0)]));
  });

  it('survives a JSON round trip unchanged', () => {
    const copy = JSON.parse(JSON.stringify(pre));
    expect(transform(copy, columns)).toEqual(transform(pre, columns));
  });
});

describe('time split', () => {
  // ten deals closing on days 1..10, two observations each, alternating outcomes
  const deals = Array.from({ length: 10 }, (_, d) => d);
  const ids = deals.flatMap((d) => [`D${d}`, `D${d}`]);
  const days = deals.flatMap((d) => [d + 1, d + 1]);
  const labels = deals.flatMap((d) => [d % 2, d % 2]);

  it('holds out the most recent deals and validates on the most recent training deals', () => {
    const split = splitByCloseDate(ids, days, labels, { holdoutFraction: 0.2, validationFraction: 0.15 });
    expect(split.holdout).toMatchObject({ deals: 2, fromDay: 9, toDay: 10, wonDeals: 1, lostDeals: 1 });
    expect(split.validation).toMatchObject({ deals: 1, fromDay: 8, toDay: 8 });
    expect(split.fit).toMatchObject({ deals: 7, fromDay: 1, toDay: 7 });
    expect(Array.from(split.holdout.rows)).toEqual([16, 17, 18, 19]);
    expect(split.fit.rows.length + split.validation.rows.length + split.holdout.rows.length).toBe(20);
  });

  it('keeps deals that close on the same day, and all observations of a deal, in one split', () => {
    const tiedDays = deals.flatMap((d) => [Math.min(d, 7) + 1, Math.min(d, 7) + 1]); // deals 7, 8, 9 close on day 8
    const split = splitByCloseDate(ids, tiedDays, labels, { holdoutFraction: 0.1, validationFraction: 0.2 });
    expect(split.holdout.deals).toBe(3);
    for (const part of [split.fit, split.validation, split.holdout]) {
      const dealsInPart = new Set(Array.from(part.rows, (i) => ids[i]));
      for (const deal of dealsInPart) expect(ids.filter((id, i) => id === deal && !part.rows.includes(i))).toEqual([]);
    }
  });
});

describe('Platt scaling', () => {
  it('recovers the slope and intercept that generated the outcomes', () => {
    const random = new Random(11);
    const logits = Float32Array.from({ length: 20_000 }, () => 2 * random.normal());
    const labels = Float32Array.from(logits, (z) => (random.next() < sigmoid(0.5 * z - 1) ? 1 : 0));
    const { a, b } = fitPlatt(logits, labels);
    expect(a).toBeCloseTo(0.5, 1);
    expect(b).toBeCloseTo(-1, 1);
    expect(applyPlatt({ a, b }, [0])[0]).toBeCloseTo(sigmoid(b), 6);
  });

  it('stays finite when the logits separate the classes perfectly or are constant', () => {
    const separated = fitPlatt([-2, -1, 1, 2], [0, 0, 1, 1]);
    expect(Number.isFinite(separated.a) && Number.isFinite(separated.b)).toBe(true);
    const constant = fitPlatt([0.3, 0.3, 0.3, 0.3], [0, 0, 0, 1]);
    expect(sigmoid(constant.a * 0.3 + constant.b)).toBeCloseTo(0.25, 3);
  });
});

describe('categorical columns', () => {
  const stage = ['A', 'A', 'B', 'A', 'B', 'C', null, 'A'];
  const numbers = [Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8])];
  const rows = Int32Array.from([0, 1, 2, 3, 4, 5, 6]); // row 7 is not training
  const pre = fitPreprocessing(['x'], numbers, rows, 5, { names: ['stage'], columns: [stage], minLevelCount: 2 });

  it('one-hot encodes levels seen often enough in training and buckets the rest (rare, unseen, missing)', () => {
    expect(pre.categorical).toEqual([{ name: 'stage', levels: ['A', 'B'], mode: 'A' }]);
    expect(inputColumnNames(pre)).toEqual(['x', 'stage=A', 'stage=B', 'stage=__other__']);
    expect(inputColumnsOf(pre, 1)).toEqual([1, 2, 3]);
    const matrix = transform(pre, {
      numeric: [Float32Array.from([4, 4, 4, 4, 4])],
      categorical: [['A', 'B', 'C', null, 'Z']],
    });
    const oneHot = (r: number) => Array.from(matrix.subarray(r * 4 + 1, r * 4 + 4));
    expect([0, 1, 2, 3, 4].map(oneHot)).toEqual([
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
      [0, 0, 1],
      [0, 0, 1],
    ]);
  });

  it('knows the typical deal: the median of a number, the most common level of a category', () => {
    expect(pre.features[0]!.median).toBe(4);
    expect(typicalInputs(pre, 0)).toEqual([0]); // the median 4 is the mean 4: 0 after standardising
    expect(typicalInputs(pre, 1)).toEqual([1, 0, 0]);
  });
});

describe('deal-day weights', () => {
  it('weigh each observation by the days nearest to it within its stage (or until the close)', () => {
    // deal A closes on day 50, observed on days 0 (age), 10 (stage entry), 30 (age); deal B closes on day 20, observed on day 5
    const data = {
      rowCount: 4,
      opportunityIds: ['A', 'A', 'A', 'B'],
      featureNames: [DAYS_IN_STAGE_FEATURE],
      features: [Float32Array.from([3, 0, 20, 5])],
      closeDays: Float64Array.from([50, 50, 50, 20]),
      daysToClose: Float32Array.from([50, 40, 20, 15]),
    } as unknown as ClosedObservations;
    const weights = timeWeights(data);
    // A's first look stands for days 0-10 only: from day 10 the deal is in its next stage. The stage entry stands
    // for days 10-20, the days nearer to it than to the look on day 30, which stands for days 20-50.
    const total = 10 + 10 + 30 + 15;
    expect(Array.from(weights)).toEqual([10, 10, 30, 15].map((days) => Math.fround((days * 4) / total)));
  });
});
