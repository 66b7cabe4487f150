/**
 * The floor for `wuwei load`: DuckDB reading the same export files into a fresh database file with
 * nothing else (no mapping, no validation, no quarantine), in the same run on the same machine.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { quoteIdent, quoteLiteral, withDatabase } from '../../pipeline/base/db.ts';

export interface BareScan {
  seconds: number;
  rows: number;
  files: number;
}

const READERS: Record<string, string> = {
  '.csv': 'read_csv',
  '.parquet': 'read_parquet',
  '.json': 'read_json_auto',
  '.ndjson': 'read_json_auto',
};

export async function bareScan(exportDir: string): Promise<BareScan> {
  const files = readdirSync(exportDir)
    .filter((file) => READERS[extname(file)] && !file.startsWith('ground_truth')) // the generator's truth files are not export
    .sort();
  const scratch = mkdtempSync(join(tmpdir(), 'wuwei-scan-'));
  try {
    const start = performance.now();
    let rows = 0;
    await withDatabase(join(scratch, 'scan.duckdb'), async (conn) => {
      for (const [i, file] of files.entries()) {
        const reader = READERS[extname(file)]!;
        await conn.run(
          `CREATE TABLE ${quoteIdent(`t${i}`)} AS SELECT * FROM ${reader}(${quoteLiteral(join(exportDir, file))})`,
        );
        const result = await conn.runAndReadAll(`SELECT count(*)::BIGINT FROM ${quoteIdent(`t${i}`)}`);
        rows += Number(result.getRows()[0]![0]);
      }
    });
    return { seconds: (performance.now() - start) / 1000, rows, files: files.length };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
