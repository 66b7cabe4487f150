import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../pipeline/base/log.ts';
import { selectBackend } from '../../models/backend.ts';
import { loadModel, saveModel, type WinMetadata } from '../../models/win/artifacts.ts';
import { buildWinNetwork } from '../../models/win/model.ts';
import { predictLogits } from '../../models/win/predict.ts';
import { fitPreprocessing } from '../../models/win/preprocess.ts';
import { tempDir } from '../helpers/temp.ts';

function recordingLogger(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  return { lines, log: { info: (m) => lines.push(m), warn: (m) => lines.push(`warning: ${m}`) } };
}

function resolvable(name: string): boolean {
  try {
    createRequire(import.meta.url).resolve(name);
    return true;
  } catch {
    return false;
  }
}

describe('backend selection', () => {
  it('falls back from tfjs-node to wasm with a log line, once per process', async () => {
    const { log, lines } = recordingLogger();
    const handlers = () => [process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection')];
    const handlersBefore = handlers();
    const name = await selectBackend(log);
    // the wasm runtime's process-wide rethrowing error handlers are taken off again
    expect(handlers()).toEqual(handlersBefore);
    expect(tf.getBackend()).toBe(name);
    expect(lines.at(-1)).toBe(`TensorFlow.js backend: ${name}`);
    if (!resolvable('@tensorflow/tfjs-node')) {
      expect(lines[0]).toMatch(/^TensorFlow.js backend tensorflow unavailable \(.*tfjs-node.*\), trying the next one$/);
      expect(name).toBe('wasm'); // cpu here would mean the .wasm files were not found
    }
    const again = recordingLogger();
    expect(await selectBackend(again.log)).toBe(name);
    expect(again.lines).toEqual([]);
    expect(Array.from(tf.tidy(() => tf.matMul(tf.ones([2, 3]), tf.ones([3, 1]))).dataSync())).toEqual([3, 3]);
  });
});

describe('model files', () => {
  const tmp = tempDir('wuwei-model-files-');
  afterAll(() => tmp.cleanup());

  it('save then load predicts bit for bit the same logits', async () => {
    await selectBackend({ info: () => {}, warn: () => {} });
    const network = buildWinNetwork(4, { hidden: [8, 4], activation: 'relu', dropout: 0.1, l2: 0 }, 3);
    const preprocessing = fitPreprocessing(
      ['a', 'b', 'c', 'd'],
      [1, 2, 3, 4].map((k) => Float32Array.from([k, 2 * k, -k])),
      Int32Array.from([0, 1, 2]),
    );
    const metadata = { format: 'wuwei-win-model-2', version: 'win-test-0000000' } as WinMetadata;
    const path = await saveModel(tmp.dir, network, preprocessing, metadata);
    expect(path).toBe(join(tmp.dir, 'win-test-0000000'));
    await expect(saveModel(tmp.dir, network, preprocessing, metadata)).rejects.toThrow(/already exists/);

    const loaded = await loadModel(path);
    expect(loaded.version).toBe('win-test-0000000');
    expect(loaded.preprocessing).toEqual(preprocessing);
    const matrix = Float32Array.from({ length: 4 * 100 }, (_, i) => Math.cos(i) * 3);
    expect(await predictLogits(loaded.network, matrix, 4)).toEqual(await predictLogits(network, matrix, 4));
    await expect(loadModel(join(tmp.dir, 'nothing-here'))).rejects.toMatchObject({ code: 'no_model' });
  });
});
