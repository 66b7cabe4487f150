import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, withDatabase } from '../../pipeline/base/db.ts';
import { quietLogger } from '../../pipeline/base/log.ts';
import { main } from '../../pipeline/commands/cli.ts';
import { activateModel, listModels, loadActiveModel, trainWinModel, type TrainResult } from '../../models/index.ts';
import { tempDir } from '../helpers/temp.ts';
import { createSyntheticTable, SIGNAL_FEATURES } from './synthetic-deals.ts';

const TRAINING = {
  featureNames: SIGNAL_FEATURES,
  seed: 5,
  epochs: 20,
  patience: 4,
  heads: false,
  importanceRepeats: 0,
  log: quietLogger,
};

describe('model registry: promotion rule and rollback', () => {
  const tmp = tempDir('wuwei-registry-');
  const db = join(tmp.dir, 'wuwei.duckdb');
  const modelsDir = join(tmp.dir, 'models');
  let good: TrainResult;
  let worse: TrainResult;
  let forced: TrainResult;

  beforeAll(async () => {
    await withDatabase(db, async (conn) => {
      await createSyntheticTable(conn, { table: 'features_train', deals: 800, observationsPerDeal: 2, seed: 8 });
      // the same deals with the planted signal replaced by noise: a clearly worse model
      await conn.run(
        'CREATE TABLE features_weak AS SELECT * REPLACE (noise_a AS signal_up, noise_b AS signal_down) FROM features_train',
      );
      good = await trainWinModel(conn, { ...TRAINING, modelsDir });
      worse = await trainWinModel(conn, { ...TRAINING, modelsDir, table: 'features_weak' });
      forced = await trainWinModel(conn, { ...TRAINING, modelsDir, table: 'features_weak', force: true });
    });
  });
  afterAll(() => tmp.cleanup());

  it('keeps the active model when a new one is worse than 95% of its holdout AUC, unless forced', () => {
    expect(good).toMatchObject({ active: true, promotion: 'first model: active' });
    expect(worse.metrics.auc).toBeLessThan(0.95 * good.metrics.auc);
    expect(worse.active).toBe(false);
    expect(worse.promotion).toMatch(/not made active: holdout AUC .* < 0.95 x/);
    expect(forced.active).toBe(true);
    expect(forced.promotion).toMatch(/^forced/);
  });

  it('lists every version newest first with one active, and rolls back to an older one', async () => {
    await withDatabase(db, async (conn) => {
      const listing = await listModels(conn);
      expect(listing.map((m) => [m.version, m.active])).toEqual([
        [forced.version, true],
        [worse.version, false],
        [good.version, false],
      ]);
      expect(listing[2]!.auc).toBe(good.metrics.auc);

      await activateModel(conn, good.version, modelsDir);
      expect((await loadActiveModel(conn, modelsDir))!.version).toBe(good.version);
      const [counts] = await queryRows<{ active: number }>(
        conn,
        'SELECT count(*) FILTER (WHERE active)::INTEGER AS active FROM model_versions',
      );
      expect(counts!.active).toBe(1);

      await expect(activateModel(conn, 'win-no-such-version', modelsDir)).rejects.toMatchObject({
        code: 'bad_option',
        message: expect.stringMatching(/no model version win-no-such-version/),
      });
    });
  });

  it('does the same from the command line: `wuwei models list` and `wuwei models activate VERSION`', async () => {
    const written: string[] = [];
    const write = process.stdout.write;
    const writeErr = process.stderr.write;
    process.stdout.write = ((chunk: string) => written.push(String(chunk)) > 0) as typeof process.stdout.write;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      expect(await main(['node', 'wuwei', 'models', 'activate', forced.version, '--db', db])).toBe(0);
      expect(await main(['node', 'wuwei', 'models', 'list', '--db', db])).toBe(0);
      expect(await main(['node', 'wuwei', 'models', 'activate', 'nope', '--db', db])).toBe(1);
    } finally {
      process.stdout.write = write;
      process.stderr.write = writeErr;
    }
    const lines = written.join('').trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(new RegExp(`^\\* ${forced.version} .*AUC`));
    expect(lines.filter((line) => line.startsWith('*'))).toHaveLength(1);
  });
});
