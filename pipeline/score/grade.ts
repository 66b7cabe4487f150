/**
 * Grade A–D from the 0–100 score, by configurable lower bounds (as Dynamics 365 shows it): a score
 * at or above A's bound is A, at or above B's is B, at or above C's is C, anything lower is D.
 */
import type { GradeBands } from '../config/config.ts';

export type Grade = 'A' | 'B' | 'C' | 'D';

export function scoreFromProbability(winProbability: number): number {
  return Math.round(100 * winProbability);
}

export function gradeOf(score: number, bands: GradeBands): Grade {
  if (score >= bands.A) return 'A';
  if (score >= bands.B) return 'B';
  if (score >= bands.C) return 'C';
  return 'D';
}
