import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareDatabases, isSame } from '../../bench/same-load.ts';
import { withDatabase } from '../../pipeline/base/db.ts';
import { tempDir } from '../helpers/temp.ts';

async function database(path: string, rows: string, meta = 'now()::TIMESTAMP'): Promise<void> {
  await withDatabase(path, async (conn) => {
    await conn.run(`CREATE TABLE load_rejects AS SELECT * FROM (VALUES ${rows}) t(line, reason)`);
    await conn.run(`CREATE TABLE wuwei_meta AS SELECT 'x' AS source, ${meta} AS loaded_at`);
  });
}

describe('bench/same-load.ts', () => {
  it('finds two loads the same apart from their clock time, and tells a changed or repeated row', async () => {
    const { dir, cleanup } = tempDir('wuwei-same-load-');
    try {
      const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((n) => join(dir, `${n}.duckdb`)) as [
        string,
        string,
        string,
        string,
      ];
      await database(a, "(2, 'unparseable date'), (7, 'duplicate key')", "TIMESTAMP '2026-01-01'");
      await database(b, "(7, 'duplicate key'), (2, 'unparseable date')");
      await database(c, "(2, 'unparseable date'), (8, 'duplicate key')");
      await database(d, "(2, 'unparseable date'), (7, 'duplicate key'), (7, 'duplicate key')");
      expect((await compareDatabases(a, b)).every(isSame)).toBe(true);
      const changed = (await compareDatabases(a, c)).find((t) => t.table === 'load_rejects')!;
      expect(changed.only).toEqual([1, 1]);
      const repeated = (await compareDatabases(a, d)).find((t) => t.table === 'load_rejects')!;
      expect([repeated.rows, repeated.only]).toEqual([
        [2, 3],
        [0, 1],
      ]);
    } finally {
      cleanup();
    }
  });
});
