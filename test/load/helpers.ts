import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { queryRows, type DuckDBConnection } from '../../pipeline/db.ts';
import { loadExports, type LoadOptions, type LoadSummary } from '../../pipeline/load/index.ts';
import { quietLogger } from '../../pipeline/log.ts';

/** An in-memory DuckDB for one test. */
export async function withMemoryDb<T>(work: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    return await work(conn);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

export async function load(conn: DuckDBConnection, options: Omit<LoadOptions, 'log'>): Promise<LoadSummary> {
  return loadExports(conn, { log: quietLogger, ...options });
}

export async function rows<T = Record<string, unknown>>(conn: DuckDBConnection, sql: string): Promise<T[]> {
  return queryRows<T>(conn, sql);
}

export const fixture = (...parts: string[]) => join(import.meta.dirname, 'fixtures', ...parts);
