/**
 * Trains, judges and registers a win-probability model:
 *   read closed-deal observations -> split deals by close date (fit | validation | holdout)
 *   -> preprocessing fitted on the fit split -> network trained with early stopping on validation
 *   -> Platt calibration on validation -> holdout metrics against the stage baseline
 *   -> permutation importance -> model folder + registry rows (the new version becomes active).
 */
import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { WuweiError } from '../../pipeline/errors.ts';
import type { Logger } from '../../pipeline/log.ts';
import { selectBackend, type BackendName } from '../backend.ts';
import { fitPlatt } from '../calibration.ts';
import { classificationMetrics } from '../metrics.ts';
import { saveModel, type SplitSummary, type WinMetadata } from './artifacts.ts';
import { readClosedObservations } from './data.ts';
import { baselineProbabilities, evaluate } from './evaluate.ts';
import { DEFAULT_FIT, fitWinNetwork, type LabelledMatrix } from './fit.ts';
import { permutationImportance, type FeatureImportance } from './importance.ts';
import { buildWinNetwork, DEFAULT_NETWORK, type WinNetworkConfig } from './model.ts';
import { predictLogits, predictProbabilities } from './predict.ts';
import { fitPreprocessing, inputColumnNames, transform } from './preprocess.ts';
import { registerModelVersion } from './registry.ts';
import { dayToIsoDate, joinParts, splitByCloseDate, type SplitPart } from './split.ts';

export interface TrainWinOptions {
  featureNames: readonly string[];
  /** Feature table with closed-deal observations. */
  table?: string;
  /** Folder that holds one subfolder per model version. */
  modelsDir: string;
  seed?: number;
  /** Share of closed deals, the most recently closed, held out to judge the model. */
  holdoutFraction?: number;
  /** Share of the training deals, the most recently closed, for early stopping and calibration. */
  validationFraction?: number;
  /** Fewest won and fewest lost closed deals needed to train. */
  minClassDeals?: number;
  hidden?: number[];
  activation?: WinNetworkConfig['activation'];
  dropout?: number;
  l2?: number;
  /** Most epochs (early stopping usually ends sooner). */
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  patience?: number;
  /** Shuffles per feature for permutation importance (0 skips it). */
  importanceRepeats?: number;
  log: Logger;
}

export interface WinMetrics {
  auc: number;
  prAuc: number;
  logLoss: number;
  brier: number;
  ece: number;
  baselineAuc: number;
  baselinePrAuc: number;
  baselineLogLoss: number;
  baselineBrier: number;
  baselineEce: number;
}

export interface TrainResult {
  version: string;
  backend: BackendName;
  path: string;
  /** Holdout metrics of the model and of the stage-probability baseline. */
  metrics: WinMetrics;
  nTrainObs: number;
  nTrainDeals: number;
  nHoldoutObs: number;
  nHoldoutDeals: number;
  trainFrom: string | null;
  trainTo: string | null;
  holdoutFrom: string | null;
  holdoutTo: string | null;
  epochsRun: number;
  bestEpoch: number;
  /** Seconds spent in the training loop. */
  trainSeconds: number;
  totalSeconds: number;
  topFeatures: FeatureImportance[];
}

export async function trainWinModel(conn: DuckDBConnection, options: TrainWinOptions): Promise<TrainResult> {
  const started = performance.now();
  const log = options.log;
  const table = options.table ?? 'features_train';
  const seed = options.seed ?? 42;
  const holdoutFraction = options.holdoutFraction ?? 0.2;
  const validationFraction = options.validationFraction ?? 0.15;
  const minClassDeals = options.minClassDeals ?? 40;
  const network: WinNetworkConfig = {
    hidden: options.hidden ?? DEFAULT_NETWORK.hidden,
    activation: options.activation ?? DEFAULT_NETWORK.activation,
    dropout: options.dropout ?? DEFAULT_NETWORK.dropout,
    l2: options.l2 ?? DEFAULT_NETWORK.l2,
  };
  const fitConfig = {
    ...DEFAULT_FIT,
    l2: network.l2,
    ...(options.epochs !== undefined ? { epochs: options.epochs } : {}),
    ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
    ...(options.learningRate !== undefined ? { learningRate: options.learningRate } : {}),
    ...(options.patience !== undefined ? { patience: options.patience } : {}),
  };
  if (!(holdoutFraction > 0 && holdoutFraction < 1)) throw new WuweiError('bad_option', `holdoutFraction must be between 0 and 1, got ${holdoutFraction}`);
  if (!(validationFraction > 0 && validationFraction < 1)) throw new WuweiError('bad_option', `validationFraction must be between 0 and 1, got ${validationFraction}`);

  const backend = await selectBackend(log);

  // --- data
  const readStart = performance.now();
  const data = await readClosedObservations(conn, table, options.featureNames);
  const split = splitByCloseDate(data.opportunityIds, data.closeDays, data.labels, { holdoutFraction, validationFraction });
  const all = joinParts(joinParts(split.fit, split.validation), split.holdout);
  if (all.wonDeals < minClassDeals || all.lostDeals < minClassDeals) {
    throw new WuweiError(
      'not_enough_data',
      `${table} has ${all.wonDeals} won and ${all.lostDeals} lost closed deals; training needs at least ${minClassDeals} of each`,
    );
  }
  for (const [name, part] of Object.entries(split)) {
    if (part.wonDeals === 0 || part.lostDeals === 0) {
      throw new WuweiError('not_enough_data', `the ${name} split (by close date) has ${part.wonDeals} won and ${part.lostDeals} lost deals: it needs both outcomes`);
    }
  }
  const train = joinParts(split.fit, split.validation);
  const readSeconds = (performance.now() - readStart) / 1000;
  log.info(
    `${table}: ${data.rowCount} observations of ${all.deals} closed deals (${all.wonDeals} won); ` +
      `fit ${describe(split.fit)}, validation ${describe(split.validation)}, holdout ${describe(split.holdout)}`,
  );

  // --- preprocessing (learned from the fit split only) and training
  const preprocessing = fitPreprocessing(data.featureNames, data.features, split.fit.rows);
  const width = inputColumnNames(preprocessing).length;
  const matrixOf = (part: SplitPart): LabelledMatrix => ({
    x: transform(preprocessing, data.features, part.rows),
    y: Float32Array.from(part.rows, (i) => data.labels[i]!),
    rows: part.rows.length,
    columns: width,
  });
  const fitData = matrixOf(split.fit);
  const validationData = matrixOf(split.validation);
  const holdoutData = matrixOf(split.holdout);

  const trainStart = performance.now();
  const model = buildWinNetwork(width, network, seed);
  let fitted;
  try {
    fitted = await fitWinNetwork(model, fitData, validationData, fitConfig, seed, log);
    const trainSeconds = (performance.now() - trainStart) / 1000;
    log.info(`trained on ${backend} in ${trainSeconds.toFixed(1)} s: ${fitted.epochsRun} epochs, best ${fitted.bestEpoch} (${width} inputs, hidden [${network.hidden.join(', ')}])`);

    // --- calibration on validation, then the holdout verdict
    const evaluateStart = performance.now();
    preprocessing.calibration = fitPlatt(await predictLogits(model, validationData.x, width), validationData.y);
    const scorer = { network: model, preprocessing };
    const trainRate = mean(fitData.y);
    const holdoutProbabilities = await predictProbabilities(scorer, holdoutData.x);
    const holdoutBaseline = baselineProbabilities(data.stageProbability, split.holdout.rows, trainRate);
    const holdout = evaluate(holdoutProbabilities, holdoutBaseline, holdoutData.y);
    const validation = {
      model: classificationMetrics(await predictProbabilities(scorer, validationData.x), validationData.y),
      baseline: classificationMetrics(baselineProbabilities(data.stageProbability, split.validation.rows, trainRate), validationData.y),
    };
    const evaluateSeconds = (performance.now() - evaluateStart) / 1000;
    log.info(
      `holdout: AUC ${holdout.model.auc.toFixed(3)} (stage baseline ${holdout.baseline.auc.toFixed(3)}), ` +
        `log loss ${holdout.model.logLoss.toFixed(3)} (${holdout.baseline.logLoss.toFixed(3)}), ` +
        `Brier ${holdout.model.brier.toFixed(3)} (${holdout.baseline.brier.toFixed(3)}), ECE ${holdout.model.ece.toFixed(3)} (${holdout.baseline.ece.toFixed(3)})`,
    );

    const importanceStart = performance.now();
    const repeats = options.importanceRepeats ?? 1;
    const importances =
      repeats > 0
        ? await permutationImportance((matrix) => predictProbabilities(scorer, matrix), holdoutData.x, holdoutData.y, preprocessing, { seed, repeats })
        : [];
    const importanceSeconds = (performance.now() - importanceStart) / 1000;
    if (importances.length > 0) {
      log.info(`most important on the holdout: ${importances.slice(0, 5).map((f) => `${f.feature} ${f.importance.toFixed(3)}`).join(', ')}`);
    }

    // --- save and register
    const trainedAt = new Date().toISOString();
    const version = versionName(trainedAt, model, preprocessing);
    const totalSeconds = (performance.now() - started) / 1000;
    const metadata: WinMetadata = {
      format: 'wuwei-win-model-1',
      version,
      trainedAt,
      backend,
      seed,
      tfjsVersion: tf.version.tfjs,
      featureNames: data.featureNames,
      inputColumns: inputColumnNames(preprocessing),
      network,
      training: { ...fitConfig, ...fitted },
      calibration: preprocessing.calibration,
      data: {
        table,
        holdoutFraction,
        validationFraction,
        fit: summary(split.fit),
        validation: summary(split.validation),
        train: summary(train),
        holdout: summary(split.holdout),
      },
      metrics: { holdout: { model: holdout.model, baseline: holdout.baseline }, validation },
      featureImportance: importances,
      timings: { readSeconds, trainSeconds, evaluateSeconds, importanceSeconds, totalSeconds },
    };
    const path = await saveModel(options.modelsDir, model, preprocessing, metadata);
    await registerModelVersion(
      conn,
      {
        version,
        trainedAt,
        backend,
        seed,
        nTrainObs: train.rows.length,
        nTrainDeals: train.deals,
        nHoldoutObs: split.holdout.rows.length,
        nHoldoutDeals: split.holdout.deals,
        trainFrom: dayToIsoDate(train.fromDay),
        trainTo: dayToIsoDate(train.toDay),
        holdoutFrom: dayToIsoDate(split.holdout.fromDay),
        holdoutTo: dayToIsoDate(split.holdout.toDay),
        model: holdout.model,
        baseline: holdout.baseline,
        trainSeconds,
        path,
      },
      holdout.curves,
      importances,
    );
    log.info(`model ${version} saved to ${path} and made active`);

    return {
      version,
      backend,
      path,
      metrics: {
        auc: holdout.model.auc,
        prAuc: holdout.model.prAuc,
        logLoss: holdout.model.logLoss,
        brier: holdout.model.brier,
        ece: holdout.model.ece,
        baselineAuc: holdout.baseline.auc,
        baselinePrAuc: holdout.baseline.prAuc,
        baselineLogLoss: holdout.baseline.logLoss,
        baselineBrier: holdout.baseline.brier,
        baselineEce: holdout.baseline.ece,
      },
      nTrainObs: train.rows.length,
      nTrainDeals: train.deals,
      nHoldoutObs: split.holdout.rows.length,
      nHoldoutDeals: split.holdout.deals,
      trainFrom: dayToIsoDate(train.fromDay),
      trainTo: dayToIsoDate(train.toDay),
      holdoutFrom: dayToIsoDate(split.holdout.fromDay),
      holdoutTo: dayToIsoDate(split.holdout.toDay),
      epochsRun: fitted.epochsRun,
      bestEpoch: fitted.bestEpoch,
      trainSeconds,
      totalSeconds: (performance.now() - started) / 1000,
      topFeatures: importances.slice(0, 10),
    };
  } finally {
    model.dispose();
  }
}

/** `win-YYYYMMDDTHHMMSS-<7 hex>`: sortable by time; the hash of the weights, preprocessing and time tells same-second runs apart. */
function versionName(trainedAt: string, model: tf.LayersModel, preprocessing: object): string {
  const hash = createHash('sha256');
  for (const weight of model.getWeights()) {
    const values = weight.dataSync();
    hash.update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  }
  hash.update(JSON.stringify(preprocessing));
  hash.update(trainedAt);
  const stamp = trainedAt.replace(/[-:]/g, '').slice(0, 15);
  return `win-${stamp}-${hash.digest('hex').slice(0, 7)}`;
}

function summary(part: SplitPart): SplitSummary {
  return {
    observations: part.rows.length,
    deals: part.deals,
    wonDeals: part.wonDeals,
    lostDeals: part.lostDeals,
    from: dayToIsoDate(part.fromDay),
    to: dayToIsoDate(part.toDay),
  };
}

function describe(part: SplitPart): string {
  return `${part.deals} deals / ${part.rows.length} obs (${dayToIsoDate(part.fromDay)}..${dayToIsoDate(part.toDay)})`;
}

function mean(values: Float32Array): number {
  let total = 0;
  for (const value of values) total += value;
  return values.length > 0 ? total / values.length : Number.NaN;
}
