/**
 * What every data loader does around its query when Framework (or someone by hand) runs it as a
 * script: open the run's DuckDB read-only (path in WUWEI_DB), write the JSON to stdout and nothing
 * else, log to stderr, exit non-zero on failure so the build fails. The report stage computes the
 * same queries in its own process instead (page-data.ts); then the loaders are never started.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withDatabase, type DuckDBConnection } from '../../../pipeline/base/db.ts';
import { stderrLogger } from '../../../pipeline/base/log.ts';

/** Used when a loader runs by hand without WUWEI_DB: the default run's database. */
const DEFAULT_DB = fileURLToPath(new URL('../../../data/wuwei.duckdb', import.meta.url));

export function reportDatabasePath(): string {
  return resolve(process.env['WUWEI_DB'] || DEFAULT_DB);
}

/** Runs the loader only when its module is the script being run, not when the report stage imports it. */
export async function runLoaderAsScript(
  moduleUrl: string,
  name: string,
  query: (conn: DuckDBConnection) => Promise<unknown>,
): Promise<void> {
  if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(moduleUrl)) await runLoader(name, query);
}

async function runLoader(name: string, query: (conn: DuckDBConnection) => Promise<unknown>): Promise<void> {
  const dbPath = reportDatabasePath();
  try {
    if (!existsSync(dbPath)) throw new Error(`database not found: ${dbPath} (set WUWEI_DB)`);
    const start = performance.now();
    const data = await withDatabase(dbPath, query, { readOnly: true });
    const json = JSON.stringify(data);
    process.stdout.write(json);
    stderrLogger.info(
      `loader ${name}: ${json.length} bytes from ${dbPath} in ${((performance.now() - start) / 1000).toFixed(2)} s`,
    );
  } catch (error) {
    stderrLogger.warn(`loader ${name} failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
