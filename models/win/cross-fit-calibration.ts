/**
 * Calibration fitted across folds, for small histories. Platt scaling fitted on the validation split
 * alone rests on its few hundred deals, all closed in the same few months: on 3,000-opportunity
 * exports that left open-deal probabilities 0.05-0.10 off. Here the training deals (fit and
 * validation) are cut into K folds by deal; a network with the chosen architecture is trained on
 * the other folds for the number of epochs early stopping chose, and predicts its own fold. Platt
 * scaling is then fitted on these out-of-fold logits of every training deal (weighted like the
 * training rows, and by recency: the win rate drifts), and the fold networks, averaged, become the
 * model (the slope restated for the average, see forTheEnsemble): the calibration sees K times more
 * deals, from the whole history, none of which the network that scored it had seen.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Logger } from '../../pipeline/base/log.ts';
import { Random } from '../../pipeline/base/random.ts';
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
  /** Epochs each fold's network trains: the best epoch early stopping found for the model itself. */
  epochs: number;
  folds: number;
  seed: number;
  log: Logger;
  /** Close day of each training row (in `rows` order): calibration leans towards the recent win rate. */
  closeDays?: ArrayLike<number>;
}

export interface CrossFitCalibration {
  scaling: PlattScaling;
  /** Per training row (in `rows` order): the fold that scored it, its calibrated out-of-fold probability and its calibration weight. */
  outOfFold: { foldOf: Int32Array; probabilities: Float32Array; weights: Float32Array };
  /** The training rows' labelled matrix. */
  matrix: LabelledMatrix;
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
  const fixed: FitConfig = {
    ...inputs.fitConfig,
    epochs: Math.max(1, inputs.epochs),
    patience: Math.max(1, inputs.epochs),
    minDelta: Number.POSITIVE_INFINITY,
  };
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
  const weights = calibrationWeights(all.w, inputs.closeDays);
  const single = fitPlatt(logits, all.y, { weights });
  const scaling = await forTheEnsemble(single, logits, members, all.x, inputs.width);
  inputs.log.info(
    `calibration cross-fitted over ${folds} folds of the training deals (${rows.length} out-of-fold observations, ${inputs.epochs} epochs each): a ${single.a.toFixed(3)}, b ${single.b.toFixed(3)}; for the average of the ${members.length} fold networks: a ${scaling.a.toFixed(3)}, b ${scaling.b.toFixed(3)}`,
  );
  return {
    scaling,
    outOfFold: { foldOf, probabilities: applyPlatt(single, logits), weights },
    matrix: all,
    members,
    rows: rows.length,
  };
}

/** Days over which a closed deal's weight in the calibration halves: the win rate drifts (the mix of new and repeat business, the market). */
export const CALIBRATION_HALF_LIFE_DAYS = 365;

/** The training rows' weights (deal-days), times a recency factor that halves every CALIBRATION_HALF_LIFE_DAYS before the newest close. */
export function calibrationWeights(
  sampleWeights: Float32Array | undefined,
  closeDays: ArrayLike<number> | undefined,
): Float32Array {
  const n = closeDays?.length ?? sampleWeights?.length ?? 0;
  const weights = sampleWeights ? Float32Array.from(sampleWeights) : new Float32Array(n).fill(1);
  if (!closeDays) return weights;
  let newest = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < closeDays.length; i++) newest = Math.max(newest, closeDays[i]!);
  for (let i = 0; i < weights.length; i++)
    weights[i]! *= 0.5 ** ((newest - closeDays[i]!) / CALIBRATION_HALF_LIFE_DAYS);
  return weights;
}

/**
 * Platt scaling fitted on one network's out-of-fold logits, restated for the average of the fold
 * networks' logits. One network's logit is the signal plus its own noise; the slope fitted on it is
 * diluted by that noise (var f / (var f + noise)). Averaging K networks divides the noise variance
 * by about K, so the same slope leaves the ensemble under-confident (on 3,000-opportunity exports
 * its open-deal probabilities spread 25% less than the oracle's). The slope is scaled by
 * var(out-of-fold logit) / var(ensemble logit) on the training rows, and the intercept keeps the
 * calibrated mean logit where it was.
 */
async function forTheEnsemble(
  single: PlattScaling,
  outOfFold: Float32Array,
  members: tf.LayersModel[],
  x: Float32Array,
  width: number,
): Promise<PlattScaling> {
  if (members.length < 2) return single;
  const ensemble = new Float32Array(outOfFold.length);
  for (const member of members) {
    const logits = await predictLogits(member, x, width);
    for (let i = 0; i < ensemble.length; i++) ensemble[i]! += logits[i]! / members.length;
  }
  const [oofMean, oofVariance] = meanAndVariance(outOfFold);
  const [ensembleMean, ensembleVariance] = meanAndVariance(ensemble);
  if (!(ensembleVariance > 0) || !(oofVariance > 0)) return single;
  const a = single.a * Math.max(1, oofVariance / ensembleVariance);
  return { a, b: single.b + single.a * oofMean - a * ensembleMean };
}

function meanAndVariance(values: Float32Array): [number, number] {
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / values.length;
  let squares = 0;
  for (const v of values) squares += (v - mean) ** 2;
  return [mean, squares / values.length];
}

/** Fold of each row: all rows of a deal share one, drawn by a seeded shuffle of the deals. */
function dealFolds(rows: Int32Array, opportunityIds: readonly string[], folds: number, seed: number): Int32Array {
  const deals = [...new Set(Array.from(rows, (r) => opportunityIds[r]!))];
  const order = new Random(seed).permutation(deals.length);
  const fold = new Map<string, number>();
  for (const [position, dealIndex] of order.entries()) fold.set(deals[dealIndex]!, position % folds);
  return Int32Array.from(rows, (r) => fold.get(opportunityIds[r]!)!);
}
