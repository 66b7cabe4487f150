/**
 * Benchmark (not a test): load an export folder with `wuwei load`'s code, and compare with DuckDB's
 * bare scan of the same files in the same process. Also converts the CSV files to Parquet and does
 * the same there. Usage: npx tsx test/load/load-throughput.bench.ts <export-dir> [work-dir]
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { queryRows, quoteLiteral, withDatabase } from '../../pipeline/base/db.ts';
import { loadExports } from '../../pipeline/load/index.ts';
import { quietLogger } from '../../pipeline/base/log.ts';
import { ENTITY_NAMES, SCHEMA } from '../../pipeline/load/schema.ts';

const [source, work = '/tmp/wuwei-load-bench'] = process.argv.slice(2);
if (!source) throw new Error('usage: npx tsx test/load/load-throughput.bench.ts <export-dir> [work-dir]');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });

const seconds = async (work: () => Promise<unknown>) => {
  const start = performance.now();
  await work();
  return (performance.now() - start) / 1000;
};
const files = readdirSync(source).filter((f) => ENTITY_NAMES.some((e) => f === `${SCHEMA[e].file}.csv`));

async function bareScan(dir: string, format: 'csv' | 'parquet'): Promise<{ rows: number; seconds: number }> {
  let rows = 0;
  const s = await seconds(() =>
    withDatabase(join(work, `bare-${format}.duckdb`), async (conn) => {
      for (const f of files) {
        const path = quoteLiteral(join(dir, f.replace(/\.csv$/, `.${format}`)));
        const reader =
          format === 'csv' ? `read_csv(${path}, header = true, all_varchar = true)` : `read_parquet(${path})`;
        // Materialise, as the load does, rather than count (which DuckDB can answer without parsing values).
        await conn.run(`CREATE OR REPLACE TABLE t AS SELECT * FROM ${reader}`);
        const [r] = await queryRows<{ n: number }>(conn, `SELECT count(*)::BIGINT::DOUBLE AS n FROM t`);
        rows += r!.n;
      }
    }),
  );
  return { rows, seconds: s };
}

async function load(dir: string, format: string): Promise<{ seconds: number; rss: number }> {
  const s = await seconds(() =>
    withDatabase(join(work, `load-${format}.duckdb`), (conn) => loadExports(conn, { source: dir, log: quietLogger })),
  );
  return { seconds: s, rss: process.memoryUsage().rss };
}

const parquetDir = join(work, 'parquet');
mkdirSync(parquetDir);
await withDatabase(':memory:', async (conn) => {
  for (const f of [...files, 'as_of.txt'].filter((f) => f.endsWith('.csv'))) {
    await conn.run(
      `COPY (SELECT * FROM read_csv(${quoteLiteral(join(source, f))}, header = true, all_varchar = true)) TO ${quoteLiteral(join(parquetDir, f.replace(/\.csv$/, '.parquet')))} (FORMAT parquet)`,
    );
  }
});
await import('node:fs').then((fs) => fs.copyFileSync(join(source, 'as_of.txt'), join(parquetDir, 'as_of.txt')));

for (const [format, dir] of [
  ['csv', source],
  ['parquet', parquetDir],
] as const) {
  const bare = await bareScan(dir, format);
  const loaded = await load(dir, format);
  process.stdout.write(
    `${format}: ${bare.rows} rows; bare scan ${bare.seconds.toFixed(1)} s (${Math.round(bare.rows / bare.seconds)} rows/s); ` +
      `validated load ${loaded.seconds.toFixed(1)} s (${Math.round(bare.rows / loaded.seconds)} rows/s), ${(loaded.seconds / bare.seconds).toFixed(2)}x the bare scan; process RSS ${Math.round(loaded.rss / 1e6)} MB\n`,
  );
}
rmSync(work, { recursive: true, force: true });
