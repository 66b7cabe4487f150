/**
 * Trains, judges and registers a win-probability model, one step per file:
 *   training-data.ts     closed-deal observations, split by close date (fit | validation | holdout)
 *   training-inputs.ts   preprocessing fitted on the fit split; each split as a labelled matrix
 *   train-ensemble.ts    the networks, with early stopping on validation
 *   calibrate-model.ts   Platt scaling (cross-fitted on small histories, else on validation)
 *   holdout-verdict.ts   holdout metrics against the stage baseline; permutation importance
 *   ../heads/train.ts    deal size and close timing on the same inputs and split
 *   promotion.ts         whether the new version replaces the active one
 *   save-version.ts      the model folder and the registry rows
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { DEFAULTS } from '../../pipeline/config/config.ts';
import { WuweiError } from '../../pipeline/base/errors.ts';
import type { Logger } from '../../pipeline/base/log.ts';
import { selectBackend, type BackendName } from '../backend.ts';
import { trainHeadsInWorkers } from '../heads/parallel.ts';
import { trainAmountModel, trainCloseModel } from '../heads/train.ts';
import { calibrateModel, refitOnHistory, refitsOnHistory } from './calibrate-model.ts';
import { DEFAULT_FIT, type FitConfig } from './fit.ts';
import { holdoutImportance, judgeOnHoldout } from './holdout-verdict.ts';
import type { FeatureImportance } from './importance.ts';
import { DEFAULT_NETWORK, type WinNetworkConfig } from './model.ts';
import { decidePromotion } from './promotion.ts';
import { saveVersion, type TrainedVersion } from './save-version.ts';
import { disposeNetworks, trainEnsemble, type Networks } from './train-ensemble.ts';
import { readTrainingData, splitFacts } from './training-data.ts';
import { headInputsOf, prepareTrainingInputs } from './training-inputs.ts';

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
  /** Weigh the win model's observations against right-censoring (see censoring-weights.ts; default true). */
  censoringWeighting?: boolean;
  /** Also train the deal-size and close-timing models (default true). */
  heads?: boolean;
  /** Train those two in worker threads beside the win model (default true); false trains them after it, in this thread. */
  headWorkers?: boolean;
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
  /**
   * Blend each probability towards its stage's training win rate where the stage saw few deals
   * (stage-shrinkage.ts), with the prior strength chosen on the cross-fitted predictions. Off by
   * default: on 3,000-opportunity exports it chose 200-300 deals and made the open-deal ECE worse
   * (seed 2, in a variant with longer-trained fold networks: 0.049 to 0.056), the fold networks' out-of-fold predictions being noisier than their average.
   */
  stageShrinkage?: boolean;
  /** Once judged, refit the cross-fitted model and the deal-size and close-timing heads on every closed deal, holdout included (calibrate-model.ts, heads/train.ts); default on. */
  refitOnHistory?: boolean;
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
  close?: {
    maeDays: number;
    baselineMaeDays: number;
    logSigma: number;
    within90Ece: number;
    /** Holdout closes within a week: expected by the model and observed (the quarter's last week needs them right). */
    withinWeek: { expected: number; observed: number };
  };
}

export async function trainWinModel(conn: DuckDBConnection, options: TrainWinOptions): Promise<TrainResult> {
  const started = performance.now();
  const { log } = options;
  const settings = trainSettings(options);
  const { table, seed, holdoutFraction, validationFraction, ensembleSize } = settings;
  const backend = await selectBackend(log);
  const training = await readTrainingData(conn, {
    ...settings,
    featureNames: options.featureNames,
    categorical: options.categorical,
    log,
  });
  const inputs = prepareTrainingInputs(training, {
    ...settings,
    minLevelCount: options.minLevelCount,
    timeWeighting: options.timeWeighting !== false,
    censoringWeighting: options.censoringWeighting !== false,
    log,
  });
  const networks: Networks = { members: [] };
  const calibration = { folds: options.calibrationFolds, stageShrinkage: options.stageShrinkage === true };
  const refit = options.refitOnHistory !== false && refitsOnHistory(inputs, calibration);
  // past the cross-fitting size the win model is recalibrated, the heads relevelled (calibrate-model.ts refitOnHistory)
  const heads = headInputsOf(inputs, refit, options.refitOnHistory !== false && !refit);
  // deal size and close timing need only the inputs and split: they train in worker threads beside the win model
  const headsAbort = new AbortController(); // stops the workers if this training fails before it waits for them
  const headsTraining =
    options.heads === false || options.headWorkers === false
      ? undefined
      : trainHeadsInWorkers(heads, headsAbort.signal);
  headsTraining?.catch(() => {}); // awaited below; a failure must not surface as unhandled while the win model trains
  try {
    const fit = await trainEnsemble(networks, inputs, ensembleSize, backend);
    await calibrateModel(networks, inputs, fit.fitted.bestEpoch, {
      folds: options.calibrationFolds,
      stageShrinkage: options.stageShrinkage === true,
    });
    const verdict = await judgeOnHoldout(networks, inputs);
    const { importances, importanceSeconds } = await holdoutImportance(
      networks,
      inputs,
      options.importanceRepeats ?? 1,
    );
    const refitted =
      options.refitOnHistory !== false &&
      (await refitOnHistory(networks, inputs, fit.fitted.bestEpoch, calibration, verdict));
    if (refitted === 'refitted')
      log.info(
        `refitted on every closed deal, the holdout's ${inputs.split.holdout.deals} included: that model scores`,
      );
    if (refitted === 'recalibrated')
      log.info(
        `calibration refitted on the ${inputs.split.validation.deals + inputs.split.holdout.deals} most recent closes, the holdout's included: that scaling scores`,
      );
    const trainedHeads = headsTraining ? await headsTraining : undefined;
    const amount =
      options.heads === false ? undefined : trainedHeads ? trainedHeads.amount : await trainAmountModel(heads);
    const close =
      options.heads === false ? undefined : trainedHeads ? trainedHeads.close : await trainCloseModel(heads);
    if (amount) networks.amount = amount.network;
    if (close) networks.close = close.network;
    const { active, promotion } = await decidePromotion(conn, verdict.holdout.model.auc, {
      promoteRatio: options.promoteRatio ?? DEFAULT_PROMOTE_RATIO,
      force: options.force === true,
      log,
    });
    const timings = {
      readSeconds: training.readSeconds,
      trainSeconds: fit.trainSeconds,
      evaluateSeconds: verdict.evaluateSeconds,
      importanceSeconds,
      totalSeconds: (performance.now() - started) / 1000,
    };
    const trained = {
      backend,
      seed,
      table,
      holdoutFraction,
      validationFraction,
      ensembleSize,
      training,
      inputs,
      fit,
      verdict,
      importances,
      amount,
      close,
      active,
      timings,
    };
    const { version, path } = await saveVersion(conn, options.modelsDir, networks, trained);
    log.info(`model ${version} saved to ${path}${active ? ' and made active' : ' (not active)'}`);
    return trainResult({ ...trained, version, path, promotion, totalSeconds: (performance.now() - started) / 1000 });
  } finally {
    headsAbort.abort();
    disposeNetworks(networks);
  }
}

/** The options with every default filled in and checked. */
function trainSettings(options: TrainWinOptions) {
  const holdoutFraction = options.holdoutFraction ?? 0.2;
  const validationFraction = options.validationFraction ?? 0.15;
  if (!(holdoutFraction > 0 && holdoutFraction < 1))
    throw new WuweiError('bad_option', `holdoutFraction must be between 0 and 1, got ${holdoutFraction}`);
  if (!(validationFraction > 0 && validationFraction < 1))
    throw new WuweiError('bad_option', `validationFraction must be between 0 and 1, got ${validationFraction}`);
  const network: WinNetworkConfig = {
    hidden: options.hidden ?? DEFAULT_NETWORK.hidden,
    activation: options.activation ?? DEFAULT_NETWORK.activation,
    dropout: options.dropout ?? DEFAULT_NETWORK.dropout,
    l2: options.l2 ?? DEFAULT_NETWORK.l2,
  };
  const fitConfig: FitConfig = {
    ...DEFAULT_FIT,
    l2: network.l2,
    ...(options.epochs !== undefined ? { epochs: options.epochs } : {}),
    ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
    ...(options.learningRate !== undefined ? { learningRate: options.learningRate } : {}),
    ...(options.patience !== undefined ? { patience: options.patience } : {}),
  };
  return {
    table: options.table ?? 'features_train',
    seed: options.seed ?? DEFAULTS.models.seed,
    holdoutFraction,
    validationFraction,
    minClassDeals: options.minClassDeals ?? Math.max(DEFAULTS.models.minWon, DEFAULTS.models.minLost),
    maxTrainingDeals: options.maxTrainingDeals ?? DEFAULT_MAX_TRAINING_DEALS,
    ensembleSize: Math.max(1, Math.trunc(options.ensembleSize ?? DEFAULT_ENSEMBLE_SIZE)),
    network,
    fitConfig,
  };
}

/** The summary the train stage prints and returns. */
function trainResult(
  trained: TrainedVersion & { version: string; path: string; promotion: string; totalSeconds: number },
): TrainResult {
  const { training, verdict, fit, amount, close } = trained;
  const { model, baseline } = verdict.holdout;
  return {
    version: trained.version,
    backend: trained.backend,
    path: trained.path,
    metrics: {
      auc: model.auc,
      prAuc: model.prAuc,
      logLoss: model.logLoss,
      brier: model.brier,
      ece: model.ece,
      baselineAuc: baseline.auc,
      baselinePrAuc: baseline.prAuc,
      baselineLogLoss: baseline.logLoss,
      baselineBrier: baseline.brier,
      baselineEce: baseline.ece,
    },
    ...splitFacts(training),
    epochsRun: fit.fitted.epochsRun,
    bestEpoch: fit.fitted.bestEpoch,
    trainSeconds: fit.trainSeconds,
    totalSeconds: trained.totalSeconds,
    topFeatures: trained.importances.slice(0, 10),
    active: trained.active,
    promotion: trained.promotion,
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
            withinWeek: {
              expected: close.metadata.holdout.withinWeek.expected,
              observed: close.metadata.holdout.withinWeek.observed,
            },
          },
        }
      : {}),
  };
}

export const DEFAULT_ENSEMBLE_SIZE = 1;
// The defaults live in the one config schema (pipeline/config/config.ts, `models`).
export const DEFAULT_PROMOTE_RATIO = DEFAULTS.models.promotionRatio;
/** About 1M observations at the generator's 5–6 per deal: a few GB while training, whatever the export's size. */
export const DEFAULT_MAX_TRAINING_DEALS = DEFAULTS.models.maxTrainingDeals;
