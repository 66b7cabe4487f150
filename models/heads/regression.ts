/**
 * A regression network on the win model's inputs (same preprocessing): the same MLP and training
 * loop, with squared error instead of cross-entropy. The deal-size and close-timing models use it.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Logger } from '../../pipeline/base/log.ts';
import { fitWinNetwork, type FitConfig, type FitResult } from '../win/fit.ts';
import { buildWinNetwork, type WinNetworkConfig } from '../win/model.ts';
import { predictLogits } from '../win/predict.ts';

export interface RegressionData {
  x: Float32Array;
  y: Float32Array;
  rows: number;
  /** Per-row sample weights (default 1). */
  w?: Float32Array;
}

export async function fitRegression(
  width: number,
  fit: RegressionData,
  validation: RegressionData,
  network: WinNetworkConfig,
  config: FitConfig,
  seed: number,
  log: Logger,
): Promise<{ network: tf.LayersModel; result: FitResult }> {
  const model = buildWinNetwork(width, network, seed);
  try {
    const result = await fitWinNetwork(
      model,
      { ...fit, columns: width },
      { ...validation, columns: width },
      config,
      seed,
      log,
      'squared',
    );
    return { network: model, result };
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/** The network's output per row. */
export function predictRegression(network: tf.LayersModel, x: Float32Array, width: number): Promise<Float32Array> {
  return predictLogits(network, x, width);
}

/** Mean of the targets: the bias the output starts from, so that training need not learn the level. */
export function meanOf(values: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i]!;
  return values.length > 0 ? total / values.length : 0;
}
