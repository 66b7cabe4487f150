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
import { DEFAULTS } from '../../pipeline/config/config.ts';
import { WuweiError } from '../../pipeline/base/errors.ts';
import type { Logger } from '../../pipeline/base/log.ts';
import { selectBackend, type BackendName } from '../backend.ts';
import { fitPlatt } from '../calibration.ts';
import { CROSS_FIT_MAX_DEALS, crossFittedPlatt, DEFAULT_CALIBRATION_FOLDS } from './cross-fit-calibration.ts';
import { calibrationTable, classificationMetrics, liftByDecile } from '../../pipeline/base/metrics.ts';
import { featureColumnsOf } from '../../pipeline/features/feature-columns.ts';
import { trainAmountModel, trainCloseModel } from '../heads/train.ts';
import { saveModel, type SplitSummary, type WinMetadata } from './artifacts.ts';
import { readClosedObservations, type ClosedObservations } from './data.ts';
import { buildEnsemble } from './ensemble.ts';
import { timeWeights } from './time-weights.ts';
import { baselineProbabilities, evaluate } from './evaluate.ts';
import { DEFAULT_FIT, fitWinNetwork, type LabelledMatrix } from './fit.ts';
import { permutationImportance, type FeatureImportance } from './importance.ts';
import { buildWinNetwork, DEFAULT_NETWORK, type WinNetworkConfig } from './model.ts';
import { predictLogits, predictProbabilities } from './predict.ts';
import { fitPreprocessing, inputColumnNames, transform } from './preprocess.ts';
import { activeModelAuc, registerModelVersion } from './registry.ts';
import { dayToIsoDate, joinParts, splitByCloseDate, type SplitPart } from './split.ts';

export interface TrainWinOptions {
  /** Numeric features that must be in the table; numeric `custom_` columns are added automatically. */
  featureNames: readonly string[];
  /** Categorical features; default: `stage` and the text `custom_` columns the table has. */
  categorical?: readonly string[];
  /** Levels seen fewer times in the fit split share one "other" column. */
  minLevelCount?: number;
  /** Networks trained with consecutive seeds and averaged on the logit. */
  ensembleSize?: number;
  /** Weigh observations by the deal-days they stand for (see time-weights.ts; default true). */
  timeWeighting?: boolean;
  /** Also train the deal-size and close-timing models (default true). */
  heads?: boolean;
  /** Make the new version active even when its holdout AUC is below promoteRatio x the active model's. */
  force?: boolean;
  /** A new version becomes active only if its holdout AUC is at least this share of the active one's. */
  promoteRatio?: number;
  /** Feature table with closed-deal observations. */
  table?: string;
  /** Folder that holds one subfolder per model version. */
  modelsDir: string;
  seed?: number;
  /** Share of closed deals, the most recently closed, held out to judge the model. */
  holdoutFraction?: number;
  /** Share of the training deals, the most recently closed, for early stopping and calibration. */
  validationFraction?: number;
  /** Folds of cross-fitted calibration (cross-fit-calibration.ts); 0 or 1: Platt on the validation split. Default 5 up to 15,000 training deals, else 0. */
  calibrationFolds?: number;
  /** Fewest won and fewest lost closed deals needed to train. */
  minClassDeals?: number;
  /** Train on at most this many closed deals, drawn by deal from the whole history (see readClosedObservations). */
  maxTrainingDeals?: number;
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
  /** Whether the new version became the active one, and why (promotion rule). */
  active: boolean;
  promotion: string;
  amount?: { wape: number; baselineWape: number; medianApe: number; baselineMedianApe: number };
  close?: { maeDays: number; baselineMaeDays: number; logSigma: number; within90Ece: number };
}

export async function trainWinModel(conn: DuckDBConnection, options: TrainWinOptions): Promise<TrainResult> {
  const started = performance.now();
  const log = options.log;
  const table = options.table ?? 'features_train';
  const seed = options.seed ?? DEFAULTS.models.seed;
  const holdoutFraction = options.holdoutFraction ?? 0.2;
  const validationFraction = options.validationFraction ?? 0.15;
  const minClassDeals = options.minClassDeals ?? Math.max(DEFAULTS.models.minWon, DEFAULTS.models.minLost);
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
  const discovered = await featureColumnsOf(conn, table, []);
  const numeric = [...options.featureNames, ...discovered.numeric.filter((name) => !options.featureNames.includes(name))];
  const categorical = options.categorical ?? discovered.categorical;
  const data = await readClosedObservations(conn, table, { numeric, categorical }, { maxDeals: options.maxTrainingDeals ?? DEFAULT_MAX_TRAINING_DEALS });
  if (data.sample.sampledDeals < data.sample.closedDeals) {
    log.info(`history sampled: ${data.sample.sampledDeals} of ${data.sample.closedDeals} closed deals (models.maxTrainingDeals), drawn evenly over the whole history`);
  }
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
  const preprocessing = fitPreprocessing(data.featureNames, data.features, split.fit.rows, 5, {
    names: data.categoricalNames,
    columns: data.categories,
    ...(options.minLevelCount !== undefined ? { minLevelCount: options.minLevelCount } : {}),
  });
  const width = inputColumnNames(preprocessing).length;
  const inputs = { numeric: data.features, categorical: data.categories };
  const sampleWeights = options.timeWeighting === false ? null : timeWeights(data);
  const matrixOf = (part: SplitPart): LabelledMatrix => ({
    x: transform(preprocessing, inputs, part.rows),
    ...(sampleWeights ? { w: Float32Array.from(part.rows, (i) => sampleWeights[i]!) } : {}),
    y: Float32Array.from(part.rows, (i) => data.labels[i]!),
    rows: part.rows.length,
    columns: width,
  });
  const fitData = matrixOf(split.fit);
  const validationData = matrixOf(split.validation);
  const holdoutData = matrixOf(split.holdout);

  const trainStart = performance.now();
  const ensembleSize = Math.max(1, Math.trunc(options.ensembleSize ?? DEFAULT_ENSEMBLE_SIZE));
  const members: tf.LayersModel[] = [];
  const fits = [];
  let model: tf.LayersModel | undefined;
  const heads: { amount?: tf.LayersModel; close?: tf.LayersModel } = {};
  try {
    for (let k = 0; k < ensembleSize; k++) {
      const member = buildWinNetwork(width, network, seed + k);
      members.push(member);
      fits.push(await fitWinNetwork(member, fitData, validationData, fitConfig, seed + k, log));
    }
    model = ensembleSize === 1 ? members[0]! : buildEnsemble(members, width, network);
    const fitted = { ...fits[0]!, epochsRun: Math.max(...fits.map((f) => f.epochsRun)), bestEpoch: Math.round(mean(Float32Array.from(fits, (f) => f.bestEpoch))) };
    const trainSeconds = (performance.now() - trainStart) / 1000;
    log.info(`trained ${ensembleSize} network(s) on ${backend} in ${trainSeconds.toFixed(1)} s: best epochs ${fits.map((f) => f.bestEpoch).join(', ')} (${width} inputs, hidden [${network.hidden.join(', ')}])`);

    // --- calibration (cross-fitted on small histories, else on validation), then the holdout verdict
    const evaluateStart = performance.now();
    const folds = options.calibrationFolds ?? (train.deals <= CROSS_FIT_MAX_DEALS ? DEFAULT_CALIBRATION_FOLDS : 0);
    if (folds >= 2) {
      const crossFit = await crossFittedPlatt({ rows: train.rows, opportunityIds: data.opportunityIds, matrixOf: (rows) => matrixOf({ ...train, rows }), width, network, fitConfig, epochs: fitted.bestEpoch, folds, seed, log });
      // the fold networks, whose out-of-fold logits the scaling was fitted on, become the model
      members.push(...crossFit.members);
      if (!members.includes(model)) model.dispose();
      model = buildEnsemble(crossFit.members, width, network);
      preprocessing.calibration = crossFit.scaling;
    } else {
      preprocessing.calibration = fitPlatt(await predictLogits(model, validationData.x, width), validationData.y, validationData.w ? { weights: validationData.w } : {});
    }
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

    if (holdoutData.w) {
      let w = 0;
      let wp = 0;
      let wy = 0;
      for (let i = 0; i < holdoutData.rows; i++) {
        w += holdoutData.w[i]!;
        wp += holdoutData.w[i]! * holdoutProbabilities[i]!;
        wy += holdoutData.w[i]! * holdoutData.y[i]!;
      }
      log.info(`holdout per deal-day: mean predicted ${(wp / w).toFixed(3)}, win rate ${(wy / w).toFixed(3)}`);
    }

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

    // --- deal size and close timing, on the same inputs and split
    const headInputs = { data, split, preprocessing, inputs, width, network, fitConfig, seed, log, sampleWeights };
    const amount = options.heads === false ? undefined : await trainAmountModel(headInputs);
    const close = options.heads === false ? undefined : await trainCloseModel(headInputs);
    if (amount) heads.amount = amount.network;
    if (close) heads.close = close.network;

    // --- the promotion rule: a worse model does not replace a good one unless forced
    const promoteRatio = options.promoteRatio ?? DEFAULT_PROMOTE_RATIO;
    const activeAuc = await activeModelAuc(conn);
    const active = options.force === true || activeAuc === null || !(holdout.model.auc < promoteRatio * activeAuc.auc);
    const promotion =
      activeAuc === null
        ? 'first model: active'
        : options.force
          ? `forced: active (holdout AUC ${holdout.model.auc.toFixed(3)}, ${activeAuc.version} had ${activeAuc.auc.toFixed(3)})`
          : active
            ? `active: holdout AUC ${holdout.model.auc.toFixed(3)} >= ${promoteRatio} x ${activeAuc.auc.toFixed(3)} of ${activeAuc.version}`
            : `not made active: holdout AUC ${holdout.model.auc.toFixed(3)} < ${promoteRatio} x ${activeAuc.auc.toFixed(3)} of the active ${activeAuc.version} (\`wuwei train --force\` or \`wuwei models activate\` to override)`;
    if (active) log.info(`promotion: ${promotion}`);
    else log.warn(promotion);

    // --- save and register
    const trainedAt = new Date().toISOString();
    const version = versionName(trainedAt, model, preprocessing);
    const totalSeconds = (performance.now() - started) / 1000;
    const metadata: WinMetadata = {
      format: 'wuwei-win-model-2',
      version,
      trainedAt,
      backend,
      seed,
      tfjsVersion: tf.version.tfjs,
      featureNames: data.featureNames,
      categoricalNames: data.categoricalNames,
      inputColumns: inputColumnNames(preprocessing),
      network,
      training: { ...fitConfig, ...fitted },
      calibration: preprocessing.calibration,
      ensembleSize,
      data: {
        table,
        sample: data.sample,
        holdoutFraction,
        validationFraction,
        fit: summary(split.fit),
        validation: summary(split.validation),
        train: summary(train),
        holdout: summary(split.holdout),
      },
      metrics: {
        holdout: { model: holdout.model, baseline: holdout.baseline },
        validation,
        calibrationTable: { model: calibrationTable(holdoutProbabilities, holdoutData.y), baseline: calibrationTable(holdoutBaseline, holdoutData.y) },
        lift: { model: liftByDecile(holdoutProbabilities, holdoutData.y), baseline: liftByDecile(holdoutBaseline, holdoutData.y) },
      },
      ...(amount ? { amount: amount.metadata } : {}),
      ...(close ? { close: close.metadata } : {}),
      dataFingerprint: fingerprint(data),
      featureImportance: importances,
      timings: { readSeconds, trainSeconds, evaluateSeconds, importanceSeconds, totalSeconds },
    };
    const path = await saveModel(options.modelsDir, model, preprocessing, metadata, heads);
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
        amount: amount?.metadata.holdout ?? null,
        close: close?.metadata.holdout ?? null,
      },
      holdout.curves,
      importances,
      active,
    );
    log.info(`model ${version} saved to ${path}${active ? ' and made active' : ' (not active)'}`);

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
      active,
      promotion,
      ...(amount
        ? {
            amount: {
              wape: amount.metadata.holdout.model.wape,
              baselineWape: amount.metadata.holdout.baseline.wape,
              medianApe: amount.metadata.holdout.model.medianApe,
              baselineMedianApe: amount.metadata.holdout.baseline.medianApe,
            },
          }
        : {}),
      ...(close
        ? {
            close: {
              maeDays: close.metadata.holdout.model.maeDays,
              baselineMaeDays: close.metadata.holdout.baseline.maeDays,
              logSigma: close.metadata.head.logSigma,
              within90Ece: close.metadata.holdout.within.ece,
            },
          }
        : {}),
    };
  } finally {
    for (const member of members) member.dispose();
    if (model && !members.includes(model)) model.dispose();
    heads.amount?.dispose();
    heads.close?.dispose();
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

export const DEFAULT_ENSEMBLE_SIZE = 1;
// The defaults live in the one config schema (pipeline/config/config.ts, `models`).
export const DEFAULT_PROMOTE_RATIO = DEFAULTS.models.promotionRatio;
/** About 1M observations at the generator's 5–6 per deal: a few GB while training, whatever the export's size. */
export const DEFAULT_MAX_TRAINING_DEALS = DEFAULTS.models.maxTrainingDeals;

/** sha256 over every array read from the training table, in order: same data, same fingerprint. */
function fingerprint(data: ClosedObservations): string {
  const hash = createHash('sha256');
  const add = (values: Float32Array | Float64Array) => hash.update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  hash.update(data.opportunityIds.join('\n'));
  hash.update(JSON.stringify([data.featureNames, data.categoricalNames, data.categories]));
  for (const column of [data.labels, data.closeDays, data.daysToClose, data.finalAmount, data.stageProbability, data.repAmount, data.repCloseDays, ...data.features]) add(column);
  return hash.digest('hex');
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
