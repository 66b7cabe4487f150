import { join } from 'node:path';
import { queryRows, withDatabase, type DuckDBConnection } from '../../pipeline/base/db.ts';
import { loadExports, type LoadOptions, type LoadSummary } from '../../pipeline/load/index.ts';
import { quietLogger } from '../../pipeline/base/log.ts';

/** An in-memory DuckDB for one test. */
export function withMemoryDb<T>(work: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
  return withDatabase(':memory:', work);
}

export async function load(conn: DuckDBConnection, options: Omit<LoadOptions, 'log'>): Promise<LoadSummary> {
  return loadExports(conn, { log: quietLogger, ...options });
}

export async function rows<T = Record<string, unknown>>(conn: DuckDBConnection, sql: string): Promise<T[]> {
  return queryRows<T>(conn, sql);
}

export const fixture = (...parts: string[]) => join(import.meta.dirname, 'fixtures', ...parts);
