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
import type * as tf from '@tensorflow/tfjs';
import type { Logger } from '../../pipeline/base/log.ts';
import { Random } from '../../pipeline/base/random.ts';
import { fitPlatt, type PlattScaling } from '../calibration.ts';
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
  /** Epochs each fold's network trains: the best epoch early stopping found for the model itself. */
  epochs: number;
  folds: number;
  seed: number;
  log: Logger;
}

export interface CrossFitCalibration {
  scaling: PlattScaling;
  /** The fold networks (the caller owns and disposes them). */
  members: tf.LayersModel[];
  rows: number;
}

export async function crossFittedPlatt(inputs: CrossFitInputs): Promise<CrossFitCalibration> {
  const { rows, folds } = inputs;
  const foldOf = dealFolds(rows, inputs.opportunityIds, folds, inputs.seed);
  const logits = new Float32Array(rows.length);
  // A fixed number of epochs: minDelta = Infinity never counts an epoch as better, so the held-out
  // fold only receives predictions and never chooses weights.
  const fixed: FitConfig = { ...inputs.fitConfig, epochs: Math.max(1, inputs.epochs), patience: Math.max(1, inputs.epochs), minDelta: Number.POSITIVE_INFINITY };
  const quiet = { info: () => {}, warn: inputs.log.warn };
  const members: tf.LayersModel[] = [];
  for (let k = 0; k < folds; k++) {
    const inFold = rows.filter((_, i) => foldOf[i] === k);
    const outOfFold = rows.filter((_, i) => foldOf[i] !== k);
    if (inFold.length === 0 || outOfFold.length === 0) continue;
    const heldOut = inputs.matrixOf(inFold);
    const network = buildWinNetwork(inputs.width, inputs.network, inputs.seed + 1000 + k);
    members.push(network);
    await fitWinNetwork(network, inputs.matrixOf(outOfFold), heldOut, fixed, inputs.seed + 1000 + k, quiet);
    const predicted = await predictLogits(network, heldOut.x, inputs.width);
    let j = 0;
    for (let i = 0; i < rows.length; i++) if (foldOf[i] === k) logits[i] = predicted[j++]!;
  }
  const all = inputs.matrixOf(rows);
  const scaling = fitPlatt(logits, all.y, all.w ? { weights: all.w } : {});
  inputs.log.info(`calibration cross-fitted over ${folds} folds of the training deals (${rows.length} out-of-fold observations, ${inputs.epochs} epochs each): a ${scaling.a.toFixed(3)}, b ${scaling.b.toFixed(3)}`);
  return { scaling, members, rows: rows.length };
}

/** Fold of each row: all rows of a deal share one, drawn by a seeded shuffle of the deals. */
function dealFolds(rows: Int32Array, opportunityIds: readonly string[], folds: number, seed: number): Int32Array {
  const deals = [...new Set(Array.from(rows, (r) => opportunityIds[r]!))];
  const order = new Random(seed).permutation(deals.length);
  const fold = new Map<string, number>();
  for (const [position, dealIndex] of order.entries()) fold.set(deals[dealIndex]!, position % folds);
  return Int32Array.from(rows, (r) => fold.get(opportunityIds[r]!)!);
}
