/**
 * Trains the deal-size and close-timing models on the win model's inputs and time split, and
 * judges them on the holdout against the rep's amount and close date.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Logger } from '../../pipeline/log.ts';
import type { AmountModelHead, CloseModelHead, HeadMetadata } from '../win/artifacts.ts';
import type { ClosedObservations } from '../win/data.ts';
import type { FitConfig } from '../win/fit.ts';
import type { WinNetworkConfig } from '../win/model.ts';
import { transform, type FeatureColumns, type Preprocessing } from '../win/preprocess.ts';
import type { TimeSplit } from '../win/split.ts';
import { amountsFromOutputs, amountTargets, evaluateAmounts, fallbackAmountOf, referenceAmounts, wonRowsWithAmount, type AmountEvaluation } from './amount.ts';
import { closeTargets, evaluateClose, residualSigma, type CloseEvaluation } from './close.ts';
import { fitRegression, meanOf, predictRegression } from './regression.ts';

// Both models learn with the win model's deal-day weights (win/time-weights.ts), as they too predict from a snapshot of open deals.

/** The fewest rows a regression model is trained on; below it the consumer falls back to the rep's values. */
export const MIN_HEAD_ROWS = 30;
/** The regression models level off within a few epochs: a shorter patience saves most of their training time. */
const HEAD_PATIENCE = 4;

function headConfig(fitConfig: FitConfig): FitConfig {
  return { ...fitConfig, patience: Math.min(fitConfig.patience, HEAD_PATIENCE) };
}

interface Trained<H, E> {
  network: tf.LayersModel;
  metadata: HeadMetadata<H, E>;
}

export async function trainAmountModel(
  data: ClosedObservations,
  split: TimeSplit,
  preprocessing: Preprocessing,
  inputs: FeatureColumns,
  width: number,
  network: WinNetworkConfig,
  fitConfig: FitConfig,
  seed: number,
  log: Logger,
  sampleWeights: Float32Array | null = null,
): Promise<Trained<AmountModelHead, AmountEvaluation> | undefined> {
  const rows = { fit: wonRowsWithAmount(data, split.fit.rows), validation: wonRowsWithAmount(data, split.validation.rows), holdout: wonRowsWithAmount(data, split.holdout.rows) };
  if (rows.fit.length < MIN_HEAD_ROWS || rows.validation.length === 0 || rows.holdout.length === 0) {
    log.warn(`deal-size model not trained: too few won deals with a final amount (${rows.fit.length} fit observations); expected amounts stay the rep's`);
    return undefined;
  }
  const started = performance.now();
  const fallbackAmount = fallbackAmountOf(data, rows.fit);
  const fitTargets = amountTargets(data, rows.fit, fallbackAmount);
  const offset = meanOf(fitTargets);
  const part = (r: Int32Array, targets: Float32Array) => ({
    x: transform(preprocessing, inputs, r),
    y: targets.map((t) => t - offset),
    rows: r.length,
    ...(sampleWeights ? { w: Float32Array.from(r, (i) => sampleWeights[i]!) } : {}),
  });
  const validationTargets = amountTargets(data, rows.validation, fallbackAmount);
  const { network: model, result } = await fitRegression(width, part(rows.fit, fitTargets), part(rows.validation, validationTargets), network, headConfig(fitConfig), seed + 1000, log);
  const validationOutputs = await predictRegression(model, transform(preprocessing, inputs, rows.validation), width);
  const logSigma = residualSigma(validationTargets, validationOutputs.map((o) => o + offset));
  const holdoutOutputs = await predictRegression(model, transform(preprocessing, inputs, rows.holdout), width);
  const predicted = amountsFromOutputs(referenceAmounts(data, rows.holdout, fallbackAmount), holdoutOutputs.map((o) => o + offset));
  const holdout = evaluateAmounts(predicted, data, rows.holdout);
  log.info(
    `deal size on ${rows.holdout.length} won holdout observations: WAPE ${holdout.model.wape.toFixed(3)} (rep amount ${holdout.baseline.wape.toFixed(3)}), ` +
      `median APE ${holdout.model.medianApe.toFixed(3)} (${holdout.baseline.medianApe.toFixed(3)})`,
  );
  return {
    network: model,
    metadata: {
      head: { fallbackAmount, logSigma, offset },
      network,
      training: { ...headConfig(fitConfig), epochsRun: result.epochsRun, bestEpoch: result.bestEpoch, bestValidationLoss: result.bestValidationLoss, history: result.history },
      data: { fitRows: rows.fit.length, validationRows: rows.validation.length, holdoutRows: rows.holdout.length },
      holdout,
      trainSeconds: (performance.now() - started) / 1000,
    },
  };
}

export async function trainCloseModel(
  data: ClosedObservations,
  split: TimeSplit,
  preprocessing: Preprocessing,
  inputs: FeatureColumns,
  width: number,
  network: WinNetworkConfig,
  fitConfig: FitConfig,
  seed: number,
  log: Logger,
  sampleWeights: Float32Array | null = null,
): Promise<Trained<CloseModelHead, CloseEvaluation> | undefined> {
  // Won deals only: the forecast books a deal's amount when it is won, and lost deals close sooner
  // (they die early), so timing over both would pull expected bookings into the near periods.
  const usable = (r: Int32Array) => r.filter((i) => data.labels[i] === 1 && Number.isFinite(data.daysToClose[i]!));
  const rows = { fit: usable(split.fit.rows), validation: usable(split.validation.rows), holdout: usable(split.holdout.rows) };
  if (rows.fit.length < MIN_HEAD_ROWS || rows.validation.length === 0 || rows.holdout.length === 0) {
    log.warn(`close-timing model not trained: too few won observations (${rows.fit.length}); close dates stay the rep's`);
    return undefined;
  }
  const started = performance.now();
  const fitTargets = closeTargets(data, rows.fit);
  const offset = meanOf(fitTargets);
  const part = (r: Int32Array, targets: Float32Array) => ({
    x: transform(preprocessing, inputs, r),
    y: targets.map((t) => t - offset),
    rows: r.length,
    ...(sampleWeights ? { w: Float32Array.from(r, (i) => sampleWeights[i]!) } : {}),
  });
  const validationTargets = closeTargets(data, rows.validation);
  const { network: model, result } = await fitRegression(width, part(rows.fit, fitTargets), part(rows.validation, validationTargets), network, headConfig(fitConfig), seed + 2000, log);
  const validationOutputs = await predictRegression(model, transform(preprocessing, inputs, rows.validation), width);
  const logSigma = residualSigma(validationTargets, validationOutputs.map((o) => o + offset));
  const holdoutOutputs = (await predictRegression(model, transform(preprocessing, inputs, rows.holdout), width)).map((o) => o + offset);
  const holdout = evaluateClose(holdoutOutputs, logSigma, data, rows.holdout);
  log.info(
    `close timing on ${rows.holdout.length} won holdout observations: MAE ${holdout.model.maeDays.toFixed(1)} days (rep close date ${holdout.baseline.maeDays.toFixed(1)}), ` +
      `sigma ${logSigma.toFixed(2)}, P(close within ${holdout.within.horizonDays} days) ECE ${holdout.within.ece.toFixed(3)}`,
  );
  return {
    network: model,
    metadata: {
      head: { logSigma, offset },
      network,
      training: { ...headConfig(fitConfig), epochsRun: result.epochsRun, bestEpoch: result.bestEpoch, bestValidationLoss: result.bestValidationLoss, history: result.history },
      data: { fitRows: rows.fit.length, validationRows: rows.validation.length, holdoutRows: rows.holdout.length },
      holdout,
      trainSeconds: (performance.now() - started) / 1000,
    },
  };
}
