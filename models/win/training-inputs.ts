/**
 * Training step 2, the inputs: preprocessing learned from the fit split only (no statistic of the
 * validation or holdout deals leaks in), then each split as a labelled matrix with its deal-day weights.
 */
import type { Logger } from '../../pipeline/base/log.ts';
import type { HeadInputs } from '../heads/train.ts';
import type { FitConfig, LabelledMatrix } from './fit.ts';
import type { WinNetworkConfig } from './model.ts';
import { fitPreprocessing, inputColumnNames, transform } from './preprocess.ts';
import type { SplitPart } from './split.ts';
import { timeWeights } from './time-weights.ts';
import type { TrainingData } from './training-data.ts';

/** Everything the networks are trained on; the deal-size and close-timing heads take the same. */
export interface TrainingInputs extends HeadInputs {
  train: SplitPart;
  fitData: LabelledMatrix;
  validationData: LabelledMatrix;
  holdoutData: LabelledMatrix;
  matrixOf: (part: SplitPart) => LabelledMatrix;
}

export interface TrainingInputOptions {
  network: WinNetworkConfig;
  fitConfig: FitConfig;
  seed: number;
  minLevelCount?: number | undefined;
  /** Weigh observations by the deal-days they stand for (see time-weights.ts). */
  timeWeighting: boolean;
  log: Logger;
}

export function prepareTrainingInputs(
  { data, split, train }: TrainingData,
  options: TrainingInputOptions,
): TrainingInputs {
  const preprocessing = fitPreprocessing(data.featureNames, data.features, split.fit.rows, 5, {
    names: data.categoricalNames,
    columns: data.categories,
    ...(options.minLevelCount !== undefined ? { minLevelCount: options.minLevelCount } : {}),
  });
  const width = inputColumnNames(preprocessing).length;
  const inputs = { numeric: data.features, categorical: data.categories };
  const sampleWeights = options.timeWeighting ? timeWeights(data) : null;
  const matrixOf = (part: SplitPart): LabelledMatrix => ({
    x: transform(preprocessing, inputs, part.rows),
    ...(sampleWeights ? { w: Float32Array.from(part.rows, (i) => sampleWeights[i]!) } : {}),
    y: Float32Array.from(part.rows, (i) => data.labels[i]!),
    rows: part.rows.length,
    columns: width,
  });
  return {
    data,
    split,
    train,
    preprocessing,
    inputs,
    width,
    sampleWeights,
    network: options.network,
    fitConfig: options.fitConfig,
    seed: options.seed,
    log: options.log,
    fitData: matrixOf(split.fit),
    validationData: matrixOf(split.validation),
    holdoutData: matrixOf(split.holdout),
    matrixOf,
  };
}

/** The part of the inputs the deal-size and close-timing models need: plain data, so a worker thread can take a copy. */
export function headInputsOf(inputs: TrainingInputs): HeadInputs {
  const { data, split, preprocessing, inputs: columns, width, network, fitConfig, seed, log, sampleWeights } = inputs;
  return { data, split, preprocessing, inputs: columns, width, network, fitConfig, seed, log, sampleWeights };
}
