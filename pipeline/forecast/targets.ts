/**
 * The optional targets file: one row per period and segment with the amount to book, for
 * attainment and pipeline coverage. CSV columns: period_type (month | quarter), period_start
 * (YYYY-MM-DD, the period's first day), segment_type (all, owner, team, region, product_line),
 * segment (`all` for the company), target.
 */
import { existsSync } from 'node:fs';
import { queryRows, quoteLiteral, type DuckDBConnection } from '../base/db.ts';
import { WuweiError } from '../base/errors.ts';

export const TARGET_COLUMNS = ['period_type', 'period_start', 'segment_type', 'segment', 'target'] as const;

/** Targets keyed by `period_type|period_start|segment_type|segment`. */
export async function readTargets(conn: DuckDBConnection, file: string | undefined): Promise<Map<string, number>> {
  if (!file) return new Map();
  if (!existsSync(file)) throw new WuweiError('missing_input', `${file}: targets file not found`);
  let rows: { key: string; target: number | null }[];
  try {
    const columns = (
      await queryRows<{ column_name: string }>(
        conn,
        `DESCRIBE SELECT * FROM read_csv(${quoteLiteral(file)}, header = true)`,
      )
    ).map((c) => c.column_name);
    const missing = TARGET_COLUMNS.filter((column) => !columns.includes(column));
    if (missing.length > 0)
      throw new WuweiError(
        'bad_input',
        `${file}: missing column ${missing.join(', ')} (expected ${TARGET_COLUMNS.join(', ')})`,
      );
    rows = await queryRows(
      conn,
      `SELECT period_type || '|' || strftime(period_start::DATE, '%Y-%m-%d') || '|' || segment_type || '|' || segment AS key, try_cast(target AS DOUBLE) AS target
       FROM read_csv(${quoteLiteral(file)}, header = true, all_varchar = true)`,
    );
  } catch (error) {
    if (error instanceof WuweiError) throw error;
    throw new WuweiError(
      'bad_input',
      `${file}: cannot read targets: ${String(error instanceof Error ? error.message : error).split('\n')[0]}`,
    );
  }
  const bad = rows.find((row) => row.target === null);
  if (bad) throw new WuweiError('bad_input', `${file}: target for ${bad.key.replaceAll('|', ' ')} is not a number`);
  return new Map(rows.map((row) => [row.key, row.target!]));
}
