/**
 * Physical line numbers for rejected rows, worked out only for them. Staging numbers CSV records
 * (record k on line k + 1, or k in a headerless file); a record sits lower in the file when malformed rows before it took
 * lines of their own (staging's `line_shifts`) or when earlier records hold quoted line breaks.
 * Most rows are never rejected, so nothing is counted for them: a file's line breaks are counted
 * only when it has rejects and its line count shows some record spans more than one line.
 * Limitation: DuckDB skips blank lines without a trace, so their lines are not counted.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { queryRows, quoteIdent, quoteLiteral, type DuckDBConnection } from '../base/db.ts';

/** Per CSV file, the lines its malformed rows took (written by staging): `s` the first record line they shift by `j` lines. */
export const LINE_SHIFTS = 'line_shifts';

/** What this needs of a file staging read (mapping/stage.ts's StagedFile). */
interface StagedFile {
  path: string;
  format: string;
  /** Lines before the first record (a CSV header). */
  headerLines: number;
  /** Records read; null when unknown. */
  records: number | null;
  /** A report footer the file was read without. */
  footer?: { firstLine: number; lastLine: number } | undefined;
  /** The file's columns, and the DuckDB reader call that reads it as text. */
  columns: string[];
  textReader: string;
}

const BREAKS = '__record_breaks';

/** Rewrites `line` in `table` (columns `file`, `line`: record lines of CSV rows) to physical lines. */
export async function toPhysicalLines(
  conn: DuckDBConnection,
  table: string,
  sources: readonly StagedFile[],
): Promise<void> {
  const files = await queryRows<{ file: string }>(
    conn,
    `SELECT DISTINCT file FROM ${quoteIdent(table)} WHERE file IS NOT NULL`,
  );
  const csv = files
    .map((f) => sources.find((s) => s.path === f.file))
    .filter((s): s is StagedFile => s?.format === 'csv');
  if (csv.length === 0) return;
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${BREAKS} (file VARCHAR, line BIGINT, breaks BIGINT)`);
  for (const source of csv) {
    if (await spansLines(conn, source)) await countBreaks(conn, source);
  }
  const paths = csv.map((s) => quoteLiteral(s.path)).join(', ');
  // Both corrections are read off the record line; the breaks are those of the records before it.
  await conn.run(`
    UPDATE ${quoteIdent(table)} AS t SET line = t.line + fix.shift
    FROM (
      SELECT r.file, r.line,
        coalesce(l.j, 0) + coalesce((SELECT sum(b.breaks) FROM ${BREAKS} b WHERE b.file = r.file AND b.line < r.line), 0) AS shift
      FROM (SELECT DISTINCT file, line FROM ${quoteIdent(table)} WHERE file IN (${paths})) r
      ASOF LEFT JOIN ${LINE_SHIFTS} l ON r.file = l.file AND r.line - 1 >= l.s
    ) AS fix
    WHERE t.file = fix.file AND t.line = fix.line AND fix.shift > 0`);
  await conn.run(`DROP TABLE ${BREAKS}`);
}

/**
 * Whether some record of the file takes more than one line: the file has more lines than its
 * header, its records and its malformed rows. Counting newline bytes is far cheaper than parsing.
 */
async function spansLines(conn: DuckDBConnection, source: StagedFile): Promise<boolean> {
  if (source.records === null) return true;
  const [malformed] = await queryRows<{ n: number | null }>(
    conn,
    `SELECT max(j)::BIGINT AS n FROM ${LINE_SHIFTS} WHERE file = ${quoteLiteral(source.path)}`,
  );
  const footer = source.footer ? source.footer.lastLine - source.footer.firstLine + 1 : 0;
  return physicalLineCount(source.path) !== source.headerLines + source.records + footer + Number(malformed?.n ?? 0);
}

/** Lines in a file: newline bytes, plus one for a last line without a newline. */
export function physicalLineCount(path: string): number {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(8 * 1024 * 1024);
    let lines = 0;
    let last = -1;
    for (;;) {
      const read = readSync(fd, buffer, 0, buffer.length, null);
      if (read === 0) break;
      const chunk = buffer.subarray(0, read);
      for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines += 1;
      last = chunk[read - 1]!;
    }
    return lines + (last !== -1 && last !== 10 ? 1 : 0);
  } finally {
    closeSync(fd);
  }
}

/** Reads the file again, as staging did, and notes the records that hold line breaks. */
async function countBreaks(conn: DuckDBConnection, source: StagedFile): Promise<void> {
  if (source.columns.length === 0) return;
  const breaks = source.columns
    .map((c) => `coalesce(length(${quoteIdent(c)}) - length(replace(${quoteIdent(c)}, chr(10), '')), 0)`)
    .join(' + ');
  await conn.run(`
    INSERT INTO ${BREAKS}
    SELECT ${quoteLiteral(source.path)}, line, breaks
    FROM (SELECT (row_number() OVER () + ${source.headerLines})::BIGINT AS line, (${breaks})::BIGINT AS breaks FROM ${source.textReader})
    WHERE breaks > 0`);
}
