// Rough load throughput (not a test, not a benchmark): the same export as CSV and as Parquet, against
// DuckDB materialising the same files bare. Usage: npx tsx test/load/measure-throughput.ts EXPORT_DIR
// (writes the Parquet copy to EXPORT_DIR-parquet).
import { readdirSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { loadExports } from '../../pipeline/load/index.ts';
import { quietLogger } from '../../pipeline/base/log.ts';
import { quoteLiteral } from '../../pipeline/base/db.ts';
import { stageSources } from '../../pipeline/load/mapping/stage.ts';
import { canonicalMapping } from '../../pipeline/load/mapping/layouts.ts';

const csvDir = process.argv[2]!;
const pqDir = `${csvDir}-parquet`;
rmSync(pqDir, { recursive: true, force: true });
mkdirSync(pqDir, { recursive: true });
const inst = await DuckDBInstance.create(':memory:');
const c = await inst.connect();
const files = readdirSync(csvDir).filter((f) => f.endsWith('.csv') && f !== 'ground_truth.csv');
for (const f of files)
  await c.run(
    `COPY (SELECT * FROM read_csv(${quoteLiteral(join(csvDir, f))})) TO ${quoteLiteral(join(pqDir, f.replace('.csv', '.parquet')))} (FORMAT parquet)`,
  );
for (const [label, dir, reader] of [
  ['csv', csvDir, 'read_csv'],
  ['parquet', pqDir, 'read_parquet'],
] as const) {
  let t = performance.now();
  let total = 0;
  for (const f of readdirSync(dir).filter((f) => f.endsWith(`.${label}`) && f !== 'ground_truth.csv')) {
    await c.run(`CREATE OR REPLACE TEMP TABLE bare AS SELECT * FROM ${reader}(${quoteLiteral(join(dir, f))})`);
    const r = await c.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM bare`);
    total += r.getRowObjectsJS()[0]!['n'] as number;
  }
  const bare = (performance.now() - t) / 1000;
  const i2 = await DuckDBInstance.create(':memory:');
  const c2 = await i2.connect();
  t = performance.now();
  await stageSources(c2, { source: dir, mapping: canonicalMapping(), log: quietLogger });
  const stage = (performance.now() - t) / 1000;
  const c3 = await (await DuckDBInstance.create(':memory:')).connect();
  t = performance.now();
  await loadExports(c3, { source: dir, log: quietLogger });
  const load = (performance.now() - t) / 1000;
  const cpu = process.cpuUsage();
  console.log(
    `${label}: ${total} rows; load ${load.toFixed(2)} s (${Math.round(total / load)} rows/s); bare scan ${bare.toFixed(2)} s; ratio ${(load / bare).toFixed(1)}x; staging alone ${stage.toFixed(2)} s; rss ${Math.round(process.memoryUsage().rss / 1e6)} MB; process cpu so far ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s`,
  );
}
