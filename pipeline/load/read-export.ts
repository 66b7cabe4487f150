import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { queryRows, quoteLiteral, type DuckDBConnection } from '../db.ts';
import { WuweiError } from '../errors.ts';

/** One export file found in the source folder, and the DuckDB table function that reads it as text. */
export interface ExportFile {
  path: string;
  format: 'csv' | 'parquet' | 'json';
  reader: string;
}

const FORMATS = [
  ['.csv', 'csv'],
  ['.parquet', 'parquet'],
  ['.json', 'json'],
  ['.ndjson', 'json'],
] as const;

export function findExportFile(source: string, baseName: string): ExportFile | undefined {
  for (const [extension, format] of FORMATS) {
    const path = join(source, `${baseName}${extension}`);
    if (!existsSync(path)) continue;
    const literal = quoteLiteral(path);
    const reader =
      format === 'csv'
        ? `read_csv(${literal}, header = true, all_varchar = true, auto_detect = true)`
        : format === 'parquet'
          ? `read_parquet(${literal})`
          : `read_json_auto(${literal})`;
    return { path, format, reader };
  }
  return undefined;
}

/** The file's column names, or a clear error naming the file if it cannot be read at all. */
export async function readHeader(conn: DuckDBConnection, file: ExportFile): Promise<string[]> {
  try {
    const rows = await queryRows<{ column_name: string }>(conn, `DESCRIBE SELECT * FROM ${file.reader}`);
    return rows.map((r) => r.column_name);
  } catch (error) {
    throw new WuweiError('bad_input', `${file.path}: cannot read as ${file.format}: ${firstLine(error)}`, { cause: error });
  }
}

function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error).split('\n')[0]!;
}
