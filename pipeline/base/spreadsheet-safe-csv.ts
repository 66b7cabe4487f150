/**
 * CSV written for people is opened in spreadsheets, which run a cell that starts with `=`, `+`,
 * `-`, `@`, a tab or a carriage return as a formula (CSV injection). Every CSV Wuwei writes for
 * people neutralises such a cell the way OWASP describes: a single quote in front, so the cell
 * reads as text. A genuine number (`-12.5`, `+3`, `1e-3`) stays as it is. Parquet keeps raw values.
 * One rule, in two forms: for values formatted in TypeScript, and for DuckDB's `COPY ... TO`.
 */
import { queryRows, quoteIdent, quoteLiteral, type DuckDBConnection } from './db.ts';

const FORMULA_START = /^[=+\-@\t\r]/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A text cell as a spreadsheet may safely open it. */
export function spreadsheetSafe(value: string): string {
  return FORMULA_START.test(value) && !NUMBER.test(value) ? `'${value}` : value;
}

/** The same rule as SQL over a text expression. */
export function spreadsheetSafeSql(expression: string): string {
  const v = `(${expression})`;
  return `CASE WHEN regexp_matches(${v}, '^[=+\\-@\\t\\r]') AND NOT regexp_full_match(${v}, '${NUMBER.source.slice(1, -1)}')
    THEN '''' || ${v} ELSE ${v} END`;
}

/**
 * Writes a query's rows to a CSV file with a header, every text column made spreadsheet-safe
 * (numbers, dates and other typed columns are written as DuckDB writes them).
 */
export async function copyToSafeCsv(conn: DuckDBConnection, query: string, path: string): Promise<void> {
  const columns = await queryRows<{ column_name: string; column_type: string }>(conn, `DESCRIBE ${query}`);
  const select = columns.map(({ column_name: name, column_type: type }) =>
    type === 'VARCHAR' ? `${spreadsheetSafeSql(quoteIdent(name))} AS ${quoteIdent(name)}` : quoteIdent(name),
  );
  await conn.run(`COPY (SELECT ${select.join(', ')} FROM (${query})) TO ${quoteLiteral(path)} (HEADER, DELIMITER ',')`);
}
