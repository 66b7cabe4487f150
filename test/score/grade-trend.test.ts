import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../pipeline/config/config.ts';
import { gradeOf, scoreFromProbability } from '../../pipeline/score/grade.ts';
import { trendOf } from '../../pipeline/score/trend.ts';

describe('grade', () => {
  const bands = { A: 70, B: 45, C: 20 };
  it('gives each score the highest grade whose lower bound it reaches', () => {
    expect([100, 70, 69, 45, 44, 20, 19, 0].map((score) => gradeOf(score, bands))).toEqual([
      'A',
      'A',
      'B',
      'B',
      'C',
      'C',
      'D',
      'D',
    ]);
  });
  it('follows configured bands', () => {
    expect(gradeOf(80, { A: 90, B: 80, C: 10 })).toBe('B');
    expect(gradeOf(9, { A: 90, B: 80, C: 10 })).toBe('D');
  });
  it('uses the documented default bands', () => {
    expect(defaultConfig().grades).toEqual({ A: 70, B: 45, C: 20 });
  });
  it('turns a probability into a 0-100 score', () => {
    expect([0, 0.004, 0.005, 0.42, 0.999, 1].map(scoreFromProbability)).toEqual([0, 0, 1, 42, 100, 100]);
  });
});

describe('trend', () => {
  it('is new without a previous score', () => {
    expect(trendOf(50, undefined, 5)).toBe('new');
    expect(trendOf(50, null, 5)).toBe('new');
  });
  it('needs a move of at least the threshold to be a trend', () => {
    expect(trendOf(55, 50, 5)).toBe('improving');
    expect(trendOf(54, 50, 5)).toBe('steady');
    expect(trendOf(46, 50, 5)).toBe('steady');
    expect(trendOf(45, 50, 5)).toBe('declining');
    expect(trendOf(50, 50, 5)).toBe('steady');
  });
  it('with a zero threshold, any move counts and no move is steady', () => {
    expect(trendOf(51, 50, 0)).toBe('improving');
    expect(trendOf(49, 50, 0)).toBe('declining');
    expect(trendOf(50, 50, 0)).toBe('steady');
  });
});
