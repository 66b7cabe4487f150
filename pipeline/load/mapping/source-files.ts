/**
 * Finds a mapping's source files (in a folder, or among files named on the command line) and says
 * how DuckDB reads each: CSV with the sniffer (delimiter, quoting, header, BOM), Parquet, JSON or NDJSON.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { queryRows, quoteLiteral, type DuckDBConnection } from '../../db.ts';
import { WuweiError } from '../../errors.ts';

export type SourceFormat = 'csv' | 'parquet' | 'json';

export interface SourceFile {
  path: string;
  format: SourceFormat;
  /** Reads every column as text, so a bad value becomes a row-level reject, not a failed read. */
  textReader: string;
  /** Reads with DuckDB's inferred types: used to type custom attributes. */
  typedReader: string;
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

/** The file a mapping names (`Opportunity` finds Opportunity.csv, .parquet, ...; case does not matter). */
export function findSourceFile(files: Map<string, string>, name: string): SourceFile | undefined {
  const lower = name.toLowerCase();
  const candidates = EXTENSIONS.some(([ext]) => lower.endsWith(ext)) ? [lower] : EXTENSIONS.map(([ext]) => `${lower}${ext}`);
  for (const candidate of candidates) {
    const path = files.get(candidate);
    if (path) return describeFile(path);
  }
  return undefined;
}

export function describeFile(path: string): SourceFile {
  const format = EXTENSIONS.find(([ext]) => ext === extname(path).toLowerCase())?.[1] ?? 'csv';
  const literal = quoteLiteral(path);
  if (format === 'csv') {
    return {
      path,
      format,
      // A malformed row (too many or too few fields, a stray quote) goes to DuckDB's rejects table, not the whole file.
      textReader: `read_csv(${literal}, header = true, all_varchar = true, auto_detect = true, store_rejects = true, rejects_table = '${CSV_ERRORS}', rejects_scan = '${CSV_SCANS}')`,
      typedReader: `read_csv(${literal}, header = true, auto_detect = true)`,
    };
  }
  const reader = format === 'parquet' ? `read_parquet(${literal})` : `read_json(${literal}, format = 'auto')`;
  return { path, format, textReader: reader, typedReader: reader };
}

/** The file's columns with DuckDB's inferred types, or one clear error naming the file. */
export async function describeColumns(conn: DuckDBConnection, file: SourceFile): Promise<{ name: string; type: string }[]> {
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
  if (file.format !== 'csv') return { columns: await describeColumns(conn, file), dateFormats: [] };
  try {
    const [row] = await queryRows<{ Columns: { name: string; type: string }[]; DateFormat: string | null; TimestampFormat: string | null }>(
      conn,
      `SELECT Columns, DateFormat, TimestampFormat FROM sniff_csv(${quoteLiteral(file.path)}, ignore_errors = true)`,
    );
    const dateFormats = [row?.TimestampFormat, row?.DateFormat].filter((f): f is string => typeof f === 'string' && f.length > 0);
    return { columns: row!.Columns.map((c) => ({ name: c.name, type: c.type })), dateFormats };
  } catch (error) {
    throw new WuweiError('bad_input', `${file.path}: cannot read as csv: ${firstLine(error)}`, { cause: error });
  }
}

export function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error).split('\n')[0]!;
}
