import { inTransaction, queryRows, quoteIdent, quoteLiteral, type DuckDBConnection } from '../base/db.ts';
import { WuweiError } from '../base/errors.ts';
import { tableExists } from '../base/db.ts';
import { SCHEMA, type ColumnSpec } from './schema.ts';

/**
 * Nightly snapshots. Every load keeps the opportunities as they stood on its as-of date in
 * `snapshot_opportunities` (one copy per as-of date; loading a date again replaces its copy) and a
 * row in `snapshots`. Exports without a history table get their stage, amount and close-date
 * changes derived from successive snapshots, so the history builds up night by night.
 */

export interface SnapshotSummary {
  asOf: string;
  /** A snapshot of this date existed and was replaced. */
  replaced: boolean;
  /** Snapshots kept, this one included. */
  snapshots: number;
  /** Where `opportunity_history` came from: the export's own file, or derived from the snapshots. */
  history: 'export' | 'derived';
  historyRows: number;
}

const OPPORTUNITY_COLUMNS = Object.entries(SCHEMA.opportunities.columns) as [string, ColumnSpec][];

/**
 * Refuses an export older than the newest snapshot: it would replace newer deals with older ones
 * and publish an old picture as tonight's. The newest night itself may be loaded again.
 */
export async function checkNotOlderThanLastSnapshot(
  conn: DuckDBConnection,
  asOf: string,
  source: string,
): Promise<void> {
  const [table] = await queryRows<{ n: number }>(
    conn,
    `SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = 'snapshots'`,
  );
  if (table!.n === 0) return;
  const [last] = await queryRows<{ as_of: string | null }>(
    conn,
    `SELECT strftime(max(as_of), '%Y-%m-%d') AS as_of FROM snapshots`,
  );
  if (last?.as_of && asOf < last.as_of) {
    throw new WuweiError(
      'bad_input',
      `${source}: the export as of ${asOf} is older than the last snapshot (${last.as_of}): loading it would replace newer deals with older ones; load exports oldest first (check as_of.txt or --as-of); nothing was loaded`,
    );
  }
}

/** Stores the just-loaded `opportunities` table as the snapshot of `asOf`, replacing an earlier load of the same date. */
export async function recordSnapshot(
  conn: DuckDBConnection,
  asOf: string,
  source: string,
): Promise<{ replaced: boolean; snapshots: number }> {
  await conn.run(
    `CREATE TABLE IF NOT EXISTS snapshots (as_of DATE PRIMARY KEY, source VARCHAR, loaded_at TIMESTAMP, opportunities BIGINT)`,
  );
  await conn.run(`CREATE TABLE IF NOT EXISTS snapshot_opportunities (as_of DATE)`);
  // A contract that gained columns since the first snapshot: older snapshots show them as NULL.
  const existing = new Set(
    (await queryRows<{ column_name: string }>(conn, `DESCRIBE snapshot_opportunities`)).map((r) => r.column_name),
  );
  for (const [column, spec] of OPPORTUNITY_COLUMNS) {
    if (!existing.has(column))
      await conn.run(`ALTER TABLE snapshot_opportunities ADD COLUMN ${quoteIdent(column)} ${spec.type}`);
  }
  const date = `DATE ${quoteLiteral(asOf)}`;
  const [before] = await queryRows<{ n: number }>(
    conn,
    `SELECT count(*)::INTEGER AS n FROM snapshots WHERE as_of = ${date}`,
  );
  await conn.run(`DELETE FROM snapshot_opportunities WHERE as_of = ${date}`);
  await conn.run(`DELETE FROM snapshots WHERE as_of = ${date}`);
  const names = OPPORTUNITY_COLUMNS.map(([column]) => quoteIdent(column)).join(', ');
  await conn.run(`INSERT INTO snapshot_opportunities BY NAME SELECT ${date} AS as_of, ${names} FROM opportunities`);
  await conn.run(
    `INSERT INTO snapshots SELECT ${date}, ${quoteLiteral(source)}, now()::TIMESTAMP, (SELECT count(*) FROM opportunities)`,
  );
  const [after] = await queryRows<{ n: number }>(conn, `SELECT count(*)::INTEGER AS n FROM snapshots`);
  return { replaced: before!.n > 0, snapshots: after!.n };
}

/**
 * `opportunity_history` derived from the snapshots up to `asOf`, for the opportunities in the
 * current export. A deal gets a row the first night it is seen and each night its stage, amount or
 * close date differs from the night before, dated that night: what was known, from when it was
 * known. A close is dated at the close date the export gives, kept inside the nights between the
 * last snapshot that showed the deal open and the one that shows it closed (for a deal first seen
 * already closed: between its creation and that night), so a deal's outcome is known from its
 * close date on. Before the first snapshot nothing is known of a deal's stages.
 */
export function derivedHistorySql(asOf: string, closedStages: readonly string[]): string {
  const closed =
    closedStages.length > 0
      ? `coalesce(is_closed, stage IN (${closedStages.map(quoteLiteral).join(', ')}))`
      : 'coalesce(is_closed, false)';
  return `
    WITH nights AS (
        SELECT
            as_of, opportunity_id, created_date, stage, amount, close_date, probability, forecast_category,
            ${closed} AS closed,
            lag(as_of) OVER deal AS previous_night,
            row_number() OVER deal = 1 AS first_seen,
            stage IS DISTINCT FROM lag(stage) OVER deal
                OR amount IS DISTINCT FROM lag(amount) OVER deal
                OR close_date IS DISTINCT FROM lag(close_date) OVER deal AS changed
        FROM snapshot_opportunities
        WHERE as_of <= DATE ${quoteLiteral(asOf)}
          AND opportunity_id IN (SELECT opportunity_id FROM opportunities)
        WINDOW deal AS (PARTITION BY opportunity_id ORDER BY as_of)
    )
    SELECT
        opportunity_id,
        CASE WHEN closed AND close_date IS NOT NULL
             THEN least(as_of, greatest(close_date, coalesce(previous_night + 1, created_date, close_date)))
             ELSE as_of END AS changed_at,
        stage, amount, close_date, probability, forecast_category
    FROM nights
    WHERE first_seen OR changed
    ORDER BY opportunity_id, changed_at`;
}

/**
 * The tables that hold one set of rows per night, keyed by `as_of`: what dropping a night removes.
 * Training observations and backtests have `as_of` columns too, but there it is a point inside the
 * history, not a night that was loaded: they are left alone.
 */
export const NIGHTLY_TABLES = [
  'snapshots',
  'snapshot_opportunities',
  'load_rejects',
  'features_score',
  'scores',
  'forecasts',
] as const;

export interface SnapshotListing {
  asOf: string;
  source: string;
  loadedAt: string;
  opportunities: number;
  /** The export the database holds now (wuwei_meta): the one scores and reports describe. */
  current: boolean;
}

/** The snapshots kept, newest first. */
export async function listSnapshots(conn: DuckDBConnection): Promise<SnapshotListing[]> {
  if (!(await tableExists(conn, 'snapshots'))) return [];
  const current = (await tableExists(conn, 'wuwei_meta')) ? `(SELECT max(as_of) FROM wuwei_meta)` : 'NULL';
  return queryRows<SnapshotListing>(
    conn,
    `SELECT strftime(as_of, '%Y-%m-%d') AS "asOf", source, strftime(loaded_at, '%Y-%m-%d %H:%M:%S') AS "loadedAt",
            opportunities::INTEGER AS opportunities, coalesce(as_of = ${current}, false) AS current
     FROM snapshots ORDER BY as_of DESC`,
  );
}

export interface DropSummary {
  dropped: string;
  /** Rows removed per nightly table. */
  rows: Record<string, number>;
  /** The dropped night was the loaded export: nothing counts as loaded until the next load. */
  wasCurrent: boolean;
}

/**
 * Removes one night from every nightly table in one transaction: the way out of a snapshot loaded
 * with a wrong as-of date, which would otherwise refuse every real export after it. Dropping the
 * night the database holds now also forgets that it was loaded (`wuwei_meta`), so nothing is
 * scored or reported as that date until an export is loaded again.
 */
export async function dropSnapshot(conn: DuckDBConnection, asOf: string): Promise<DropSummary> {
  const kept = await listSnapshots(conn);
  const night = kept.find((snapshot) => snapshot.asOf === asOf);
  if (!night) {
    const known = kept.length === 0 ? 'there are none' : `kept: ${kept.map((s) => s.asOf).join(', ')}`;
    throw new WuweiError('bad_option', `no snapshot as of ${asOf} (${known}); see \`wuwei snapshots list\``);
  }
  const rows: Record<string, number> = {};
  await inTransaction(conn, async () => {
    for (const table of NIGHTLY_TABLES) {
      if (!(await tableExists(conn, table))) continue;
      const [deleted] = await queryRows<{ n: number }>(
        conn,
        `SELECT count(*)::INTEGER AS n FROM ${quoteIdent(table)} WHERE as_of = DATE ${quoteLiteral(asOf)}`,
      );
      await conn.run(`DELETE FROM ${quoteIdent(table)} WHERE as_of = DATE ${quoteLiteral(asOf)}`);
      rows[table] = deleted!.n;
    }
    if (night.current) await conn.run('DROP TABLE IF EXISTS wuwei_meta');
  });
  return { dropped: asOf, rows, wasCurrent: night.current };
}

/** The snapshot listing as a plain-text table; `*` marks the loaded one. */
export function formatSnapshots(snapshots: SnapshotListing[]): string {
  if (snapshots.length === 0) return 'no snapshots yet: run `wuwei load --source DIR`\n';
  return `${snapshots.map((s) => `${s.current ? '*' : ' '} ${s.asOf}  loaded ${s.loadedAt}  ${s.opportunities} opportunities  ${s.source}`).join('\n')}\n`;
}
