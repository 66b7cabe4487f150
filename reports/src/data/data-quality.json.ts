/**
 * data-quality.json: what the last load brought per entity, what it rejected and why (from
 * `load_rejects`), a few examples, and the history of the nightly runs from their run records.
 * Rejected values that may identify a person (pipeline/load/personal-data.ts: any value of a contact
 * or user row, a person's id elsewhere, a whole malformed line of those) are withheld unless
 * personal data is allowed.
 */
import { queryRows, type DuckDBConnection } from '../../../pipeline/base/db.ts';
import { ENTITY_NAMES, isPersonal } from '../../../pipeline/contract/index.ts';
import { basename } from 'node:path';
import type { DataQualityReport, EntityLoad, RejectExample, RejectReason } from '../components/types.ts';
import { showPersonalData } from './personalData.ts';
import { runDate } from './runDate.ts';
import { reportDatabasePath, runLoaderAsScript } from './runLoader.ts';
import { readRunHistory, runsFolder } from './runRecords.ts';
import { hasTable, rowCount } from './tables.ts';

const EXAMPLES = 25;

/** The data-quality page's data, from the run's database. */
export async function dataQualityData(conn: DuckDBConnection): Promise<DataQualityReport> {
  const asOf = await runDate(conn);
  const rejects = await hasTable(conn, 'load_rejects');
  const rejectedBy = new Map<string, { rows: number; file: string | null }>();
  let reasons: RejectReason[] = [];
  let examples: RejectExample[] = [];
  if (rejects) {
    for (const row of await queryRows<{ entity: string; rows: number; file: string | null }>(
      conn,
      `SELECT entity, count(*)::INTEGER AS rows, any_value(file) AS file FROM load_rejects GROUP BY entity`,
    ))
      rejectedBy.set(row.entity, row);
    reasons = await queryRows<RejectReason>(
      conn,
      `SELECT entity, coalesce(column_name, '(row)') AS "column", reason, count(*)::INTEGER AS rows
       FROM load_rejects GROUP BY ALL ORDER BY rows DESC, entity, "column", reason`,
    );
    const personal = showPersonalData();
    examples = (
      await queryRows<Omit<RejectExample, 'column'> & { column_name: string | null }>(
        conn,
        `SELECT entity, line::INTEGER AS line, column_name, reason, value
         FROM load_rejects ORDER BY entity, line LIMIT ${EXAMPLES}`,
      )
    ).map(({ column_name: column, ...example }) => ({
      ...example,
      column: column ?? '(row)',
      value: personal || !isPersonal(example.entity, column) ? example.value : null,
    }));
  }
  const entities: EntityLoad[] = [];
  for (const entity of ENTITY_NAMES) {
    const rejected = rejectedBy.get(entity);
    entities.push({
      entity,
      loaded: await rowCount(conn, entity),
      rejected: rejected?.rows ?? 0,
      file: rejected?.file ? basename(rejected.file) : null,
    });
  }
  let source: string | null = null;
  let loadedAt: string | null = null;
  if (await hasTable(conn, 'wuwei_meta')) {
    const [meta] = await queryRows<{ source: string | null; loadedAt: string | null }>(
      conn,
      `SELECT any_value(source) AS source, strftime(max(loaded_at), '%Y-%m-%d %H:%M') AS "loadedAt" FROM wuwei_meta`,
    );
    // The export's folder name only: a server path says nothing to a reader and tells too much.
    source = meta?.source ? basename(meta.source) : null;
    loadedAt = meta?.loadedAt ?? null;
  }
  return {
    asOf,
    source,
    loadedAt,
    entities,
    reasons,
    examples,
    runs: readRunHistory(runsFolder(reportDatabasePath())),
  };
}

await runLoaderAsScript(import.meta.url, 'data-quality', dataQualityData);
