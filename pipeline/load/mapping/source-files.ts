/**
 * Finds a mapping's source files (in a folder, or among files named on the command line) and says
 * how DuckDB reads each: CSV with the sniffer (delimiter, quoting, header, BOM), Parquet, JSON or NDJSON.
 */
import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { queryRows, quoteLiteral, type DuckDBConnection } from '../../base/db.ts';
import { WuweiError } from '../../base/errors.ts';
import { csvEncoding, notUtf8Error, type Encoding } from './encoding.ts';
import { flattenedJsonFile } from './json-records.ts';
import { reportFooter, withoutFooter, type ReportFooter } from './report-footer.ts';
import { headerlessTable } from './synapse.ts';

export type SourceFormat = 'csv' | 'parquet' | 'json';

export interface SourceFile {
  path: string;
  format: SourceFormat;
  /** How a CSV file's text is decoded (see ./encoding.ts); UTF-8 for other formats. */
  encoding: Encoding;
  /** Reads every column as text, so a bad value becomes a row-level reject, not a failed read. */
  textReader: string;
  /** Reads with DuckDB's inferred types: used to type custom attributes. */
  typedReader: string;
  /** The file has a line over DuckDB's default 2 MB limit, so it is read with MAX_LINE_BYTES. */
  longLines?: boolean;
  /** Column names of a headerless CSV (Synapse Link), from its model.json. */
  headerless?: string[];
  /** A report footer below the rows (./report-footer.ts): the readers read the file without it. */
  footer?: ReportFooter;
  /** A CSV file as DuckDB reads it (without its footer) and how it is decoded: what inspectFile sniffs. */
  csvBody?: { path: string; decode: string };
}

/** Lines before a file's first record: a CSV header (Synapse Link's partitions have none). */
export function headerLines(file: Pick<SourceFile, 'format' | 'headerless'>): number {
  return file.format === 'csv' && !file.headerless ? 1 : 0;
}

/**
 * The longest CSV line DuckDB is asked to take (its default is 2 MB): a long note or a pasted e-mail
 * in one field is still data. A longer line stops the load naming it.
 */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

/** JSON nested deeper than this is no CRM record; DuckDB and JSON.parse would crash on 100,000 levels. */
export const MAX_JSON_DEPTH = 1000;

/**
 * A path as DuckDB's readers take it literally: they expand `*`, `?` and `[...]` as a glob, so an
 * export folder named `exports[1]` would read a sibling folder `exports1`. Each such character is
 * put in brackets, which match it alone.
 */
export function literalPath(path: string): string {
  return path.replace(/[[*?]/g, '[$&]');
}

/** DuckDB's tables of malformed CSV rows (temporary, per connection). */
export const CSV_ERRORS = 'wuwei_csv_errors';
export const CSV_SCANS = 'wuwei_csv_scans';

const EXTENSIONS: [string, SourceFormat][] = [
  ['.csv', 'csv'],
  ['.txt', 'csv'],
  ['.tsv', 'csv'],
  ['.parquet', 'parquet'],
  ['.json', 'json'],
  ['.ndjson', 'json'],
  ['.jsonl', 'json'],
];

/** The files a source (a folder, or a list of files and folders) offers, by lower-cased name. */
export function listSourceFiles(source: string | string[]): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of Array.isArray(source) ? source : [source]) {
    if (!existsSync(entry))
      throw new WuweiError(
        'missing_input',
        `${entry}: no such folder or file, so no accounts or opportunities export to load`,
      );
    const paths = statSync(entry).isDirectory()
      ? readdirSync(entry)
          .sort()
          .map((name) => join(entry, name))
      : [entry];
    for (const path of paths)
      if (!files.has(basename(path).toLowerCase())) files.set(basename(path).toLowerCase(), path);
  }
  return files;
}

/** The file a mapping names (`Opportunity` finds Opportunity.csv, .parquet, ...; case does not matter), read with the declared encoding. */
export function findSourceFile(
  files: Map<string, string>,
  name: string,
  encoding?: Encoding,
  options: { unnest?: string } = {},
): SourceFile | undefined {
  const synapse = headerlessTable(files, name);
  if (synapse) return describeHeaderless(synapse.paths, synapse.columns);
  const lower = name.toLowerCase();
  const candidates = EXTENSIONS.some(([ext]) => lower.endsWith(ext))
    ? [lower]
    : EXTENSIONS.map(([ext]) => `${lower}${ext}`);
  for (const candidate of candidates) {
    const path = files.get(candidate);
    if (path) return describeFile(path, encoding, options);
  }
  return undefined;
}

/** Headerless CSV partitions read with the column names model.json gives (./synapse.ts). */
function describeHeaderless(paths: string[], columns: string[]): SourceFile {
  const list = `[${paths.map((path) => quoteLiteral(literalPath(path))).join(', ')}]`;
  // Synapse writes comma-separated, double-quoted CSV (model.json's CsvFormatSettings) whose columns
  // model.json lists: said, not sniffed, so that one cut-off row cannot make the sniffer give up.
  const dialect = `header = false, columns = {${columns.map((c) => `${quoteLiteral(c)}: 'VARCHAR'`).join(', ')}}, delim = ',', quote = '"', escape = '"', auto_detect = false`;
  return {
    path: paths[0]!,
    format: 'csv',
    encoding: 'utf-8',
    headerless: columns,
    textReader: `read_csv(${list}, ${dialect}, store_rejects = true, rejects_table = '${CSV_ERRORS}', rejects_scan = '${CSV_SCANS}')`,
    typedReader: `read_csv(${list}, ${dialect})`,
  };
}

export function describeFile(path: string, declaredEncoding?: Encoding, options: { unnest?: string } = {}): SourceFile {
  const format = EXTENSIONS.find(([ext]) => ext === extname(path).toLowerCase())?.[1] ?? 'csv';
  checkRegularFile(path);
  // DuckDB's larger line limit costs memory per column, so only a file with a line over its default gets it.
  const longLines =
    format === 'csv' &&
    statSync(path).size > DUCKDB_MAX_LINE_BYTES &&
    firstLineLongerThan(path, DUCKDB_MAX_LINE_BYTES) !== null;
  const tooLong = longLines ? firstLineLongerThan(path, MAX_LINE_BYTES) : null;
  if (tooLong !== null) throw longLineError(path, tooLong);
  const literal = quoteLiteral(literalPath(path));
  if (format === 'csv') {
    const encoding = csvEncoding(path, declaredEncoding);
    const decode = `${encoding === 'utf-8' ? '' : `, encoding = ${quoteLiteral(encoding)}`}${longLines ? LINE_SIZE : ''}`;
    const footer = encoding === 'utf-8' ? reportFooter(path) : null;
    const body = quoteLiteral(literalPath(footer ? withoutFooter(path, footer) : path));
    return {
      path,
      format,
      encoding,
      longLines,
      ...(footer ? { footer } : {}),
      csvBody: { path: body, decode },
      // A malformed row (too many or too few fields, a stray quote) goes to DuckDB's rejects table, not the whole file.
      textReader: `read_csv(${body}, header = true, all_varchar = true, auto_detect = true${decode}, store_rejects = true, rejects_table = '${CSV_ERRORS}', rejects_scan = '${CSV_SCANS}')`,
      typedReader: `read_csv(${body}, header = true, auto_detect = true${decode})`,
    };
  }
  if (format === 'json') {
    checkJsonDepth(path); // before anything parses it: JSON.parse and the flattening recurse
    // API pages, property bags and lookups flattened first (./json-records.ts); read as one row per record.
    const flat = quoteLiteral(flattenedJsonFile(path, options));
    const reader = `read_json(${flat}, format = 'newline_delimited', sample_size = -1)`;
    return { path, format, encoding: 'utf-8', textReader: reader, typedReader: reader };
  }
  const reader = `read_parquet(${literal})`;
  return { path, format, encoding: 'utf-8', textReader: reader, typedReader: reader };
}

const LINE_SIZE = `, max_line_size = ${MAX_LINE_BYTES}`;
/** DuckDB's reading of a CSV file that breaks the standard in a way it can still read (mixed line endings). */
const LENIENT = ', strict_mode = false';
/** DuckDB's default line limit (2,000,000 bytes), with a margin for its count. */
const DUCKDB_MAX_LINE_BYTES = 1_900_000;

/**
 * Only a regular file (or a link to one) is read: a pipe or a device would block the load forever,
 * and a folder is no export.
 */
function checkRegularFile(path: string): void {
  if (!statSync(path).isFile()) {
    throw new WuweiError('bad_input', `${path}: not a regular file (a pipe, device or folder): export it as a file`);
  }
}

/** A 0-byte file is an export job that died before writing, not an entity without rows (that file has a header). */
function checkNotEmpty(file: SourceFile): void {
  if (statSync(file.path).size === 0) {
    throw new WuweiError(
      'bad_input',
      `${file.path}: empty file (0 bytes), not even a header: the export looks cut off; export it again, or remove the file if the CRM has none of these`,
    );
  }
}

/**
 * DuckDB renames a repeated header name (name, name_1), which would read the wrong column without
 * a word: the header row as written must name each column once (case does not matter in SQL).
 */
async function checkUniqueHeader(
  conn: DuckDBConnection,
  file: SourceFile,
  body: { path: string; decode: string },
  dialect: string,
  width: number,
): Promise<void> {
  // The header line as text, in the sniffed dialect (no second sniff); the sniffed width is the header's.
  const columns = Array.from({ length: Math.max(width, 1) }, (_, i) => `'c${i}': 'VARCHAR'`).join(', ');
  const reader = await conn.runAndReadAll(
    `SELECT * FROM read_csv(${body.path}, header = false, ${dialect}, columns = {${columns}}, ignore_errors = true${body.decode}) LIMIT 1`,
  );
  const header = (reader.getRows()[0] ?? []).map((value) => String(value ?? '').trim());
  const seen = new Map<string, number>();
  for (const [i, name] of header.entries()) {
    if (name === '') continue; // unnamed trailing columns, as spreadsheets leave them, are DuckDB's column<N>
    const first = seen.get(name.toLowerCase());
    if (first !== undefined) {
      throw new WuweiError(
        'bad_input',
        `${file.path}, line 1: duplicate column '${name}' (columns ${first + 1} and ${i + 1}): rename or remove one, the load cannot tell which is meant`,
      );
    }
    seen.set(name.toLowerCase(), i);
  }
}

/** The file's columns with DuckDB's inferred types, or one clear error naming the file. */
export async function describeColumns(
  conn: DuckDBConnection,
  file: SourceFile,
): Promise<{ name: string; type: string }[]> {
  checkNotEmpty(file);
  try {
    const rows = await queryRows<{ column_name: string; column_type: string }>(
      conn,
      `DESCRIBE SELECT * FROM ${file.typedReader}`,
    );
    return rows.map((r) => ({ name: r.column_name, type: r.column_type }));
  } catch (error) {
    throw new WuweiError('bad_input', `${file.path}: cannot read as ${file.format}: ${firstLine(error)}`, {
      cause: error,
    });
  }
}

/**
 * The file's columns with DuckDB's inferred types, and for CSV the date formats its sniffer saw
 * (e.g. `%d.%m.%Y`): one sniff per file. A file that cannot be read gives one clear error naming it.
 */
export async function inspectFile(
  conn: DuckDBConnection,
  file: SourceFile,
): Promise<{ columns: { name: string; type: string }[]; dateFormats: string[] }> {
  if (file.headerless) return { columns: await describeColumns(conn, file), dateFormats: [] };
  if (file.format !== 'csv') return { columns: await describeColumns(conn, file), dateFormats: [] };
  checkNotEmpty(file);
  const decode = `${file.encoding === 'utf-8' ? '' : `, encoding = ${quoteLiteral(file.encoding)}`}${file.longLines ? LINE_SIZE : ''}`;
  const body = file.csvBody ?? { path: quoteLiteral(literalPath(file.path)), decode };
  const sniff = async (lenient: boolean) =>
    (
      await queryRows<SniffedCsv>(
        conn,
        `SELECT Columns, DateFormat, TimestampFormat, Delimiter, Quote, Escape, NewLineDelimiter, Comment, SkipRows
         FROM sniff_csv(${body.path}, header = true, ignore_errors = true${lenient ? LENIENT : ''}${body.decode})`,
      )
    )[0]!;
  try {
    // The one sniff of the file: its readers take the dialect from it instead of sniffing again
    // (a sniff costs about as much as reading a wide file). A file whose lines end in LF and some in
    // CR LF (a row edited in Excel, files joined) defeats the strict sniffer: read it leniently then.
    let lenient = false;
    const row = await sniff(false).catch(async (error: unknown) => {
      if (!/error when sniffing file/i.test(String(error))) throw error;
      lenient = true;
      return sniff(true);
    });
    const dialect = `${sniffedDialect(row)}${lenient ? LENIENT : ''}`;
    await checkUniqueHeader(conn, file, body, dialect, row.Columns.length);
    if (file.csvBody) file.textReader = dialectTextReader(body, dialect, row.Columns);
    if (file.csvBody && lenient)
      file.typedReader = `read_csv(${body.path}, header = true, auto_detect = true${LENIENT}${body.decode})`;
    const dateFormats = [row.TimestampFormat, row.DateFormat].filter(
      (f): f is string => typeof f === 'string' && f.length > 0,
    );
    return { columns: row.Columns.map((c) => ({ name: c.name, type: c.type })), dateFormats };
  } catch (error) {
    if (error instanceof WuweiError) throw error;
    if (/invalid unicode/i.test(error instanceof Error ? error.message : String(error))) throw notUtf8Error(file.path);
    const long = /maximum line size/i.test(String(error)) ? firstLineLongerThan(file.path, MAX_LINE_BYTES) : null;
    if (long !== null) throw longLineError(file.path, long);
    throw new WuweiError('bad_input', `${file.path}: cannot read as csv: ${firstLine(error)}`, { cause: error });
  }
}

interface SniffedCsv {
  Columns: { name: string; type: string }[];
  DateFormat: string | null;
  TimestampFormat: string | null;
  Delimiter: string;
  Quote: string;
  Escape: string;
  NewLineDelimiter: string;
  Comment: string;
  SkipRows: number;
}

/** The sniffed dialect as read_csv options (sniff_csv writes `(empty)` for none). */
function sniffedDialect(row: SniffedCsv): string {
  const option = (value: string) => quoteLiteral(value === '(empty)' ? '' : value);
  const newLine = row.NewLineDelimiter === '(empty)' ? '' : `, new_line = ${option(row.NewLineDelimiter)}`;
  return `auto_detect = false, delim = ${option(row.Delimiter)}, quote = ${option(row.Quote)}, escape = ${option(row.Escape)}, comment = ${option(row.Comment)}, skip = ${Number(row.SkipRows)}${newLine}`;
}

/** Every column as text with the sniffed dialect: what the auto-detecting text reader reads, without its sniff. */
function dialectTextReader(
  body: { path: string; decode: string },
  dialect: string,
  columns: { name: string }[],
): string {
  const text = columns.map((c) => `${quoteLiteral(c.name)}: 'VARCHAR'`).join(', ');
  return `read_csv(${body.path}, header = true, ${dialect}, columns = {${text}}${body.decode}, store_rejects = true, rejects_table = '${CSV_ERRORS}', rejects_scan = '${CSV_SCANS}')`;
}

/**
 * The first line of a DuckDB error, without the file content DuckDB quotes in some (a CSV line,
 * a JSON fragment): an error message reaches the log and the run record, file content must not.
 */
export function firstLine(error: unknown): string {
  const line = String(error instanceof Error ? error.message : error).split('\n')[0]!;
  return line.replace(/\b(string|value|line)\s*:?\s*('[^']*'|"[^"]*")/gi, '$1 (withheld)');
}

/** Reads a file in chunks, calling `visit` on each; stops when it returns false. */
function scanFile(path: string, visit: (chunk: Buffer) => boolean): void {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(4 * 1024 * 1024);
    for (
      let n = readSync(fd, buffer, 0, buffer.length, null);
      n > 0;
      n = readSync(fd, buffer, 0, buffer.length, null)
    ) {
      if (!visit(buffer.subarray(0, n))) return;
    }
  } finally {
    closeSync(fd);
  }
}

function longLineError(path: string, line: number): WuweiError {
  return new WuweiError(
    'bad_input',
    `${path}, line ${line}: longer than ${MAX_LINE_BYTES / 1024 / 1024} MB: a field that long is no CRM value (a broken export?)`,
  );
}

/** The number of the first line longer than `limit` bytes, or null. */
export function firstLineLongerThan(path: string, limit: number): number | null {
  let line = 1;
  let length = 0;
  let found: number | null = null;
  scanFile(path, (chunk) => {
    let start = 0;
    for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, start)) {
      if (length + at - start > limit) break;
      line += 1;
      length = 0;
      start = at + 1;
    }
    length += chunk.length - start;
    if (length > limit) found = line;
    return found === null;
  });
  return found;
}

/**
 * Stops on JSON nested deeper than MAX_JSON_DEPTH, before DuckDB parses it (100,000 levels crash
 * the process): one pass over the bytes counting brackets outside strings.
 */
export function checkJsonDepth(path: string): void {
  let depth = 0;
  let line = 1;
  let inString = false;
  let escaped = false;
  scanFile(path, (chunk) => {
    for (const byte of chunk) {
      if (inString) {
        if (escaped) escaped = false;
        else if (byte === 0x5c) escaped = true;
        else if (byte === 0x22) inString = false;
        else if (byte === 0x0a) line += 1;
        continue;
      }
      if (byte === 0x22) inString = true;
      else if (byte === 0x7b || byte === 0x5b) {
        depth += 1;
        if (depth > MAX_JSON_DEPTH) {
          throw new WuweiError(
            'bad_input',
            `${path}, line ${line}: JSON nested more than ${MAX_JSON_DEPTH} levels deep: no CRM record is; export it again`,
          );
        }
      } else if (byte === 0x7d || byte === 0x5d) depth = Math.max(0, depth - 1);
      else if (byte === 0x0a) line += 1;
    }
    return true;
  });
}
