/**
 * The models stage: TensorFlow.js win-probability, deal-size and close-timing models trained on
 * closed-deal observations, judged on a time-based holdout against the CRM's own numbers, saved as
 * versioned folders and registered in DuckDB. Everything else under models/ is internal.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { activeModelAuc } from './win/registry.ts';
import { trainModels as trainModelsWith, type TrainOutcome } from './train-models.ts';
import type { TrainWinOptions } from './win/train.ts';

export { selectBackend, type BackendName } from './backend.ts';
export { trainWinModel, type TrainWinOptions, type TrainResult, type WinMetrics } from './win/train.ts';
export { predictWin, type WinPredictions } from './win/predict.ts';
export { quickEvaluate, type QuickEvaluationResult } from './win/quick-evaluate.ts';
export { loadModel, type WinModel, type WinMetadata } from './win/artifacts.ts';
export { activateModel, listModels, loadActiveModel, type ModelListing } from './win/registry.ts';
export { predictOpenDeals, STAGE_BASELINE_VERSION, type PredictOpenOptions } from './predict-open.ts';
export type { DealPredictions, DealFactors, Factor } from './predictions.ts';
export type { NotTrained, TrainOutcome } from './train-models.ts';
export { featureBuildOptions, trainOptions, trainingSeed } from './train-recipe.ts';
export {
  auc,
  averagePrecision,
  brierScore,
  calibrationTable,
  classificationMetrics,
  expectedCalibrationError,
  liftByDecile,
  logLoss,
  rocCurve,
  type CalibrationBin,
  type ClassificationMetrics,
  type CurvePoint,
  type LiftBin,
} from '../pipeline/base/metrics.ts';

/** Trains all models, or reports (without failing) that the history is too short; see train-models.ts. */
export function trainModels(conn: DuckDBConnection, options: TrainWinOptions): Promise<TrainOutcome> {
  return trainModelsWith(conn, options, async () => (await activeModelAuc(conn)) !== null);
}
