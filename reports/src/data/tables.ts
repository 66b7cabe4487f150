/**
 * What the run's database holds: pages built on tables that other stages add later (forecasts,
 * backtest, richer scores) ask here first and show "not available in this run" instead of failing.
 */
import { queryRows, quoteIdent, quoteLiteral, type DuckDBConnection } from '../../../pipeline/base/db.ts';
import { reportTableSelect, type ReportTableName } from '../../../pipeline/report-tables/index.ts';
import { isCurrent } from '../../../pipeline/report-tables/made-from.ts';
import type { Unavailable } from '../components/types.ts';

export async function columnsOf(conn: DuckDBConnection, table: string): Promise<Set<string>> {
  const rows = await queryRows<{ column_name: string }>(
    conn,
    `SELECT column_name FROM information_schema.columns WHERE table_name = ${quoteLiteral(table)}`,
  );
  return new Set(rows.map((row) => row.column_name));
}

export async function hasTable(conn: DuckDBConnection, table: string): Promise<boolean> {
  return (await columnsOf(conn, table)).size > 0;
}

/**
 * Set by the contract test (test/reports/loader-contract.test.ts): on a database the real stages
 * wrote, a column a loader asks for and does not find is drift between stage and page, so it fails
 * the loader instead of degrading to "not available".
 */
export const STRICT_ENV = 'WUWEI_REPORT_STRICT';

function strict(): boolean {
  return process.env[STRICT_ENV] === 'true';
}

/** The table with all these columns, or the honest reason why a panel cannot be drawn. */
export async function requireColumns(
  conn: DuckDBConnection,
  table: string,
  columns: string[],
  what: string,
): Promise<Unavailable | null> {
  const present = await columnsOf(conn, table);
  const missing = columns.filter((column) => !present.has(column));
  if (strict() && missing.length > 0) throw new Error(`${table} lacks ${missing.join(', ')} (${what})`);
  if (present.size === 0)
    return {
      available: false,
      reason: `${what} is not available in this run: the database has no \`${table}\` table.`,
    };
  if (missing.length > 0)
    return {
      available: false,
      reason: `${what} is not available in this run: \`${table}\` lacks ${missing.map((c) => `\`${c}\``).join(', ')}.`,
    };
  return null;
}

/**
 * Which of the columns a stage may write the table holds, for panels that draw without them. In
 * strict mode every one must be there: the stages the contract test runs write them all.
 */
export async function optionalColumns(conn: DuckDBConnection, table: string, columns: string[]): Promise<Set<string>> {
  const present = await columnsOf(conn, table);
  const missing = columns.filter((column) => !present.has(column));
  if (strict() && missing.length > 0) throw new Error(`${table} lacks ${missing.join(', ')}`);
  return new Set(columns.filter((column) => present.has(column)));
}

/** Rows of a table that may be empty (an optional export that was not given). */
export async function rowCount(conn: DuckDBConnection, table: string): Promise<number> {
  if (!(await hasTable(conn, table))) return 0;
  const [row] = await queryRows<{ n: number }>(
    conn,
    `SELECT count(*)::INTEGER AS n FROM "${table.replaceAll('"', '""')}"`,
  );
  return row?.n ?? 0;
}

/**
 * The table to read for one of the night's report tables (pipeline/report-tables): the table
 * itself when it is current as of `asOf`, else the same select the stage wrote it from, computed
 * here into a temporary table (a database scored before the table existed, or rescored since). In
 * strict mode the real stages ran, so the table must be there and current.
 */
export async function reportTable(conn: DuckDBConnection, table: ReportTableName, asOf: string): Promise<string> {
  if (await isCurrent(conn, table, asOf)) return table;
  if (strict())
    throw new Error(`${table} is missing or stale: the score stage writes it with the scores (pipeline/report-tables)`);
  const computed = quoteIdent(`${table}_computed`);
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${computed} AS ${await reportTableSelect(conn, table, asOf)}`);
  return computed;
}
