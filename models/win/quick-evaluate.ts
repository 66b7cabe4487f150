/**
 * A quick, throw-away verdict on feature sets: the win network trained as `wuwei train` trains it
 * (same time split, preprocessing, time weights, calibration, seed) but with a bounded number of
 * short epochs, no deal-size or close-timing heads, no permutation importance, and nothing saved or
 * registered. Every feature set is read once and trained on the same rows with the same seed, so
 * their differences are the features' and not the data's.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { WuweiError } from '../../pipeline/base/errors.ts';
import type { Logger } from '../../pipeline/base/log.ts';
import { selectBackend, type BackendName } from '../backend.ts';
import { fitPlatt } from '../calibration.ts';
import { featureColumnsOf } from '../../pipeline/features/feature-columns.ts';
import { classificationMetrics, type ClassificationMetrics } from '../../pipeline/base/metrics.ts';
import { readClosedObservations } from './data.ts';
import { baselineProbabilities } from './evaluate.ts';
import { DEFAULT_FIT, fitWinNetwork, type LabelledMatrix } from './fit.ts';
import { buildWinNetwork, DEFAULT_NETWORK } from './model.ts';
import { predictLogits, predictProbabilities } from './predict.ts';
import { fitPreprocessing, inputColumnNames, transform, type Preprocessing } from './preprocess.ts';
import { splitByCloseDate, type SplitPart } from './split.ts';
import { timeWeights } from './time-weights.ts';

/** Bounded for an analyst's loop: about a pass over 100k deals' fit split in total. */
export const QUICK_FIT = { epochs: 8, maxRowsPerEpoch: 32_768, patience: 3 };

export interface FeatureSet {
  name: string;
  /** Features (numeric or categorical) left out of this set; the others stay. */
  without: readonly string[];
}

export interface QuickRun {
  seed: number;
  /** Holdout metrics of the calibrated network. */
  holdout: ClassificationMetrics;
  epochsRun: number;
  bestEpoch: number;
}

export interface QuickEvaluation {
  name: string;
  /** Numeric features the network saw. */
  features: number;
  /** Holdout metrics averaged over the runs (one per seed). */
  holdout: ClassificationMetrics;
  runs: QuickRun[];
  seconds: number;
}

export interface QuickEvaluationResult {
  backend: BackendName;
  fit: { epochs: number; maxRowsPerEpoch: number; patience: number; seeds: number[] };
  split: { fitDeals: number; validationDeals: number; holdoutDeals: number; holdoutObservations: number };
  /** The stage probability on the same holdout rows. */
  baseline: ClassificationMetrics;
  sets: QuickEvaluation[];
  readSeconds: number;
}

export async function quickEvaluate(
  conn: DuckDBConnection,
  options: {
    featureNames: readonly string[];
    sets: FeatureSet[];
    /** One network per seed and set; every set is trained with the same seeds, so differences can be paired. */
    seeds: readonly number[];
    epochs?: number;
    maxRowsPerEpoch?: number;
    holdoutFraction?: number;
    validationFraction?: number;
    table?: string;
    log: Logger;
  },
): Promise<QuickEvaluationResult> {
  const table = options.table ?? 'features_train';
  const backend = await selectBackend(options.log);
  const readStart = performance.now();
  // the columns `wuwei train` uses: the supported catalog features, numeric custom columns, categorical ones
  const discovered = await featureColumnsOf(conn, table, []);
  const numeric = [
    ...options.featureNames,
    ...discovered.numeric.filter((name) => !options.featureNames.includes(name)),
  ];
  const data = await readClosedObservations(conn, table, { numeric, categorical: discovered.categorical });
  const split = splitByCloseDate(data.opportunityIds, data.closeDays, data.labels, {
    holdoutFraction: options.holdoutFraction ?? 0.2,
    validationFraction: options.validationFraction ?? 0.15,
  });
  for (const [name, part] of Object.entries(split)) {
    if (part.wonDeals === 0 || part.lostDeals === 0) {
      throw new WuweiError(
        'not_enough_data',
        `the ${name} split (by close date) has ${part.wonDeals} won and ${part.lostDeals} lost deals: it needs both outcomes`,
      );
    }
  }
  // computed once on every feature, so that leaving the timing features out does not change the weights
  const weights = timeWeights(data);
  const readSeconds = (performance.now() - readStart) / 1000;
  const fitConfig = {
    ...DEFAULT_FIT,
    l2: DEFAULT_NETWORK.l2,
    ...QUICK_FIT,
    ...(options.epochs !== undefined ? { epochs: options.epochs } : {}),
    ...(options.maxRowsPerEpoch !== undefined ? { maxRowsPerEpoch: options.maxRowsPerEpoch } : {}),
  };
  const labelsOf = (part: SplitPart) => Float32Array.from(part.rows, (i) => data.labels[i]!);
  const trainRate = mean(labelsOf(split.fit));
  const baseline = classificationMetrics(
    baselineProbabilities(data.stageProbability, split.holdout.rows, trainRate),
    labelsOf(split.holdout),
  );

  // each feature's scaling depends on that feature alone: fitted once, then each set keeps its own
  const fitted = fitPreprocessing(data.featureNames, data.features, split.fit.rows, 5, {
    names: data.categoricalNames,
    columns: data.categories,
  });

  const sets: QuickEvaluation[] = [];
  for (const set of options.sets) {
    const start = performance.now();
    const kept = data.featureNames.map((name, j) => ({ name, j })).filter(({ name }) => !set.without.includes(name));
    const columns = kept.map(({ j }) => data.features[j]!);
    const keptText = data.categoricalNames
      .map((name, k) => ({ name, k }))
      .filter(({ name }) => !set.without.includes(name));
    const categories = keptText.map(({ k }) => data.categories[k]!);
    const preprocessing: Preprocessing = {
      ...fitted,
      features: kept.map(({ j }) => fitted.features[j]!),
      categorical: keptText.map(({ k }) => fitted.categorical[k]!),
    };
    const width = inputColumnNames(preprocessing).length;
    const matrixOf = (part: SplitPart): LabelledMatrix => ({
      x: transform(preprocessing, { numeric: columns, categorical: categories }, part.rows),
      w: Float32Array.from(part.rows, (i) => weights[i]!),
      y: labelsOf(part),
      rows: part.rows.length,
      columns: width,
    });
    const fitData = matrixOf(split.fit);
    const validationData = matrixOf(split.validation);
    const holdoutData = matrixOf(split.holdout);
    const runs: QuickRun[] = [];
    for (const seed of options.seeds) {
      const network = buildWinNetwork(width, DEFAULT_NETWORK, seed);
      try {
        const fit = await fitWinNetwork(network, fitData, validationData, fitConfig, seed, options.log);
        const calibrated = {
          ...preprocessing,
          calibration: fitPlatt(await predictLogits(network, validationData.x, width), validationData.y, {
            weights: validationData.w!,
          }),
        };
        const probabilities = await predictProbabilities({ network, preprocessing: calibrated }, holdoutData.x);
        runs.push({
          seed,
          holdout: classificationMetrics(probabilities, holdoutData.y),
          epochsRun: fit.epochsRun,
          bestEpoch: fit.bestEpoch,
        });
      } finally {
        network.dispose();
      }
    }
    const holdout = meanMetrics(runs.map((run) => run.holdout));
    const evaluation = {
      name: set.name,
      features: kept.length,
      holdout,
      runs,
      seconds: (performance.now() - start) / 1000,
    };
    options.log.info(
      `quick model, ${set.name}: holdout AUC ${holdout.auc.toFixed(3)}, log loss ${holdout.logLoss.toFixed(3)}, ECE ${holdout.ece.toFixed(3)}` +
        `${runs.length > 1 ? ` (mean of ${runs.length} seeds)` : ''} (${evaluation.seconds.toFixed(1)} s)`,
    );
    sets.push(evaluation);
  }
  return {
    backend,
    fit: {
      epochs: fitConfig.epochs,
      maxRowsPerEpoch: fitConfig.maxRowsPerEpoch,
      patience: fitConfig.patience,
      seeds: [...options.seeds],
    },
    split: {
      fitDeals: split.fit.deals,
      validationDeals: split.validation.deals,
      holdoutDeals: split.holdout.deals,
      holdoutObservations: split.holdout.rows.length,
    },
    baseline,
    sets,
    readSeconds,
  };
}

function meanMetrics(all: ClassificationMetrics[]): ClassificationMetrics {
  const average = (key: keyof ClassificationMetrics) => all.reduce((total, m) => total + m[key], 0) / all.length;
  return {
    auc: average('auc'),
    prAuc: average('prAuc'),
    logLoss: average('logLoss'),
    brier: average('brier'),
    ece: average('ece'),
  };
}

function mean(values: Float32Array): number {
  let total = 0;
  for (const value of values) total += value;
  return values.length > 0 ? total / values.length : Number.NaN;
}
