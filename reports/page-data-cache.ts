/**
 * The pages' data, computed in the report stage's own process on one read-only connection and
 * written where Framework keeps a data loader's cached output. Framework takes cached output that is
 * newer than its loader as fresh, so the build starts no loader process; a loader edited after the
 * cache was written is newer and runs as before.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withDatabase } from '../pipeline/base/db.ts';
import { WuweiError } from '../pipeline/base/errors.ts';
import { PAGE_DATA } from './src/data/page-data.ts';

export interface PageData {
  /** Each page's data as the JSON its loader would print, by loader name. */
  json: Map<string, string>;
  /** Seconds each page's queries took, by loader name: the run record shows which page grows with the data. */
  seconds: Record<string, number>;
}

/** Every page's data, with the loaders' settings from `environment`. */
export async function computePageData(dbPath: string, environment: Record<string, string>): Promise<PageData> {
  const json = new Map<string, string>();
  const seconds: Record<string, number> = {};
  await withEnvironment(environment, () =>
    withDatabase(
      dbPath,
      async (conn) => {
        for (const [name, query] of Object.entries(PAGE_DATA)) {
          const start = performance.now();
          try {
            json.set(name, JSON.stringify(await query(conn)));
            seconds[name] = Number(((performance.now() - start) / 1000).toFixed(3));
          } catch (error) {
            const reason = error instanceof Error ? error.message : String(error);
            throw new WuweiError('report_failed', `report data ${name}.json failed: ${reason}`, { cause: error });
          }
        }
      },
      { readOnly: true },
    ),
  );
  return { json, seconds };
}

/** Writes `<cacheDir>/data/<name>.json` for every page. */
export function writePageData(pageData: Map<string, string>, cacheDir: string): void {
  const dataDir = join(cacheDir, 'data');
  mkdirSync(dataDir, { recursive: true });
  for (const [name, json] of pageData) writeFileSync(join(dataDir, `${name}.json`), json);
}

/** The loaders read their settings from the environment, as they do when Framework runs them. */
async function withEnvironment<T>(environment: Record<string, string>, work: () => Promise<T>): Promise<T> {
  const before = Object.fromEntries(Object.keys(environment).map((key) => [key, process.env[key]]));
  Object.assign(process.env, environment);
  try {
    return await work();
  } finally {
    for (const [key, value] of Object.entries(before)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}
