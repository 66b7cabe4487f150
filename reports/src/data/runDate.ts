/**
 * The one date the whole site describes: the latest night of scores (every page's numbers come
 * from that night), or, before anything was scored, the loaded export's as-of date (`wuwei_meta`),
 * so the data-quality page still builds after a load alone.
 */
import { queryRows, type DuckDBConnection } from '../../../pipeline/base/db.ts';
import { hasTable } from './tables.ts';

export async function runDate(conn: DuckDBConnection): Promise<string> {
  const sources = ['scores', 'wuwei_meta'];
  for (const table of sources) {
    if (!(await hasTable(conn, table))) continue;
    const [row] = await queryRows<{ asOf: string | null }>(
      conn,
      `SELECT strftime(max(as_of), '%Y-%m-%d') AS "asOf" FROM ${table}`,
    );
    if (row?.asOf) return row.asOf;
  }
  throw new Error('the database has no as-of date: run `wuwei load` before the report');
}

/** The currency load converted every amount to (`wuwei_meta.reporting_currency`). */
export async function reportingCurrency(conn: DuckDBConnection): Promise<string> {
  if (!(await hasTable(conn, 'wuwei_meta'))) return 'reporting currency';
  const [row] = await queryRows<{ currency: string | null }>(
    conn,
    `SELECT reporting_currency AS currency FROM wuwei_meta ORDER BY as_of DESC LIMIT 1`,
  );
  return row?.currency || 'reporting currency';
}
