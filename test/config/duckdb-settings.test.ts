import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../pipeline/config/config.ts';
import { queryRows, withDatabase } from '../../pipeline/base/db.ts';
import { tempDir } from '../helpers/temp.ts';

describe("the config's duckdb section", () => {
  const tmp = tempDir('wuwei-duckdb-settings-');
  afterAll(() => tmp.cleanup());

  it('caps memory at 4GB by default and leaves threads and the spill folder to DuckDB', () => {
    expect(parseConfig({}).duckdb).toEqual({ memoryLimit: '4GB', threads: null, tempDirectory: null });
  });

  it("reaches DuckDB: memory limit, threads and a spill folder taken from the config file's folder", async () => {
    const file = join(tmp.dir, 'wuwei.config.yaml');
    writeFileSync(file, 'duckdb:\n  memoryLimit: 1GB\n  threads: 1\n  tempDirectory: spill\n');
    const { config } = loadConfig({ db: join(tmp.dir, 'wuwei.duckdb'), file });
    expect(config.duckdb.tempDirectory).toBe(join(tmp.dir, 'spill'));
    const [got] = await withDatabase(
      join(tmp.dir, 'wuwei.duckdb'),
      (conn) =>
        queryRows<{ memory: string; threads: number; temp: string }>(
          conn,
          `SELECT current_setting('memory_limit') AS memory, current_setting('threads')::INTEGER AS threads, current_setting('temp_directory') AS temp`,
        ),
      { settings: config.duckdb },
    );
    // DuckDB reports the limit in its own units (1GB = 1000^3 bytes = 953.6 MiB).
    expect(got).toEqual({ memory: '953.6 MiB', threads: 1, temp: join(tmp.dir, 'spill') });
  });

  it('names a size it cannot read, in one line', () => {
    expect(() => parseConfig({ duckdb: { memoryLimit: 'lots' } }, 'wuwei.config.yaml')).toThrow(
      /^wuwei\.config\.yaml: duckdb\.memoryLimit: expected a size such as '4GB' or '512MB'$/,
    );
  });
});
