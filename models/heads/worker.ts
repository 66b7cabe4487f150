/**
 * A worker thread that trains one regression model (deal size or close timing) beside the win
 * model: TensorFlow.js on wasm runs one thread, so the second core trains the heads. It sends its
 * log lines and, at the end, the head's metadata and weights (transferred, not copied).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Logger } from '../../pipeline/base/log.ts';
import { selectBackend } from '../backend.ts';
import type { HeadKind, HeadWorkerMessage, HeadWorkerRequest } from './parallel.ts';
import { trainAmountModel, trainCloseModel, type Trained } from './train.ts';

const port = parentPort!;
const post = (message: HeadWorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
const log: Logger = {
  info: (text) => post({ type: 'log', level: 'info', text }),
  warn: (text) => post({ type: 'log', level: 'warn', text }),
};

const trainers: Record<
  HeadKind,
  (given: Parameters<typeof trainAmountModel>[0]) => Promise<Trained<unknown, unknown> | undefined>
> = {
  amount: trainAmountModel,
  close: trainCloseModel,
};

const request = workerData as HeadWorkerRequest;
try {
  await selectBackend({ info: () => {}, warn: log.warn });
  const trained = await trainers[request.kind]({ ...request.inputs, log });
  if (!trained) post({ type: 'done', trained: null });
  else {
    const weights = trained.network
      .getWeights()
      .map((tensor) => ({ shape: tensor.shape, values: tensor.dataSync() as Float32Array }));
    trained.network.dispose();
    post(
      { type: 'done', trained: { metadata: trained.metadata, weights } },
      weights.map((w) => w.values.buffer as ArrayBuffer),
    );
  }
} catch (error) {
  post({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
}
