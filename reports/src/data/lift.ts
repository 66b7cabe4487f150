/**
 * Lift by decile from an ROC curve and the base rate: taking the top share d of deals by score
 * flags tpr·π + fpr·(1−π) of them, so d(t) = π·tpr + (1−π)·fpr and lift = tpr / d. Linear
 * interpolation between ROC points is what random tie-breaking gives, so ties (the stage baseline
 * has five values) are handled honestly.
 */
import type { CurvePoint, LiftPoint, ModelName } from '../components/types.ts';

export const DEPTHS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];

export function liftFromRoc(roc: CurvePoint[], baseRate: number): LiftPoint[] {
  const lift: LiftPoint[] = [];
  for (const model of [...new Set(roc.map((p) => p.model))] as ModelName[]) {
    const curve = roc
      .filter((p) => p.model === model)
      .map((p) => ({ depth: baseRate * p.y + (1 - baseRate) * p.x, tpr: p.y }))
      .sort((a, b) => a.depth - b.depth || a.tpr - b.tpr);
    if (curve.length < 2) continue;
    for (const depth of DEPTHS) {
      const upper = curve.findIndex((p) => p.depth >= depth);
      if (upper < 0) continue;
      const hi = curve[upper]!;
      const lo = curve[Math.max(0, upper - 1)]!;
      const t = hi.depth === lo.depth ? 1 : (depth - lo.depth) / (hi.depth - lo.depth);
      const tpr = lo.tpr + t * (hi.tpr - lo.tpr);
      lift.push({ model, depth, lift: tpr / depth });
    }
  }
  return lift;
}

/** The holdout win rate from calibration bins: Σ n·observed / Σ n. */
export function baseRateFromCalibration(bins: CurvePoint[]): number | null {
  const total = bins.reduce((sum, bin) => sum + bin.n, 0);
  return total > 0 ? bins.reduce((sum, bin) => sum + bin.n * bin.y, 0) / total : null;
}
