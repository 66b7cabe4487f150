/**
 * Prediction: the input matrix goes through the network in large chunks (model.predict's default
 * batch of 32 makes wasm ~10x slower), then Platt scaling turns logits into win probabilities, shrunk
 * towards the stage baseline where the model was trained on few deals (stage-shrinkage.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { applyPlatt } from '../calibration.ts';
import type { WinModel } from './artifacts.ts';
import { readObservations, type FeatureSelection } from './data.ts';
import { inputColumnNames, transform, type Preprocessing } from './preprocess.ts';
import { applyStageShrinkage, levelsInMatrix } from './stage-shrinkage.ts';

/** Rows per forward pass: large enough to be fast, small enough to bound memory. */
const CHUNK_ROWS = 65_536;

export interface WinPredictions {
  opportunityIds: string[];
  /** Calibrated win probability per row, in the order of `opportunityIds`. */
  probabilities: Float32Array;
}

/** Scores every row of a feature table (default `features_score`) with the model's calibrated probability. */
export async function predictWin(
  model: WinModel,
  conn: DuckDBConnection,
  table = 'features_score',
): Promise<WinPredictions> {
  const observations = await readObservations(conn, table, selectionOf(model.preprocessing));
  const matrix = transform(model.preprocessing, {
    numeric: observations.features,
    categorical: observations.categories,
  });
  return { opportunityIds: observations.opportunityIds, probabilities: await predictProbabilities(model, matrix) };
}

/** The columns a model reads. */
export function selectionOf(preprocessing: Preprocessing): FeatureSelection {
  return {
    numeric: preprocessing.features.map((feature) => feature.name),
    categorical: (preprocessing.categorical ?? []).map((encoding) => encoding.name),
  };
}

/** Calibrated probabilities for a preprocessed input matrix (row-major). */
export async function predictProbabilities(
  model: Pick<WinModel, 'network' | 'preprocessing'>,
  matrix: Float32Array,
): Promise<Float32Array> {
  const logits = await predictLogits(model.network, matrix, inputColumnNames(model.preprocessing).length);
  return probabilitiesOfLogits(model.preprocessing, logits, matrix);
}

/** The network's logits for a matrix as calibrated probabilities (Platt scaling, then stage shrinkage). */
export function probabilitiesOfLogits(
  preprocessing: Preprocessing,
  logits: Float32Array,
  matrix: Float32Array,
): Float32Array {
  const probabilities = applyPlatt(preprocessing.calibration, logits);
  const shrinkage = preprocessing.shrinkage;
  const levels = shrinkage ? levelsInMatrix(preprocessing, matrix, shrinkage.column) : null;
  return shrinkage && levels ? applyStageShrinkage(shrinkage, probabilities, levels.levels) : probabilities;
}

/** The network's raw logit per row of a row-major matrix with `columns` columns. */
export async function predictLogits(
  network: tf.LayersModel,
  matrix: Float32Array,
  columns: number,
): Promise<Float32Array> {
  const rows = columns > 0 ? matrix.length / columns : 0;
  const logits = new Float32Array(rows);
  for (let start = 0; start < rows; start += CHUNK_ROWS) {
    const end = Math.min(rows, start + CHUNK_ROWS);
    const output = tf.tidy(
      () =>
        network.predict(tf.tensor2d(matrix.subarray(start * columns, end * columns), [end - start, columns]), {
          batchSize: end - start,
        }) as tf.Tensor,
    );
    logits.set(await output.data(), start);
    output.dispose();
  }
  return logits;
}
