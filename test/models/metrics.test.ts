import { describe, expect, it } from 'vitest';
import {
  auc,
  averagePrecision,
  brierScore,
  calibrationTable,
  classificationMetrics,
  expectedCalibrationError,
  logLoss,
  rocCurve,
  thin,
} from '../../pipeline/base/metrics.ts';
import { Random } from '../../pipeline/base/random.ts';

// The classic four-point example (scikit-learn's docs): 3 of the 4 won/lost pairs are ordered right.
const SCORES = [0.1, 0.4, 0.35, 0.8];
const LABELS = [0, 0, 1, 1];

describe('auc', () => {
  it('counts correctly ordered won/lost pairs', () => {
    expect(auc(SCORES, LABELS)).toBeCloseTo(0.75, 12);
    expect(auc([0.1, 0.2, 0.3, 0.4], [0, 0, 1, 1])).toBe(1);
    expect(auc([0.4, 0.3, 0.2, 0.1], [0, 0, 1, 1])).toBe(0);
  });

  it('counts a tie between a won and a lost deal as one half', () => {
    // pairs: (0.6 won, 0.2 lost) 1, (0.6 won, 0.6 lost) 0.5, (0.9 won, both lost) 2 -> 3.5 / 4
    expect(auc([0.2, 0.6, 0.6, 0.9], [0, 0, 1, 1])).toBeCloseTo(0.875, 12);
    expect(auc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1])).toBeCloseTo(0.5, 12);
  });

  it('is NaN with one class only, and refuses NaN scores and length mismatches', () => {
    expect(auc([0.1, 0.2], [1, 1])).toBeNaN();
    expect(() => auc([0.1, Number.NaN], [0, 1])).toThrow(/NaN/);
    expect(() => auc([0.1], [0, 1])).toThrow(/1 predictions but 2 labels/);
  });

  it('equals the trapezoid area under the full ROC curve, ties included', () => {
    const random = new Random(5);
    const labels = Array.from({ length: 500 }, () => (random.next() < 0.4 ? 1 : 0));
    const scores = labels.map((y) => Math.round((y * 0.6 + random.next()) * 10) / 10); // many ties
    const curve = rocCurve(scores, labels, 10_000);
    let area = 0;
    for (let k = 1; k < curve.length; k++)
      area += ((curve[k]!.x - curve[k - 1]!.x) * (curve[k]!.y + curve[k - 1]!.y)) / 2;
    expect(auc(scores, labels)).toBeCloseTo(area, 12);
  });
});

describe('averagePrecision', () => {
  it('sums recall steps times precision', () => {
    // thresholds 0.8: P 1, R .5 | 0.4: P .5, R .5 | 0.35: P 2/3, R 1 -> .5 * 1 + .5 * 2/3
    expect(averagePrecision(SCORES, LABELS)).toBeCloseTo(0.5 + 1 / 3, 12);
  });

  it('takes tied scores as one step', () => {
    // 0.9: P 1, R .5 | 0.6 (one won, one lost): P 2/3, R 1 -> .5 + .5 * 2/3
    expect(averagePrecision([0.2, 0.6, 0.6, 0.9], [0, 0, 1, 1])).toBeCloseTo(0.5 + 1 / 3, 12);
    expect(averagePrecision([0.3, 0.3], [1, 0])).toBeCloseTo(0.5, 12);
    expect(averagePrecision([0.3, 0.3], [0, 0])).toBeNaN();
  });
});

describe('logLoss and brierScore', () => {
  it('match hand-computed values', () => {
    expect(logLoss([0.9, 0.2], [1, 0])).toBeCloseTo(-(Math.log(0.9) + Math.log(0.8)) / 2, 12);
    expect(logLoss([0.9, 0.2], [1, 0])).toBeCloseTo(0.164252033, 8);
    expect(brierScore([0.9, 0.2, 0.6], [1, 0, 0])).toBeCloseTo((0.01 + 0.04 + 0.36) / 3, 12);
  });

  it('clips certain mistakes to a finite cost', () => {
    expect(logLoss([0], [1])).toBeCloseTo(-Math.log(1e-6), 9);
    expect(logLoss([1], [1])).toBeCloseTo(-Math.log(1 - 1e-6), 9);
  });
});

describe('calibration', () => {
  const probabilities = [0.05, 0.15, 0.12, 0.95, 1.0];
  const labels = [0, 1, 0, 1, 1];

  it('bins probabilities in ten equal-width bins, 1.0 in the last', () => {
    const table = calibrationTable(probabilities, labels);
    expect(table).toHaveLength(10);
    expect(table[0]).toMatchObject({ lower: 0, upper: 0.1, n: 1, meanPredicted: 0.05, observedRate: 0 });
    expect(table[1]!.n).toBe(2);
    expect(table[1]!.meanPredicted).toBeCloseTo(0.135, 12);
    expect(table[1]!.observedRate).toBe(0.5);
    expect(table[9]!.n).toBe(2);
    expect(table[9]!.meanPredicted).toBeCloseTo(0.975, 12);
    expect(table[5]!.n).toBe(0);
    expect(table[5]!.meanPredicted).toBeNaN();
  });

  it('weighs each bin gap by its share of observations (ECE)', () => {
    // (1 * .05 + 2 * .365 + 2 * .025) / 5
    expect(expectedCalibrationError(probabilities, labels)).toBeCloseTo(0.166, 12);
    expect(expectedCalibrationError([0.25, 0.25, 0.25, 0.25], [0, 0, 0, 1])).toBeCloseTo(0, 12);
  });
});

describe('rocCurve', () => {
  it('steps through each distinct score from (0, 0) to (1, 1)', () => {
    expect(rocCurve(SCORES, LABELS)).toEqual([
      { x: 0, y: 0 },
      { x: 0, y: 0.5 },
      { x: 0.5, y: 0.5 },
      { x: 0.5, y: 1 },
      { x: 1, y: 1 },
    ]);
  });

  it('thins long curves to at most 200 points, keeping both ends and the order', () => {
    const random = new Random(9);
    const labels = Array.from({ length: 5000 }, () => (random.next() < 0.5 ? 1 : 0));
    const scores = labels.map((y) => y * 0.3 + random.next());
    const curve = rocCurve(scores, labels);
    expect(curve.length).toBeLessThanOrEqual(200);
    expect(curve[0]).toEqual({ x: 0, y: 0 });
    expect(curve.at(-1)).toEqual({ x: 1, y: 1 });
    for (let k = 1; k < curve.length; k++) {
      expect(curve[k]!.x).toBeGreaterThanOrEqual(curve[k - 1]!.x);
      expect(curve[k]!.y).toBeGreaterThanOrEqual(curve[k - 1]!.y);
    }
    expect(thin([1, 2, 3, 4, 5], 3)).toEqual([1, 3, 5]);
  });
});

it('classificationMetrics gathers the five headline metrics', () => {
  const metrics = classificationMetrics([0.9, 0.2, 0.6, 0.4], [1, 0, 0, 1]);
  expect(metrics.auc).toBeCloseTo(0.75, 12);
  expect(metrics.brier).toBeCloseTo((0.01 + 0.04 + 0.36 + 0.36) / 4, 12);
  expect(Object.keys(metrics).sort()).toEqual(['auc', 'brier', 'ece', 'logLoss', 'prAuc']);
});
