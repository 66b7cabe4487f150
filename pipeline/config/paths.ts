import { dirname, join, resolve } from 'node:path';

/** Where a run keeps its files: everything sits beside the DuckDB file unless told otherwise. */
export interface RunPaths {
  db: string;
  models: string;
  out: string;
  site: string;
  runs: string;
}

export const DEFAULT_DB = 'data/wuwei.duckdb';

export function runPaths(db: string = DEFAULT_DB, overrides: Partial<Omit<RunPaths, 'db'>> = {}): RunPaths {
  const root = dirname(resolve(db));
  return {
    db: resolve(db),
    models: resolve(overrides.models ?? join(root, 'models')),
    out: resolve(overrides.out ?? join(root, 'out')),
    site: resolve(overrides.site ?? join(root, 'site')),
    runs: resolve(overrides.runs ?? join(root, 'runs')),
  };
}
