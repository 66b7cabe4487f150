/**
 * Judging a model: the same metrics and curves for the model and for the CRM's stage probability
 * (the baseline every forecast already has), on the same rows.
 */
import {
  calibrationTable,
  classificationMetrics,
  rocCurve,
  type ClassificationMetrics,
} from '../../pipeline/base/metrics.ts';

export type CurveModel = 'wuwei' | 'stage_baseline';

/** One row of the `model_curves` table (without the version). */
export interface CurveRow {
  model: CurveModel;
  curve: 'roc' | 'calibration';
  x: number;
  y: number;
  /** Observations in the calibration bin; null for ROC points. */
  n: number | null;
}

export interface Evaluation {
  model: ClassificationMetrics;
  baseline: ClassificationMetrics;
  curves: CurveRow[];
}

export function evaluate(
  probabilities: ArrayLike<number>,
  baselineProbabilities: ArrayLike<number>,
  labels: ArrayLike<number>,
): Evaluation {
  return {
    model: classificationMetrics(probabilities, labels),
    baseline: classificationMetrics(baselineProbabilities, labels),
    curves: [...curvesOf('wuwei', probabilities, labels), ...curvesOf('stage_baseline', baselineProbabilities, labels)],
  };
}

/** ROC points (at most 200) and the non-empty bins of the 10-bin calibration table. */
export function curvesOf(model: CurveModel, probabilities: ArrayLike<number>, labels: ArrayLike<number>): CurveRow[] {
  const roc = rocCurve(probabilities, labels, 200).map(
    (point): CurveRow => ({ model, curve: 'roc', x: point.x, y: point.y, n: null }),
  );
  const calibration = calibrationTable(probabilities, labels, 10)
    .filter((bin) => bin.n > 0)
    .map((bin): CurveRow => ({ model, curve: 'calibration', x: bin.meanPredicted, y: bin.observedRate, n: bin.n }));
  return [...roc, ...calibration];
}

/**
 * The baseline's probability per row: the stage probability, clipped to [0, 1]; where the CRM gave
 * none, the training win rate (a forecast with no information about the deal).
 */
export function baselineProbabilities(
  stageProbability: Float32Array,
  rows: Int32Array,
  fallback: number,
): Float32Array {
  const out = new Float32Array(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const p = stageProbability[rows[r]!]!;
    out[r] = Number.isFinite(p) ? Math.min(1, Math.max(0, p)) : fallback;
  }
  return out;
}
