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
  const hasExpectedAmount = (await tableColumns(conn, 'scores')).includes('expected_amount');
  for (const [table, select] of [
    [ACCOUNT_SUMMARY, accountSummarySql(asOf, hasExpectedAmount)],
    [DEAL_THREADING, dealThreadingSql(asOf, hasExpectedAmount)],
    [STAGE_SPELLS, stageSpellsSql(asOf)],
  ] as const) {
    const start = performance.now();
    const rows = await writeReportTable(conn, table, select, asOf);
    tables[table] = { rows, seconds: (performance.now() - start) / 1000 };
    options.log.info(`report tables: ${table} ${rows} rows in ${tables[table].seconds.toFixed(1)} s`);
  }
  return { asOf, tables };
}
