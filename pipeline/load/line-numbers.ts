import { queryRows, quoteIdent, type DuckDBConnection } from '../db.ts';
import type { ExportFile } from './read-export.ts';

/**
 * SQL for the line each row of a raw table came from, given its position in the file (the order of
 * `rowid`, which follows the file because DuckDB preserves insertion order; inside a transaction
 * rowids do not start at 0, so the position is counted from the first).
 *
 * CSV: the physical line in the file. The header is line 1; a record starts one line after the
 * previous record ended, and a record spans one line more for every line break inside its quoted
 * values, so the line is 2 + position + (line breaks inside all earlier records), a running sum,
 * computed only when some value holds a line break (most exports have none).
 * Limitation: DuckDB's reader skips blank lines without a trace, so after a blank line between
 * records the reported line is one too low per blank line.
 * Parquet and JSON have no lines: there it is the record's 1-based position in the file (the line for NDJSON).
 */
export async function lineNumberSql(conn: DuckDBConnection, rawTable: string, file: ExportFile, allColumns: readonly string[]): Promise<string> {
  const position = `(rowid - (SELECT min(rowid) FROM ${rawTable}))`;
  if (file.format !== 'csv' || allColumns.length === 0) return `(${position} + 1)::BIGINT`;
  const text = (column: string) => `CAST(${quoteIdent(column)} AS VARCHAR)`;
  const anyBreak = allColumns.map((column) => `contains(${text(column)}, chr(10))`).join(' OR ');
  const [row] = await queryRows<{ n: number }>(conn, `SELECT count(*)::INTEGER AS n FROM (SELECT 1 FROM ${rawTable} WHERE ${anyBreak} LIMIT 1)`);
  if (row!.n === 0) return `(${position} + 2)::BIGINT`;
  const breaks = allColumns
    .map((column) => `coalesce(length(${text(column)}) - length(replace(${text(column)}, chr(10), '')), 0)`)
    .join(' + ');
  return `(${position} + 2 + coalesce(sum(${breaks}) OVER (ORDER BY rowid ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0))::BIGINT`;
}
