/**
 * Training step 3, the networks: `ensembleSize` win networks trained with consecutive seeds and early
 * stopping on the validation split, averaged on the logit when there are several.
 */
import type * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../backend.ts';
import { buildEnsemble } from './ensemble.ts';
import { fitWinNetwork, type FitResult } from './fit.ts';
import { buildWinNetwork } from './model.ts';
import type { TrainingInputs } from './training-inputs.ts';

/** The networks one training holds; `disposeNetworks` frees them all when it ends, however it ends. */
export interface Networks {
  members: tf.LayersModel[];
  model?: tf.LayersModel;
  amount?: tf.LayersModel;
  close?: tf.LayersModel;
}

export interface EnsembleFit {
  /** The first member's fit, with the most epochs run and the mean best epoch of all members. */
  fitted: FitResult;
  trainSeconds: number;
}

export async function trainEnsemble(
  networks: Networks,
  inputs: TrainingInputs,
  ensembleSize: number,
  backend: BackendName,
): Promise<EnsembleFit> {
  const { width, network, fitConfig, seed, log } = inputs;
  const started = performance.now();
  const fits: FitResult[] = [];
  for (let k = 0; k < ensembleSize; k++) {
    const member = buildWinNetwork(width, network, seed + k);
    networks.members.push(member);
    fits.push(await fitWinNetwork(member, inputs.fitData, inputs.validationData, fitConfig, seed + k, log));
  }
  networks.model = ensembleSize === 1 ? networks.members[0]! : buildEnsemble(networks.members, width, network);
  const bestEpochs = fits.map((f) => f.bestEpoch);
  const fitted = {
    ...fits[0]!,
    epochsRun: Math.max(...fits.map((f) => f.epochsRun)),
    bestEpoch: Math.round(bestEpochs.reduce((a, b) => a + b, 0) / fits.length),
  };
  const trainSeconds = (performance.now() - started) / 1000;
  log.info(
    `trained ${ensembleSize} network(s) on ${backend} in ${trainSeconds.toFixed(1)} s: best epochs ${bestEpochs.join(', ')} (${width} inputs, hidden [${network.hidden.join(', ')}])`,
  );
  return { fitted, trainSeconds };
}

export function disposeNetworks(networks: Networks): void {
  for (const member of networks.members) member.dispose();
  if (networks.model && !networks.members.includes(networks.model)) networks.model.dispose();
  networks.amount?.dispose();
  networks.close?.dispose();
}
