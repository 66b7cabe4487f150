/**
 * Which report tables are current. `report_tables` records, per table, the night it describes and
 * the scores and load it read; a page uses a report table only when that record matches the
 * database it builds from. A table left by an earlier night, or by a night reloaded since without
 * scoring (`wuwei load` by hand), is then never shown: the page computes the same SQL on the fly
 * instead (as on a database scored before the table existed).
 */
import { inTransaction, queryRows, quoteLiteral, tableExists, type DuckDBConnection } from '../base/db.ts';
import { outputTable } from '../contract/output-tables.ts';
import { createTableSql } from '../contract/table-spec.ts';

const REGISTRY = 'report_tables';

/** One row: the date and what the database holds now (the latest write of scores and of the load). */
function stampSql(asOf: string): string {
  const date = `DATE ${quoteLiteral(asOf)}`;
  return `SELECT ${date} AS as_of,
                 (SELECT max(scored_at) FROM scores WHERE as_of = ${date}) AS scored_at,
                 (SELECT max(loaded_at) FROM wuwei_meta) AS loaded_at`;
}

/** Whether `table` was written, as of `asOf`, from the scores and the load the database holds now. */
export async function isCurrent(conn: DuckDBConnection, table: string, asOf: string): Promise<boolean> {
  if (!(await tableExists(conn, REGISTRY)) || !(await tableExists(conn, table))) return false;
  const [row] = await queryRows<{ current: boolean }>(
    conn,
    `SELECT count(*) > 0 AS current
     FROM ${REGISTRY} AS r JOIN (${stampSql(asOf)}) AS now
       ON r.as_of = now.as_of AND r.scored_at IS NOT DISTINCT FROM now.scored_at AND r.loaded_at IS NOT DISTINCT FROM now.loaded_at
     WHERE r.table_name = ${quoteLiteral(table)}`,
  );
  return row?.current === true;
}

/**
 * Replaces the declared table `table` with the rows of `select` and records what they were made
 * from, in one transaction: a reader sees the old table and its record, or the new ones.
 */
export async function writeReportTable(
  conn: DuckDBConnection,
  table: string,
  select: string,
  asOf: string,
): Promise<number> {
  return inTransaction(conn, async () => {
    await conn.run(createTableSql(outputTable(REGISTRY), 'if not exists'));
    await conn.run(createTableSql(outputTable(table), 'or replace'));
    await conn.run(`INSERT INTO ${table} BY NAME ${select}`);
    const [row] = await queryRows<{ n: number }>(conn, `SELECT count(*)::INTEGER AS n FROM ${table}`);
    const rows = row?.n ?? 0;
    await conn.run(`DELETE FROM ${REGISTRY} WHERE table_name = ${quoteLiteral(table)}`);
    await conn.run(
      `INSERT INTO ${REGISTRY} BY NAME
       SELECT ${quoteLiteral(table)} AS table_name, now.*, current_localtimestamp()::TIMESTAMP AS written_at,
              ${rows}::BIGINT AS row_count
       FROM (${stampSql(asOf)}) AS now`,
    );
    return rows;
  });
}
