/**
 * Calibration fitted across folds, for small histories. Platt scaling fitted on the validation split
 * alone rests on its few hundred deals, all closed in the same few months: on 3,000-opportunity
 * exports that left open-deal probabilities 0.05-0.10 off. Here the training deals (fit and
 * validation) are cut into K folds by deal; a network with the chosen architecture is trained on
 * the other folds for the number of epochs early stopping chose, and predicts its own fold. Platt
 * scaling is then fitted on these out-of-fold logits of every training deal (weighted like the
 * training rows), and applied to the model trained as usual: the calibration sees K times more
 * deals, from the whole history, none of which the network that scored it had seen.
 */
import * as tf from '@tensorflow/tfjs';
import type { Logger } from '../../pipeline/log.ts';
import { Random } from '../../pipeline/random.ts';
import { applyPlatt, fitPlatt, type PlattScaling } from '../calibration.ts';
import { fitWinNetwork, type FitConfig, type LabelledMatrix } from './fit.ts';
import { buildWinNetwork, type WinNetworkConfig } from './model.ts';
import { predictLogits } from './predict.ts';

/** Below this many training deals calibration is cross-fitted; above, the validation split is large enough. */
export const CROSS_FIT_MAX_DEALS = 15_000;
export const DEFAULT_CALIBRATION_FOLDS = 5;

export interface CrossFitInputs {
  /** Row indices (into the observation arrays) of the training deals: fit and validation splits. */
  rows: Int32Array;
  opportunityIds: readonly string[];
  /** Builds the labelled matrix of some rows, as the training loop does. */
  matrixOf: (rows: Int32Array) => LabelledMatrix;
  width: number;
  network: WinNetworkConfig;
  fitConfig: FitConfig;
  /** Epochs each fold's network trains, of which the best by pooled held-out loss is kept. */
  epochs: number;
  folds: number;
  seed: number;
  log: Logger;
}

export interface CrossFitCalibration {
  scaling: PlattScaling;
  /** Per training row (in `rows` order): the fold that scored it and its calibrated out-of-fold probability. */
  outOfFold: { foldOf: Int32Array; probabilities: Float32Array };
  /** The training rows' labelled matrix. */
  matrix: LabelledMatrix;
  /** The fold networks (the caller owns and disposes them). */
  members: tf.LayersModel[];
  rows: number;
  /** The epoch kept in every fold network. */
  bestEpoch: number;
}

export async function crossFittedPlatt(inputs: CrossFitInputs): Promise<CrossFitCalibration> {
  const { rows, folds } = inputs;
  const foldOf = dealFolds(rows, inputs.opportunityIds, folds, inputs.seed);
  let bestEpoch = 0;
  const logits = new Float32Array(rows.length);
  // Every fold trains the same span of epochs (minDelta = Infinity: the held-out fold never stops
  // it), keeping its weights after each; the epoch kept is the one with the lowest held-out loss
  // pooled over all folds, a choice resting on every training deal instead of the few hundred of
  // the validation split (on 3,000-opportunity exports that split's best epoch ranged from 2 to 9).
  const span = Math.max(1, inputs.epochs);
  const fixed: FitConfig = { ...inputs.fitConfig, epochs: span, patience: span, minDelta: Number.POSITIVE_INFINITY };
  const quiet = { info: () => {}, warn: inputs.log.warn };
  const members: tf.LayersModel[] = [];
  const snapshots: tf.Tensor[][][] = [];
  const pooledLoss = new Float64Array(span);
  const heldOutRows: Int32Array[] = [];
  try {
    for (let k = 0; k < folds; k++) {
      const inFold = rows.filter((_, i) => foldOf[i] === k);
      const outOfFold = rows.filter((_, i) => foldOf[i] !== k);
      if (inFold.length === 0 || outOfFold.length === 0) continue;
      const network = buildWinNetwork(inputs.width, inputs.network, inputs.seed + 1000 + k);
      const kept: tf.Tensor[][] = [];
      members.push(network);
      snapshots.push(kept);
      heldOutRows.push(Int32Array.from({ length: rows.length }, (_, i) => i).filter((i) => foldOf[i] === k));
      await fitWinNetwork(network, inputs.matrixOf(outOfFold), inputs.matrixOf(inFold), fixed, inputs.seed + 1000 + k, quiet, 'logistic', (record, current) => {
        pooledLoss[record.epoch - 1] += record.validationLoss * inFold.length;
        kept.push(current.getWeights().map((weight) => weight.clone()));
      });
    }
    const best = pooledLoss.indexOf(Math.min(...pooledLoss));
    for (const [m, network] of members.entries()) {
      network.setWeights(snapshots[m]![Math.min(best, snapshots[m]!.length - 1)]!);
      const own = heldOutRows[m]!;
      const predicted = await predictLogits(network, inputs.matrixOf(Int32Array.from(own, (i) => rows[i]!)).x, inputs.width);
      own.forEach((i, j) => (logits[i] = predicted[j]!));
    }
    bestEpoch = best + 1;
  } finally {
    for (const kept of snapshots) for (const weights of kept) tf.dispose(weights);
  }
  const all = inputs.matrixOf(rows);
  const scaling = fitPlatt(logits, all.y, all.w ? { weights: all.w } : {});
  inputs.log.info(`calibration cross-fitted over ${folds} folds of the training deals (${rows.length} out-of-fold observations, epoch ${bestEpoch} of ${span} chosen on the pooled held-out loss): a ${scaling.a.toFixed(3)}, b ${scaling.b.toFixed(3)}`);
  return { scaling, outOfFold: { foldOf, probabilities: applyPlatt(scaling, logits) }, matrix: all, members, rows: rows.length, bestEpoch };
}

/** Fold of each row: all rows of a deal share one, drawn by a seeded shuffle of the deals. */
function dealFolds(rows: Int32Array, opportunityIds: readonly string[], folds: number, seed: number): Int32Array {
  const deals = [...new Set(Array.from(rows, (r) => opportunityIds[r]!))];
  const order = new Random(seed).permutation(deals.length);
  const fold = new Map<string, number>();
  order.forEach((dealIndex, position) => fold.set(deals[dealIndex]!, position % folds));
  return Int32Array.from(rows, (r) => fold.get(opportunityIds[r]!)!);
}
