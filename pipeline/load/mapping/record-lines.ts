/**
 * Writes an entity's staged rows and gives each its `__row` and record `__line` without a window.
 * DuckDB keeps a table's insertion order, so the k-th row a file inserted is its k-th record, on line
 * k plus the file's header lines. `row_number() OVER ()` gave the same numbers but runs in one thread
 * and so serialised the whole read (docs/scale.md). A source whose rows are filtered, pivoted,
 * unpivoted or exploded numbers its records in its own select, before those steps, and keeps that line.
 */
import { queryRows, quoteIdent, type DuckDBConnection } from '../../base/db.ts';

export interface StagedPart {
  /** A select with `__file`, `__line` (NULL when `positional`) and the staged columns. */
  sql: string;
  /** Its rows are its file's records in order, so its lines follow from their positions. */
  positional: boolean;
  /** Lines before the first record. */
  lineBase: number;
}

/** Creates `table` from the parts, in order, and numbers its rows. */
export async function writeStagedParts(conn: DuckDBConnection, table: string, parts: readonly StagedPart[]) {
  const target = quoteIdent(table);
  const ranges: { start: number; end: number; lineBase: number }[] = [];
  let rows = 0;
  for (const [index, part] of parts.entries()) {
    const select = `SELECT NULL::BIGINT AS __row, * FROM (${part.sql})`;
    await conn.run(
      index === 0 ? `CREATE OR REPLACE TEMP TABLE ${target} AS ${select}` : `INSERT INTO ${target} BY NAME ${select}`,
    );
    const [count] = await queryRows<{ n: number }>(conn, `SELECT count(*)::BIGINT AS n FROM ${target}`);
    const end = Number(count!.n);
    if (part.positional) ranges.push({ start: rows, end, lineBase: part.lineBase });
    rows = end;
  }
  // rowid counts the table's rows from 0 in insertion order.
  const line =
    ranges.length === 0
      ? '__line'
      : `CASE ${ranges.map((r) => `WHEN rowid >= ${r.start} AND rowid < ${r.end} THEN rowid + ${r.lineBase + 1 - r.start}`).join(' ')} ELSE __line END`;
  await conn.run(`UPDATE ${target} SET __row = rowid + 1, __line = ${line}`);
}
