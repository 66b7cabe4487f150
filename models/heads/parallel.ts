/**
 * Trains the deal-size and close-timing models in worker threads (worker.ts) while the win model
 * trains on the main thread: TensorFlow.js on wasm uses one thread, and the heads were most of the
 * train stage (83 of 130 s at 100k). Each worker gets its own copy of the inputs; the weights come
 * back into a network built here, the same one trainHead would have returned.
 */
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import type { AmountModelHead, CloseModelHead } from '../win/artifacts.ts';
import { buildWinNetwork } from '../win/model.ts';
import type { AmountEvaluation } from './amount.ts';
import type { CloseEvaluation } from './close.ts';
import type { HeadInputs, Trained } from './train.ts';

export type HeadKind = 'amount' | 'close';

export interface HeadWorkerRequest {
  kind: HeadKind;
  inputs: Omit<HeadInputs, 'log'>;
}

export type HeadWorkerMessage =
  | { type: 'log'; level: 'info' | 'warn'; text: string }
  | {
      type: 'done';
      trained: {
        metadata: Trained<unknown, unknown>['metadata'];
        weights: { shape: number[]; values: Float32Array }[];
      } | null;
    }
  | { type: 'error'; message: string };

/**
 * The worker's entry, which registers tsx and runs worker.ts. From the compiled CLI too: the build
 * points import.meta.url back at this source file, so the URL is the same.
 */
const WORKER_URL = new URL('./worker-entry.mjs', import.meta.url);

/** Trains one head in a worker; `signal` stops the worker (the caller failed and no longer waits for it). */
export function trainHeadInWorker<H, E>(
  kind: HeadKind,
  given: HeadInputs,
  signal?: AbortSignal,
): Promise<Trained<H, E> | undefined> {
  const { log, ...inputs } = given;
  const request: HeadWorkerRequest = { kind, inputs };
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_URL, { workerData: request });
    let settled = false;
    const settle = (finish: () => void) => {
      if (settled) return;
      settled = true;
      finish();
      void worker.terminate();
    };
    worker.on('message', (message: HeadWorkerMessage) => {
      if (message.type === 'log') (message.level === 'warn' ? log.warn : log.info)(message.text);
      else if (message.type === 'error') settle(() => reject(new Error(`${kind} model worker: ${message.message}`)));
      else settle(() => resolve(message.trained ? (rebuild(message.trained, given) as Trained<H, E>) : undefined));
    });
    worker.on('error', (error) => settle(() => reject(error)));
    worker.on('exit', (code) =>
      settle(() => reject(new Error(`${kind} model worker exited with ${code} before it finished`))),
    );
    signal?.addEventListener(
      'abort',
      () => settle(() => reject(new Error(`${kind} model worker stopped: the training it belonged to ended`))),
      { once: true },
    );
  });
}

function rebuild(
  trained: NonNullable<Extract<HeadWorkerMessage, { type: 'done' }>['trained']>,
  given: HeadInputs,
): Trained<unknown, unknown> {
  const network = buildWinNetwork(given.width, given.network, given.seed);
  const tensors = trained.weights.map((w) => tf.tensor(w.values, w.shape));
  network.setWeights(tensors);
  tf.dispose(tensors);
  return { network, metadata: trained.metadata };
}

export interface TrainedHeads {
  amount?: Trained<AmountModelHead, AmountEvaluation> | undefined;
  close?: Trained<CloseModelHead, CloseEvaluation> | undefined;
}

/** Both heads at once, each in its own worker; when either fails, the other's network is released and the error raised. */
export async function trainHeadsInWorkers(given: HeadInputs, signal?: AbortSignal): Promise<TrainedHeads> {
  const [amount, close] = await Promise.allSettled([
    trainHeadInWorker<AmountModelHead, AmountEvaluation>('amount', given, signal),
    trainHeadInWorker<CloseModelHead, CloseEvaluation>('close', given, signal),
  ]);
  if (amount.status === 'rejected' || close.status === 'rejected') {
    if (amount.status === 'fulfilled') amount.value?.network.dispose();
    if (close.status === 'fulfilled') close.value?.network.dispose();
    throw amount.status === 'rejected' ? amount.reason : (close as PromiseRejectedResult).reason;
  }
  return { amount: amount.value, close: close.value };
}
