/**
 * Finds a mapping's source files (in a folder, or among files named on the command line) and says
 * how DuckDB reads each: CSV with the sniffer (delimiter, quoting, header, BOM), Parquet, JSON or NDJSON.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { queryRows, quoteLiteral, type DuckDBConnection } from '../../db.ts';
import { WuweiError } from '../../errors.ts';
import { csvEncoding, notUtf8Error, type Encoding } from './encoding.ts';
import { flattenedJsonFile } from './json-records.ts';
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
  /** Column names of a headerless CSV (Synapse Link), from its model.json. */
  headerless?: string[];
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
    if (!existsSync(entry)) throw new WuweiError('missing_input', `${entry}: no such folder or file, so no accounts or opportunities export to load`);
    const paths = statSync(entry).isDirectory() ? readdirSync(entry).sort().map((name) => join(entry, name)) : [entry];
    for (const path of paths) if (!files.has(basename(path).toLowerCase())) files.set(basename(path).toLowerCase(), path);
  }
  return files;
}

/** The file a mapping names (`Opportunity` finds Opportunity.csv, .parquet, ...; case does not matter), read with the declared encoding. */
export function findSourceFile(files: Map<string, string>, name: string, encoding?: Encoding, options: { unnest?: string } = {}): SourceFile | undefined {
  const synapse = headerlessTable(files, name);
  if (synapse) return describeHeaderless(synapse.paths, synapse.columns);
  const lower = name.toLowerCase();
  const candidates = EXTENSIONS.some(([ext]) => lower.endsWith(ext)) ? [lower] : EXTENSIONS.map(([ext]) => `${lower}${ext}`);
  for (const candidate of candidates) {
    const path = files.get(candidate);
    if (path) return describeFile(path, encoding, options);
  }
  return undefined;
}

/** Headerless CSV partitions read with the column names model.json gives (./synapse.ts). */
function describeHeaderless(paths: string[], columns: string[]): SourceFile {
  const list = `[${paths.map(quoteLiteral).join(', ')}]`;
  const names = `names = [${columns.map(quoteLiteral).join(', ')}]`;
  return {
    path: paths[0]!,
    format: 'csv',
    encoding: 'utf-8',
    headerless: columns,
    textReader: `read_csv(${list}, header = false, ${names}, all_varchar = true, auto_detect = true, store_rejects = true, rejects_table = '${CSV_ERRORS}', rejects_scan = '${CSV_SCANS}')`,
    typedReader: `read_csv(${list}, header = false, ${names}, auto_detect = true)`,
  };
}

export function describeFile(path: string, declaredEncoding?: Encoding, options: { unnest?: string } = {}): SourceFile {
  const format = EXTENSIONS.find(([ext]) => ext === extname(path).toLowerCase())?.[1] ?? 'csv';
  const literal = quoteLiteral(path);
  if (format === 'csv') {
    const encoding = csvEncoding(path, declaredEncoding);
    const decode = encoding === 'utf-8' ? '' : `, encoding = ${quoteLiteral(encoding)}`;
    return {
      path,
      format,
      encoding,
      // A malformed row (too many or too few fields, a stray quote) goes to DuckDB's rejects table, not the whole file.
      textReader: `read_csv(${literal}, header = true, all_varchar = true, auto_detect = true${decode}, store_rejects = true, rejects_table = '${CSV_ERRORS}', rejects_scan = '${CSV_SCANS}')`,
      typedReader: `read_csv(${literal}, header = true, auto_detect = true${decode})`,
    };
  }
  if (format === 'json') {
    // API pages, property bags and lookups flattened first (./json-records.ts); read as one row per record.
    const flat = quoteLiteral(flattenedJsonFile(path, options));
    const reader = `read_json(${flat}, format = 'newline_delimited', sample_size = -1)`;
    return { path, format, encoding: 'utf-8', textReader: reader, typedReader: reader };
  }
  const reader = `read_parquet(${literal})`;
  return { path, format, encoding: 'utf-8', textReader: reader, typedReader: reader };
}

/** A 0-byte file is an export job that died before writing, not an entity without rows (that file has a header). */
function checkNotEmpty(file: SourceFile): void {
  if (statSync(file.path).size === 0) {
    throw new WuweiError('bad_input', `${file.path}: empty file (0 bytes), not even a header: the export looks cut off; export it again, or remove the file if the CRM has none of these`);
  }
}

/**
 * DuckDB renames a repeated header name (name, name_1), which would read the wrong column without
 * a word: the header row as written must name each column once (case does not matter in SQL).
 */
async function checkUniqueHeader(conn: DuckDBConnection, file: SourceFile): Promise<void> {
  const decode = file.encoding === 'utf-8' ? '' : `, encoding = ${quoteLiteral(file.encoding)}`;
  const reader = await conn.runAndReadAll(`SELECT * FROM read_csv(${quoteLiteral(file.path)}, header = false, all_varchar = true, auto_detect = true${decode}) LIMIT 1`);
  const header = (reader.getRows()[0] ?? []).map((value) => String(value ?? '').trim());
  const seen = new Map<string, number>();
  for (const [i, name] of header.entries()) {
    if (name === '') continue; // unnamed trailing columns, as spreadsheets leave them, are DuckDB's column<N>
    const first = seen.get(name.toLowerCase());
    if (first !== undefined) {
      throw new WuweiError('bad_input', `${file.path}, line 1: duplicate column '${name}' (columns ${first + 1} and ${i + 1}): rename or remove one, the load cannot tell which is meant`);
    }
    seen.set(name.toLowerCase(), i);
  }
}

/** The file's columns with DuckDB's inferred types, or one clear error naming the file. */
export async function describeColumns(conn: DuckDBConnection, file: SourceFile): Promise<{ name: string; type: string }[]> {
  checkNotEmpty(file);
  try {
    const rows = await queryRows<{ column_name: string; column_type: string }>(conn, `DESCRIBE SELECT * FROM ${file.typedReader}`);
    return rows.map((r) => ({ name: r.column_name, type: r.column_type }));
  } catch (error) {
    throw new WuweiError('bad_input', `${file.path}: cannot read as ${file.format}: ${firstLine(error)}`, { cause: error });
  }
}

/**
 * The file's columns with DuckDB's inferred types, and for CSV the date formats its sniffer saw
 * (e.g. `%d.%m.%Y`): one sniff per file. A file that cannot be read gives one clear error naming it.
 */
export async function inspectFile(conn: DuckDBConnection, file: SourceFile): Promise<{ columns: { name: string; type: string }[]; dateFormats: string[] }> {
  if (file.headerless) return { columns: await describeColumns(conn, file), dateFormats: [] };
  if (file.format !== 'csv') return { columns: await describeColumns(conn, file), dateFormats: [] };
  checkNotEmpty(file);
  try {
    const decode = file.encoding === 'utf-8' ? '' : `, encoding = ${quoteLiteral(file.encoding)}`;
    const [row] = await queryRows<{ Columns: { name: string; type: string }[]; DateFormat: string | null; TimestampFormat: string | null }>(
      conn,
      `SELECT Columns, DateFormat, TimestampFormat FROM sniff_csv(${quoteLiteral(file.path)}, ignore_errors = true${decode})`,
    );
    await checkUniqueHeader(conn, file);
    const dateFormats = [row?.TimestampFormat, row?.DateFormat].filter((f): f is string => typeof f === 'string' && f.length > 0);
    return { columns: row!.Columns.map((c) => ({ name: c.name, type: c.type })), dateFormats };
  } catch (error) {
    if (error instanceof WuweiError) throw error;
    if (/invalid unicode/i.test(error instanceof Error ? error.message : String(error))) throw notUtf8Error(file.path);
    throw new WuweiError('bad_input', `${file.path}: cannot read as csv: ${firstLine(error)}`, { cause: error });
  }
}

export function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error).split('\n')[0]!;
}
