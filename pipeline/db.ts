import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { databaseOpenError } from './system-errors.ts';

export type { DuckDBConnection };

/** DuckDB's resources: the config file's `duckdb` section (null: DuckDB's own default). */
export interface DatabaseSettings {
  memoryLimit: string | null;
  threads: number | null;
  tempDirectory: string | null;
}

export const DEFAULT_DATABASE_SETTINGS: DatabaseSettings = { memoryLimit: '4GB', threads: null, tempDirectory: null };

// Every stage opens its own connection; the CLI sets the configured resources once for all of them.
let processSettings: DatabaseSettings = DEFAULT_DATABASE_SETTINGS;

/** Sets the resources every later withDatabase call gets unless it passes its own. */
export function useDatabaseSettings(settings: DatabaseSettings): void {
  processSettings = settings;
}

/** DuckDB's open options for the settings: a memory cap beyond which big joins and sorts spill to disk instead of growing. */
export function duckdbOptions(settings: DatabaseSettings): Record<string, string> {
  return {
    ...(settings.memoryLimit !== null ? { memory_limit: settings.memoryLimit } : {}),
    ...(settings.threads !== null ? { threads: String(settings.threads) } : {}),
    ...(settings.tempDirectory !== null ? { temp_directory: settings.tempDirectory } : {}),
  };
}

/** Opens (creating if needed) the run's DuckDB file, runs `work`, and always closes it. */
export async function withDatabase<T>(
  path: string,
  work: (conn: DuckDBConnection) => Promise<T>,
  options: { readOnly?: boolean; settings?: DatabaseSettings } = {},
): Promise<T> {
  if (path !== ':memory:' && !options.readOnly) mkdirSync(dirname(path), { recursive: true });
  const settings = options.settings ?? processSettings;
  if (settings.tempDirectory !== null) mkdirSync(settings.tempDirectory, { recursive: true });
  const instance = await DuckDBInstance.create(path, { ...duckdbOptions(settings), ...(options.readOnly ? { access_mode: 'READ_ONLY' } : {}) }).catch(
    (error: unknown) => {
      throw databaseOpenError(path, error);
    },
  );
  const conn = await instance.connect();
  try {
    return await work(conn);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/**
 * Runs `work` in one transaction: committed when it returns, rolled back when it throws. The error
 * that stopped the work is the one rethrown: when DuckDB has already ended the transaction itself (a
 * full disk or another fatal error invalidates it), the rollback's own "no transaction is active"
 * must not take its place.
 */
export async function inTransaction<T>(conn: DuckDBConnection, work: () => Promise<T>): Promise<T> {
  await conn.run('BEGIN TRANSACTION');
  let result: T;
  try {
    result = await work();
    await conn.run('COMMIT');
  } catch (error) {
    await rollback(conn);
    throw error;
  }
  return result;
}

/**
 * Rolls back the open transaction, if any: after a fatal error DuckDB has ended it already, and its
 * "cannot rollback - no transaction is active" must not replace the error the caller rethrows.
 */
export async function rollback(conn: DuckDBConnection): Promise<void> {
  await conn.run('ROLLBACK').catch(() => {});
}

/** Runs a query and returns its rows as plain objects (BIGINT as bigint: cast in SQL where a number is meant). */
export async function queryRows<T = Record<string, unknown>>(conn: DuckDBConnection, sql: string): Promise<T[]> {
  const reader = await conn.runAndReadAll(sql);
  return reader.getRowObjectsJS() as T[];
}

/** Quotes an identifier (table, column) for DuckDB SQL; names from exports never reach SQL unquoted. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quotes a string literal for DuckDB SQL. */
export function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
