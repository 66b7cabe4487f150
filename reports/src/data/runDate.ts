/**
 * The date the report describes: the loaded export's as-of date (`wuwei_meta`), else the latest
 * night of scores. Pages that read the raw CRM tables count "open", "age" and "recent" from it.
 */
import { queryRows, type DuckDBConnection } from '../../../pipeline/db.ts';
import { hasTable } from './tables.ts';

export async function runDate(conn: DuckDBConnection): Promise<string> {
  const source = (await hasTable(conn, 'wuwei_meta')) ? 'SELECT max(as_of) FROM wuwei_meta' : 'SELECT max(as_of) FROM scores';
  const [row] = await queryRows<{ asOf: string | null }>(conn, `SELECT strftime((${source}), '%Y-%m-%d') AS "asOf"`);
  if (!row?.asOf) throw new Error('the database has no as-of date: run `wuwei load` before the report');
  return row.asOf;
}
