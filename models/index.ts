/**
 * The models stage: TensorFlow.js win-probability models trained on closed-deal observations,
 * judged on a time-based holdout against the CRM's stage probability, saved as versioned folders
 * and registered in DuckDB. Everything else under models/ is internal.
 */
export { selectBackend, type BackendName } from './backend.ts';
export { trainWinModel, type TrainWinOptions, type TrainResult, type WinMetrics } from './win/train.ts';
export { predictWin, type WinPredictions } from './win/predict.ts';
export { loadModel, type WinModel, type WinMetadata } from './win/artifacts.ts';
export { loadActiveModel } from './win/registry.ts';
export {
  auc,
  averagePrecision,
  brierScore,
  calibrationTable,
  classificationMetrics,
  expectedCalibrationError,
  logLoss,
  rocCurve,
  type CalibrationBin,
  type ClassificationMetrics,
  type CurvePoint,
} from './metrics.ts';
