/**
 * The report tables: small tables the report's pages read instead of scanning the raw tables at
 * build time. The score stage writes them right after the scores, because two of them need the
 * night's scores (an account's potential, a deal's expected value) and because then every way
 * scores get written (the night, `wuwei score`, the benchmark's stage-by-stage runs, the tests)
 * leaves them current; a step of its own would leave `wuwei score` then `wuwei report` on the slow
 * path. Each table is recorded with what it was made from (./made-from.ts), so a page never shows
 * one the database has moved past.
 */
import { queryRows, tableColumns, tableExists, type DuckDBConnection } from '../base/db.ts';
import type { Logger } from '../base/log.ts';
import { ACCOUNT_SUMMARY, accountSummarySql } from './account-summary.ts';
import { DEAL_THREADING, dealThreadingSql } from './deal-threading.ts';
import { writeReportTable } from './made-from.ts';
import { STAGE_SPELLS, stageSpellsSql } from './stage-spells.ts';

export interface ReportTablesSummary {
  /** The night they describe; null when there were no scores to describe. */
  asOf: string | null;
  /** Rows and seconds of each table written. */
  tables: Record<string, { rows: number; seconds: number }>;
}

/** Each report table's rows as of a date (`hasExpectedAmount`: the scores hold the deal-size model's amount). */
const DEFINITIONS = {
  [ACCOUNT_SUMMARY]: accountSummarySql,
  [DEAL_THREADING]: dealThreadingSql,
  [STAGE_SPELLS]: (asOf: string) => stageSpellsSql(asOf),
} as const satisfies Record<string, (asOf: string, hasExpectedAmount: boolean) => string>;

export type ReportTableName = keyof typeof DEFINITIONS;

/**
 * The select of `table` as of `asOf`: what the score stage writes, and what a page computes itself
 * when the table is not current, so the two cannot differ.
 */
export async function reportTableSelect(conn: DuckDBConnection, table: ReportTableName, asOf: string): Promise<string> {
  const hasExpectedAmount = (await tableColumns(conn, 'scores')).includes('expected_amount');
  return DEFINITIONS[table](asOf, hasExpectedAmount);
}

/** Writes every report table as of the latest scores' date (the date every page describes). */
export async function writeReportTables(
  conn: DuckDBConnection,
  options: { log: Logger },
): Promise<ReportTablesSummary> {
  const [latest] = (await tableExists(conn, 'scores'))
    ? await queryRows<{ asOf: string | null }>(conn, `SELECT strftime(max(as_of), '%Y-%m-%d') AS "asOf" FROM scores`)
    : [];
  const tables: ReportTablesSummary['tables'] = {};
  // no open deal scored (none open): nothing to describe, and the report says the scores are empty
  if (!latest?.asOf) {
    options.log.info('report tables: not written, no scores yet');
    return { asOf: null, tables };
  }
  const asOf = latest.asOf;
  for (const table of Object.keys(DEFINITIONS) as ReportTableName[]) {
    const start = performance.now();
    const rows = await writeReportTable(conn, table, await reportTableSelect(conn, table, asOf), asOf);
    tables[table] = { rows, seconds: (performance.now() - start) / 1000 };
    options.log.info(`report tables: ${table} ${rows} rows in ${tables[table].seconds.toFixed(1)} s`);
  }
  return { asOf, tables };
}
