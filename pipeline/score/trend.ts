/**
 * A deal's trend against its score in the previous run: a move of at least `threshold` points
 * (default 5, configurable) up is improving, down is declining, smaller is steady; a deal the
 * previous run did not score is new. Points, not probability ratios, so small deals near 0 do not
 * flicker between improving and declining.
 */
export type Trend = 'improving' | 'steady' | 'declining' | 'new';

export function trendOf(score: number, previousScore: number | null | undefined, threshold: number): Trend {
  if (previousScore === null || previousScore === undefined || Number.isNaN(previousScore)) return 'new';
  const change = score - previousScore;
  if (change > 0 && change >= threshold) return 'improving';
  if (change < 0 && change <= -threshold) return 'declining';
  return 'steady';
}
