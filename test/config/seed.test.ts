/**
 * The config is settled once and the command line overrides it only when an option is given:
 * `models.seed` in wuwei.config.yaml reaches the trained model, and `--seed` beats it.
 * Real stages through the real CLI entry on a small generated export.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, withDatabase } from '../../pipeline/base/db.ts';
import { CONFIG_FILE_NAME } from '../../pipeline/config/config.ts';
import { wuweiInProcess } from '../helpers/cli.ts';
import { smallExport } from '../helpers/loaded-export.ts';
import { tempDir } from '../helpers/temp.ts';

describe('models.seed from the config', () => {
  const tmp = tempDir();
  const db = join(tmp.dir, 'wuwei.duckdb');

  beforeAll(async () => {
    const source = await smallExport(tmp.dir, 600, 4);
    writeFileSync(join(tmp.dir, CONFIG_FILE_NAME), 'models:\n  seed: 7\n  epochs: 2\n  minWon: 10\n  minLost: 10\n');
    for (const args of [['load', '--source', source], ['features']]) {
      const run = await wuweiInProcess([...args, '--db', db]);
      expect(run.code, run.output).toBe(0);
    }
  });
  afterAll(() => tmp.cleanup());

  const activeSeed = async () =>
    withDatabase(db, async (conn) => {
      const [row] = await queryRows<{ seed: number }>(conn, 'SELECT seed FROM model_versions WHERE active');
      return row!.seed;
    });

  it('trains with the config seed when no --seed is given', async () => {
    const run = await wuweiInProcess(['train', '--db', db, '--force']);
    expect(run.code, run.output).toBe(0);
    expect(await activeSeed()).toBe(7);
  });

  it('lets --seed override the config', async () => {
    const run = await wuweiInProcess(['train', '--db', db, '--force', '--seed', '9']);
    expect(run.code, run.output).toBe(0);
    expect(await activeSeed()).toBe(9);
  });
});
