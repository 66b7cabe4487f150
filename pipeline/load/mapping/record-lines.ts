/**
 * Writes an entity's staged rows and gives each its `__row` and record `__line` without numbering
 * them. DuckDB keeps a table's insertion order, so the k-th row a file inserted is its k-th record,
 * on line k plus the file's header lines: its `rowid` says where it is. `row_number() OVER ()` gave the
 * same numbers but runs in one thread, and so serialised the whole read; an UPDATE writing the
 * numbers held gigabytes of update records at 1M deals (docs/scale.md). So the rows go into a table
 * (`raw_<entity>`, which the load's steps update and delete from), and a view over it
 * (`staged_<entity>`) adds `__row` and `__line`, read from `rowid` as they are needed. A source whose
 * rows are filtered, pivoted, unpivoted or exploded numbers its records in its own select, before
 * those steps, and keeps that `__line`; so do rows the load adds later (./derive.ts).
 */
import { queryRows, quoteIdent, type DuckDBConnection } from '../../base/db.ts';

export interface StagedPart {
  /** A select with `__file`, `__line` (NULL when `positional`) and the staged columns. */
  sql: string;
  /** How many columns it selects. */
  width: number;
  /** Its rows are its file's records in order, so its lines follow from their positions. */
  positional: boolean;
  /** Lines before the first record. */
  lineBase: number;
}

/** A part whose columns times the threads exceed this is written by one thread (see below). */
const MAX_COLUMNS_TIMES_THREADS = 1_000;

/** Creates `table` from the parts, in order, and `view` over it with each row's `__row` and `__line`. */
export async function writeStagedParts(
  conn: DuckDBConnection,
  names: { table: string; view: string },
  parts: readonly StagedPart[],
): Promise<void> {
  const table = quoteIdent(names.table);
  const ranges: { start: number; end: number; lineBase: number }[] = [];
  let rows = 0;
  const [setting] = await queryRows<{ threads: number }>(conn, `SELECT current_setting('threads')::INTEGER AS threads`);
  const threads = setting!.threads;
  for (const [index, part] of parts.entries()) {
    // Each thread writing a table fills a block per column before it hands its rows over: a wide file
    // (5,000 custom columns) written by two threads took all of the 4 GB, so one thread writes it.
    // The window this replaced was one thread for every file.
    const oneThread = threads > 1 && part.width * threads > MAX_COLUMNS_TIMES_THREADS;
    if (oneThread) await conn.run('SET threads = 1');
    try {
      await conn.run(
        index === 0
          ? `CREATE OR REPLACE TEMP TABLE ${table} AS ${part.sql}`
          : `INSERT INTO ${table} BY NAME ${part.sql}`,
      );
    } finally {
      if (oneThread) await conn.run(`SET threads = ${threads}`);
    }
    const [count] = await queryRows<{ n: number }>(conn, `SELECT count(*)::BIGINT AS n FROM ${table}`);
    const end = Number(count!.n);
    if (part.positional) ranges.push({ start: rows, end, lineBase: part.lineBase });
    rows = end;
  }
  // rowid counts the table's rows from 0 in insertion order, and stays with a row when others are deleted.
  const line =
    ranges.length === 0
      ? '__line'
      : `coalesce(__line, CASE ${ranges.map((r) => `WHEN rowid >= ${r.start} AND rowid < ${r.end} THEN rowid + ${r.lineBase + 1 - r.start}`).join(' ')} END)`;
  await conn.run(
    `CREATE OR REPLACE TEMP VIEW ${quoteIdent(names.view)} AS SELECT rowid AS __row, * REPLACE (${line}::BIGINT AS __line) FROM ${table}`,
  );
}
