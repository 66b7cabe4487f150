/**
 * Several networks trained from different seeds, averaged on the logit, as one tf.LayersModel:
 * a functional model with one branch per member (the members' layers, renamed, weights copied)
 * and an average at the end. Saved and loaded like any layers model, predicted in one pass.
 */
import * as tf from '@tensorflow/tfjs';
import type { WinNetworkConfig } from './model.ts';

export function buildEnsemble(members: tf.LayersModel[], inputSize: number, config: WinNetworkConfig): tf.LayersModel {
  const input = tf.input({ shape: [inputSize], name: 'features' });
  const outputs = members.map((member, m) => {
    let x: tf.SymbolicTensor = input;
    for (const layer of member.layers) {
      if (layer.getClassName() !== 'Dense') continue; // dropout is inactive at prediction
      const dense = layer as unknown as { units: number; activation: { getClassName(): string } };
      const copy = tf.layers.dense({
        name: `m${m + 1}_${layer.name}`,
        units: dense.units,
        activation: layer.name === 'logit' ? 'linear' : config.activation,
      });
      x = copy.apply(x) as tf.SymbolicTensor;
      copy.setWeights(layer.getWeights());
    }
    return x;
  });
  const output = tf.layers.average({ name: 'logit_mean' }).apply(outputs) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: 'wuwei_win_ensemble' });
}
