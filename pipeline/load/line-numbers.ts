import { quoteIdent } from '../db.ts';
import type { ExportFile } from './read-export.ts';

/**
 * SQL for the line each row of a raw table came from, given its position in the file (the order of
 * `rowid`, which follows the file because DuckDB preserves insertion order).
 *
 * CSV: the physical line in the file. The header is line 1; a record starts one line after the
 * previous record ended, and a record spans one line more for every line break inside its quoted
 * values, so the line is 2 + position + (line breaks inside all earlier records), a running sum.
 * Limitation: DuckDB's reader skips blank lines without a trace, so after a blank line between
 * records the reported line is one too low per blank line.
 * Parquet and JSON have no lines: there it is the record's 1-based position in the file (the line for NDJSON).
 */
export function lineNumberSql(file: ExportFile, allColumns: readonly string[]): string {
  // rowid follows insertion order but, inside a transaction, does not start at 0.
  const position = `(row_number() OVER (ORDER BY rowid) - 1)`;
  if (file.format !== 'csv' || allColumns.length === 0) return `(${position} + 1)::BIGINT`;
  const breaks = allColumns
    .map((column) => `coalesce(length(${quoteIdent(column)}) - length(replace(${quoteIdent(column)}, chr(10), '')), 0)`)
    .join(' + ');
  return `(${position} + 2 + coalesce(sum(${breaks}) OVER (ORDER BY rowid ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0))::BIGINT`;
}
