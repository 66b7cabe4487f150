/**
 * The deal-size and close-timing models trained in worker threads beside the win model are the
 * models the in-thread recipe trains: same seed, same backend, same weights and holdout verdicts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quietLogger } from '../../pipeline/base/log.ts';
import { trainWinModel, type TrainResult } from '../../models/index.ts';
import { tempDir } from '../helpers/temp.ts';
import { createSyntheticTable, SIGNAL_FEATURES } from './synthetic-deals.ts';

const TRAINING = {
  featureNames: SIGNAL_FEATURES,
  seed: 7,
  epochs: 12,
  patience: 4,
  batchSize: 128,
  importanceRepeats: 0,
  log: quietLogger,
};

describe('deal-size and close-timing models in worker threads', () => {
  const tmp = tempDir('wuwei-head-workers-');
  let instance: DuckDBInstance;
  let conn: DuckDBConnection;
  let inWorkers: TrainResult;
  let inThread: TrainResult;

  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:');
    conn = await instance.connect();
    await createSyntheticTable(conn, { table: 'features_train', deals: 1000, observationsPerDeal: 3, seed: 1 });
    inWorkers = await trainWinModel(conn, { ...TRAINING, modelsDir: join(tmp.dir, 'workers') });
    inThread = await trainWinModel(conn, { ...TRAINING, headWorkers: false, modelsDir: join(tmp.dir, 'thread') });
  });
  afterAll(() => {
    conn?.closeSync();
    instance?.closeSync();
    tmp.cleanup();
  });

  it('trains both heads and judges them as the in-thread recipe does', () => {
    expect(inWorkers.amount).toBeDefined();
    expect(inWorkers.close).toBeDefined();
    expect(inWorkers.amount).toEqual(inThread.amount);
    expect(inWorkers.close).toEqual(inThread.close);
    expect(inWorkers.metrics).toEqual(inThread.metrics);
  });

  it('saves the same head weights and training history', () => {
    const metadata = (result: TrainResult) => JSON.parse(readFileSync(join(result.path, 'metadata.json'), 'utf8'));
    for (const head of ['amount', 'close']) {
      const [a, b] = [metadata(inWorkers)[head], metadata(inThread)[head]];
      expect(a.training.history).toEqual(b.training.history);
      expect(a.head).toEqual(b.head);
    }
  });
});
