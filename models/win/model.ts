/**
 * The win-probability network: a small multilayer perceptron whose last layer outputs a logit.
 * The sigmoid is applied in the loss (sigmoid cross-entropy, computed stably from the logit) and,
 * after Platt calibration, in prediction; keeping the logit lets calibration work on it exactly.
 */
import * as tf from '@tensorflow/tfjs';
import { Random } from '../../pipeline/base/random.ts';

export interface WinNetworkConfig {
  /** Units per hidden layer. */
  hidden: number[];
  activation: 'relu' | 'elu' | 'tanh';
  /** Dropout rate after each hidden layer (0 for none). */
  dropout: number;
  /** L2 penalty on the kernels, added to the training loss as l2 * sum(w^2). */
  l2: number;
}

export const DEFAULT_NETWORK: WinNetworkConfig = { hidden: [32, 16], activation: 'relu', dropout: 0.1, l2: 1e-4 };

/** Builds the network with every initializer seeded, so the same seed starts from the same weights. */
export function buildWinNetwork(inputSize: number, config: WinNetworkConfig, seed: number): tf.Sequential {
  const random = new Random(seed);
  const network = tf.sequential({ name: 'wuwei_win' });
  config.hidden.forEach((units, k) => {
    network.add(
      tf.layers.dense({
        name: `hidden_${k + 1}`,
        units,
        activation: config.activation,
        kernelInitializer:
          config.activation === 'relu'
            ? tf.initializers.heNormal({ seed: random.nextSeed() })
            : tf.initializers.glorotUniform({ seed: random.nextSeed() }),
        biasInitializer: 'zeros',
        ...(k === 0 ? { inputShape: [inputSize] } : {}),
      }),
    );
    if (config.dropout > 0)
      network.add(tf.layers.dropout({ name: `dropout_${k + 1}`, rate: config.dropout, seed: random.nextSeed() }));
  });
  network.add(
    tf.layers.dense({
      name: 'logit',
      units: 1,
      activation: 'linear',
      kernelInitializer: tf.initializers.glorotUniform({ seed: random.nextSeed() }),
      biasInitializer: 'zeros',
      ...(config.hidden.length === 0 ? { inputShape: [inputSize] } : {}),
    }),
  );
  return network;
}

/** The dense kernels (not the biases): what the L2 penalty applies to. */
export function kernelsOf(network: tf.LayersModel): tf.Tensor[] {
  return network.layers
    .filter((layer) => layer.getClassName() === 'Dense')
    .map((layer) => layer.trainableWeights[0]!.read());
}

/**
 * tfjs Dropout draws its mask from `seed` when one is set, so a fixed seed would drop the same
 * units on every batch, and no seed falls back to Math.random (not reproducible). The training
 * loop therefore gives each dropout layer a new seed per batch, drawn from the run's seed.
 */
export function reseedDropout(network: tf.LayersModel, random: Random): void {
  for (const layer of network.layers) {
    if (layer.getClassName() === 'Dropout') (layer as unknown as { seed: number }).seed = random.nextSeed();
  }
}
