import { join } from 'node:path';
import { generate, type GenerateOptions } from '../../pipeline/generate/index.ts';
import { loadExports } from '../../pipeline/load/index.ts';
import { quietLogger } from '../../pipeline/base/log.ts';
import type { DuckDBConnection } from '../../pipeline/base/db.ts';

export const TEST_AS_OF = '2026-06-30';

/** Writes a small synthetic export (cut on TEST_AS_OF) into `dir` and returns its folder. */
export async function smallExport(
  dir: string,
  opportunities = 1200,
  seed = 3,
  options: Pick<GenerateOptions, 'shape' | 'customColumns'> = {},
): Promise<string> {
  const out = join(dir, `export-${opportunities}-${seed}`);
  await generate({ out, opportunities, seed, asOf: TEST_AS_OF, start: '2024-01-01', ...options, log: quietLogger });
  return out;
}

export async function loadInto(conn: DuckDBConnection, source: string): Promise<void> {
  await loadExports(conn, { source, log: quietLogger });
}
