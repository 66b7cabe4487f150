/**
 * Training step 2, the inputs: preprocessing learned from the fit split only (no statistic of the
 * validation or holdout deals leaks in), then each split as a labelled matrix with its deal-day weights.
 */
import type { Logger } from '../../pipeline/base/log.ts';
import type { HeadInputs } from '../heads/train.ts';
import type { FitConfig, LabelledMatrix } from './fit.ts';
import type { WinNetworkConfig } from './model.ts';
import { fitPreprocessing, inputColumnNames, transform } from './preprocess.ts';
import { joinParts, type SplitPart } from './split.ts';
import { censoringWeights } from './censoring-weights.ts';
import { timeWeights } from './time-weights.ts';
import type { TrainingData } from './training-data.ts';

/** Everything the networks are trained on; the deal-size and close-timing heads take the same. */
export interface TrainingInputs extends HeadInputs {
  train: SplitPart;
  fitData: LabelledMatrix;
  validationData: LabelledMatrix;
  holdoutData: LabelledMatrix;
  matrixOf: (part: SplitPart) => LabelledMatrix;
  /** Every closed deal (train and holdout): what the scoring model is refitted on once the holdout has judged. */
  history: SplitPart;
  /** As matrixOf, the censoring weights taken at the cut (the holdout's end) for every row. */
  historyMatrixOf: (part: SplitPart) => LabelledMatrix;
}

export interface TrainingInputOptions {
  network: WinNetworkConfig;
  fitConfig: FitConfig;
  seed: number;
  minLevelCount?: number | undefined;
  /** Weigh observations by the deal-days they stand for (see time-weights.ts). */
  timeWeighting: boolean;
  /** Weigh the win model's observations by 1 / the chance their deal had closed by the split's end (censoring-weights.ts). */
  censoringWeighting: boolean;
  log: Logger;
}

export function prepareTrainingInputs(
  { data, split, train, createdDays }: TrainingData,
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
  const censoring = options.censoringWeighting
    ? censoringWeights(data, createdDays, splitEnd(data, split, train))
    : undefined;
  if (censoring) logCensoring(censoring, data.labels, options.log);
  const winWeights = censoring ? withCensoring(sampleWeights, censoring) : sampleWeights;
  const matrixWith =
    (weights: Float32Array | null) =>
    (part: SplitPart): LabelledMatrix => ({
      x: transform(preprocessing, inputs, part.rows),
      ...(weights ? { w: Float32Array.from(part.rows, (i) => weights[i]!) } : {}),
      y: Float32Array.from(part.rows, (i) => data.labels[i]!),
      rows: part.rows.length,
      columns: width,
    });
  const matrixOf = matrixWith(winWeights);
  // refitted on every closed deal, each was there because it closed by the cut
  const history = joinParts(train, split.holdout);
  const historyWeights = options.censoringWeighting
    ? withCensoring(
        sampleWeights,
        censoringWeights(data, createdDays, () => history.toDay),
      )
    : sampleWeights;
  return {
    data,
    split,
    train,
    preprocessing,
    inputs,
    width,
    // the heads learn from the same closed history as the win model, and long deals are as under-represented in it
    sampleWeights: winWeights,
    historyWeights,
    network: options.network,
    fitConfig: options.fitConfig,
    seed: options.seed,
    log: options.log,
    fitData: matrixOf(split.fit),
    validationData: matrixOf(split.validation),
    holdoutData: matrixOf(split.holdout),
    matrixOf,
    history,
    historyMatrixOf: matrixWith(historyWeights),
  };
}

/** The last close day of each row's split: a training row could only be there if its deal closed by the training
 * split's end, a holdout row by the holdout's. */
function splitEnd(data: TrainingData['data'], split: TrainingData['split'], train: SplitPart): (row: number) => number {
  const holdoutFrom = split.holdout.fromDay;
  return (row) => (data.closeDays[row]! >= holdoutFrom ? split.holdout.toDay : train.toDay);
}

function logCensoring(censoring: Float32Array, labels: Float32Array, log: Logger): void {
  const sums = [0, 0];
  const counts = [0, 0];
  for (let i = 0; i < censoring.length; i++) {
    sums[labels[i]!]! += censoring[i]!;
    counts[labels[i]!]! += 1;
  }
  const mean = (k: number) => (counts[k]! > 0 ? sums[k]! / counts[k]! : 1).toFixed(3);
  log.info(`censoring weights (1 / chance of having closed by the split's end): won ${mean(1)}, lost ${mean(0)}`);
}

/** The deal-day weights (or 1) times the censoring weights, mean 1. */
function withCensoring(sampleWeights: Float32Array | null, censoring: Float32Array): Float32Array {
  const weights = Float32Array.from(censoring, (w, i) => w * (sampleWeights ? sampleWeights[i]! : 1));
  let total = 0;
  for (const w of weights) total += w;
  const mean = weights.length > 0 && total > 0 ? total / weights.length : 1;
  for (let i = 0; i < weights.length; i++) weights[i]! /= mean;
  return weights;
}

/** The part of the inputs the deal-size and close-timing models need: plain data, so a worker thread can take a copy. */
export function headInputsOf(inputs: TrainingInputs, refitOnHistory = false, relevelOnRecent = false): HeadInputs {
  const { data, split, preprocessing, inputs: columns, width, network, fitConfig, seed, log } = inputs;
  const { sampleWeights, historyWeights } = inputs;
  return {
    data,
    split,
    preprocessing,
    inputs: columns,
    width,
    network,
    fitConfig,
    seed,
    log,
    sampleWeights,
    historyWeights,
    refitOnHistory,
    relevelOnRecent,
  };
}
