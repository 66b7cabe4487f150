/**
 * `npx tsx bench/same-load.ts A.duckdb B.duckdb`: whether two loaded databases hold the same tables
 * and views, columns and rows (a table in one may be a view in the other; each compared both ways
 * with EXCEPT ALL, duplicates counted; the load's clock time `loaded_at` aside). For a change to `wuwei load` that must not change what it loads:
 * load the same export with main and with the change, then compare. Exits 1 on any difference.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { queryRows, quoteIdent, quoteLiteral, withDatabase, type DuckDBConnection } from '../pipeline/base/db.ts';

/** Columns that differ between two loads of the same export by design. */
const CLOCK_COLUMNS = new Set(['loaded_at']);

export interface TableComparison {
  table: string;
  rows: [number, number];
  /** Rows of A missing from B and of B missing from A, or null when the tables or columns differ. */
  only: [number, number] | null;
  problem?: string;
}

async function tables(conn: DuckDBConnection, db: string): Promise<string[]> {
  const rows = await queryRows<{ name: string }>(
    conn,
    `SELECT table_name AS name FROM duckdb_tables() WHERE database_name = ${quoteLiteral(db)}
     UNION SELECT view_name FROM duckdb_views() WHERE database_name = ${quoteLiteral(db)} AND NOT internal ORDER BY 1`,
  );
  return rows.map((r) => r.name);
}

async function columns(conn: DuckDBConnection, db: string, table: string): Promise<string[]> {
  const rows = await queryRows<{ c: string }>(
    conn,
    `SELECT column_name || ' ' || data_type AS c FROM duckdb_columns()
     WHERE database_name = ${quoteLiteral(db)} AND table_name = ${quoteLiteral(table)} ORDER BY column_index`,
  );
  return rows.map((r) => r.c);
}

export async function compareDatabases(a: string, b: string): Promise<TableComparison[]> {
  return withDatabase(':memory:', async (conn) => {
    await conn.run(`ATTACH ${quoteLiteral(a)} AS a (READ_ONLY)`);
    await conn.run(`ATTACH ${quoteLiteral(b)} AS b (READ_ONLY)`);
    const [inA, inB] = [await tables(conn, 'a'), await tables(conn, 'b')];
    const result: TableComparison[] = [];
    for (const table of [...new Set([...inA, ...inB])].sort()) {
      const at = (db: string) => `${db}.${quoteIdent(table)}`;
      if (!inA.includes(table) || !inB.includes(table)) {
        result.push({ table, rows: [0, 0], only: null, problem: `only in ${inA.includes(table) ? 'A' : 'B'}` });
        continue;
      }
      const [ca, cb] = [await columns(conn, 'a', table), await columns(conn, 'b', table)];
      const [count] = await queryRows<{ na: number; nb: number }>(
        conn,
        `SELECT (SELECT count(*) FROM ${at('a')})::INTEGER AS na, (SELECT count(*) FROM ${at('b')})::INTEGER AS nb`,
      );
      const rows: [number, number] = [count!.na, count!.nb];
      if (ca.join() !== cb.join()) {
        result.push({ table, rows, only: null, problem: `columns differ: ${ca.join(', ')} / ${cb.join(', ')}` });
        continue;
      }
      const list = ca
        .map((c) => c.slice(0, c.lastIndexOf(' ')))
        .filter((c) => !CLOCK_COLUMNS.has(c))
        .map(quoteIdent)
        .join(', ');
      const except = (x: string, y: string) =>
        `(SELECT count(*) FROM (SELECT ${list} FROM ${at(x)} EXCEPT ALL SELECT ${list} FROM ${at(y)}))::INTEGER`;
      const [only] = await queryRows<{ a: number; b: number }>(
        conn,
        `SELECT ${except('a', 'b')} AS a, ${except('b', 'a')} AS b`,
      );
      result.push({ table, rows, only: [only!.a, only!.b] });
    }
    return result;
  });
}

export const isSame = (c: TableComparison) => c.only !== null && c.only[0] === 0 && c.only[1] === 0;

async function main(): Promise<void> {
  const [a, b] = process.argv.slice(2);
  if (!a || !b) throw new Error('give two DuckDB files: npx tsx bench/same-load.ts A.duckdb B.duckdb');
  const comparisons = await compareDatabases(a, b);
  for (const c of comparisons)
    process.stdout.write(
      `${isSame(c) ? 'same' : 'DIFFERENT'} ${c.table}: ${c.rows[0]} rows${c.rows[1] === c.rows[0] ? '' : ` (B: ${c.rows[1]})`}${
        c.problem ? `; ${c.problem}` : c.only && !isSame(c) ? `; ${c.only[0]} only in A, ${c.only[1]} only in B` : ''
      }\n`,
    );
  const different = comparisons.filter((c) => !isSame(c)).length;
  process.stdout.write(different === 0 ? `identical: ${comparisons.length} tables\n` : `${different} tables differ\n`);
  process.exitCode = different === 0 ? 0 : 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
