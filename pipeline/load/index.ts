import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { queryRows, quoteIdent, quoteLiteral, type DuckDBConnection } from '../db.ts';
import { WuweiError } from '../errors.ts';
import { DEFAULT_FEATURE_CONFIG } from '../features/config.ts';
import type { Logger } from '../log.ts';
import { resolveAsOf } from './as-of.ts';
import { lineNumberSql } from './line-numbers.ts';
import { findExportFile, readHeader, type ExportFile } from './read-export.ts';
import { ENTITY_NAMES, SCHEMA, type ColumnSpec, type EntityName } from './schema.ts';
import { derivedHistorySql, recordSnapshot, type SnapshotSummary } from './snapshots.ts';
import { validationSql } from './validate.ts';

export { SCHEMA, ENTITY_NAMES, type EntityName } from './schema.ts';
export { REJECT_REASONS, type RejectReason } from './validate.ts';
export { AS_OF_FILE } from './as-of.ts';

export const DEFAULT_MAX_REJECT_RATE = 0.05;

export interface LoadOptions {
  source: string;
  /** The export's as-of date; else the date in the export's as_of.txt; else today. */
  asOf?: string;
  /** Fail the load when more than this share (0..1) of an entity's rows is rejected. Default 5%. */
  maxRejectRate?: number;
  /** Every stage name the CRM uses; a row with another stage is rejected. Default: the feature config's stages. */
  knownStages?: readonly string[];
  /** Where to write the rejects as CSV when the threshold fails the load (the database keeps nothing then). */
  rejectsFileOnFailure?: string;
  log: Logger;
}

export interface EntityLoad {
  file: string | null;
  loaded: number;
  rejected: number;
  /** Rejected rows by reason. */
  reasons: Record<string, number>;
}

export interface LoadSummary {
  source: string;
  asOf: string;
  /** Where the as-of date came from: --as-of, the export's as_of.txt, or today. */
  asOfFrom: 'option' | 'export' | 'today';
  maxRejectRate: number;
  entities: Record<string, EntityLoad>;
  /** `entity: reason` -> rejected rows, for all entities. */
  rejectReasons: Record<string, number>;
  missingOptional: string[];
  snapshot: SnapshotSummary;
}

const DEFAULT_STAGES = [
  ...DEFAULT_FEATURE_CONFIG.stages.map((s) => s.name),
  ...DEFAULT_FEATURE_CONFIG.wonStages,
  ...DEFAULT_FEATURE_CONFIG.lostStages,
];

/**
 * Loads a folder of canonical exports into typed DuckDB tables as the snapshot of one as-of date, in
 * one transaction. Rows that break the contract go to `load_rejects` with file, line, column, value
 * and reason, and the rest loads; a rejected parent takes its children with it. A file that cannot
 * be read, misses a required column, or has too many bad rows stops the load and changes nothing.
 */
export async function loadExports(conn: DuckDBConnection, options: LoadOptions): Promise<LoadSummary> {
  const maxRejectRate = options.maxRejectRate ?? DEFAULT_MAX_REJECT_RATE;
  if (!(maxRejectRate >= 0 && maxRejectRate <= 1)) throw new WuweiError('bad_option', `the maximum reject rate must be between 0 and 1 (0% and 100%), got ${maxRejectRate}`);
  const { asOf, from: asOfFrom } = resolveAsOf(options.source, options.asOf);
  const knownStages = options.knownStages ?? DEFAULT_STAGES;
  const files = new Map(ENTITY_NAMES.map((entity) => [entity, findExportFile(options.source, SCHEMA[entity].file)] as const));
  for (const [entity, file] of files) {
    if (!file && SCHEMA[entity].required) {
      throw new WuweiError('missing_input', `${options.source}: no ${SCHEMA[entity].file}.csv (or .parquet/.json) export; it is required`);
    }
  }
  const loadedParents = new Set<string>([...files].filter(([, file]) => file).map(([entity]) => entity));
  const allRowsTable = (entity: EntityName) => quoteIdent(`__validated_${entity}`);

  const summary: LoadSummary = { source: options.source, asOf, asOfFrom, maxRejectRate, entities: {}, rejectReasons: {}, missingOptional: [], snapshot: undefined! }; // snapshot is set before the commit
  await conn.run('BEGIN TRANSACTION');
  try {
    await conn.run(
      `CREATE OR REPLACE TABLE load_rejects (as_of DATE, entity VARCHAR, file VARCHAR, line BIGINT, column_name VARCHAR, value VARCHAR, reason VARCHAR)`,
    );
    for (const entity of ENTITY_NAMES) {
      const file = files.get(entity);
      const columns = Object.entries(SCHEMA[entity].columns) as [string, ColumnSpec][];
      if (!file) {
        summary.missingOptional.push(entity);
        if (entity !== 'opportunity_history') options.log.warn(`no ${SCHEMA[entity].file} export: features that need ${entity} cannot be computed`);
        await conn.run(`CREATE OR REPLACE TABLE ${quoteIdent(entity)} (${columns.map(([c, s]) => `${quoteIdent(c)} ${s.type}`).join(', ')})`);
        summary.entities[entity] = { file: null, loaded: 0, rejected: 0, reasons: {} };
        continue;
      }
      await readRaw(conn, file, columns);
      await conn.run(`CREATE OR REPLACE TEMP TABLE ${allRowsTable(entity)} AS ${validationSql(entity, '__raw_lines', { knownStages, loadedParents, allRowsTable })}`);
      await conn.run(`
        INSERT INTO load_rejects
        SELECT DATE ${quoteLiteral(asOf)}, ${quoteLiteral(entity)}, ${quoteLiteral(file.path)}, __line, __problem.column, __problem.value, __problem.reason
        FROM ${allRowsTable(entity)} WHERE __problem IS NOT NULL ORDER BY __line`);
      await conn.run(
        `CREATE OR REPLACE TABLE ${quoteIdent(entity)} AS SELECT ${columns.map(([c]) => quoteIdent(c)).join(', ')} FROM ${allRowsTable(entity)} WHERE __problem IS NULL ORDER BY __line`,
      );
      summary.entities[entity] = { file: file.path, ...(await countRows(conn, allRowsTable(entity))) };
      await failOverThreshold(conn, entity, file, summary.entities[entity]!, maxRejectRate, options.rejectsFileOnFailure);
    }
    const reasons = await queryRows<{ key: string; n: number }>(conn, `SELECT entity || ': ' || reason AS key, count(*)::INTEGER AS n FROM load_rejects GROUP BY ALL ORDER BY n DESC, key`);
    summary.rejectReasons = Object.fromEntries(reasons.map((r) => [r.key, r.n]));

    const { replaced, snapshots } = await recordSnapshot(conn, asOf, options.source);
    const history = files.get('opportunity_history') ? 'export' : 'derived';
    if (history === 'derived') {
      const closedStages = [...DEFAULT_FEATURE_CONFIG.wonStages, ...DEFAULT_FEATURE_CONFIG.lostStages];
      const historyColumns = Object.keys(SCHEMA.opportunity_history.columns).map(quoteIdent).join(', ');
      await conn.run(`INSERT INTO opportunity_history BY NAME SELECT ${historyColumns} FROM (${derivedHistorySql(asOf, closedStages)})`);
    }
    const [historyRows] = await queryRows<{ n: number }>(conn, `SELECT count(*)::INTEGER AS n FROM opportunity_history`);
    summary.snapshot = { asOf, replaced, snapshots, history, historyRows: historyRows!.n };

    await conn.run(`CREATE OR REPLACE TABLE wuwei_meta AS SELECT DATE ${quoteLiteral(asOf)} AS as_of, ${quoteLiteral(options.source)} AS source, now()::TIMESTAMP AS loaded_at`);
    for (const entity of ENTITY_NAMES) await conn.run(`DROP TABLE IF EXISTS ${allRowsTable(entity)}`);
    await conn.run(`DROP VIEW IF EXISTS __raw_lines`);
    await conn.run(`DROP TABLE IF EXISTS __raw`);
    await conn.run('COMMIT');
    // The rejects of an earlier failed load would mislead now that the database holds this load's.
    if (options.rejectsFileOnFailure) rmSync(options.rejectsFileOnFailure, { force: true });
  } catch (error) {
    await conn.run('ROLLBACK');
    throw error;
  }
  for (const [entity, counts] of Object.entries(summary.entities)) {
    if (counts.file) options.log.info(`loaded ${entity}: ${counts.loaded} rows${counts.rejected ? `, ${counts.rejected} rejected (${describeReasons(counts.reasons)}; see table load_rejects)` : ''}`);
  }
  const s = summary.snapshot;
  options.log.info(
    `snapshot ${asOf} (${asOfFrom === 'option' ? '--as-of' : asOfFrom === 'export' ? 'from the export' : 'today'})${s.replaced ? ' replaced' : ''}; ${s.snapshots} kept; history ${s.history === 'export' ? 'from the export' : `derived from the snapshots (${s.historyRows} changes)`}`,
  );
  return summary;
}

/**
 * Reads one export file as text into `__raw` (in file order) and exposes `__raw_lines`: the line
 * each row came from plus the contract columns (absent ones as NULL). A file DuckDB cannot parse
 * stops the load with its message, which names the line.
 */
async function readRaw(conn: DuckDBConnection, file: ExportFile, columns: [string, ColumnSpec][]): Promise<void> {
  const header = await readHeader(conn, file);
  for (const [column, spec] of columns) {
    if (spec.required && !header.includes(column)) {
      throw new WuweiError('bad_input', `${file.path}, line 1: missing required column '${column}' (found: ${header.join(', ')})`);
    }
  }
  try {
    await conn.run(`CREATE OR REPLACE TEMP TABLE __raw AS SELECT * FROM ${file.reader}`);
  } catch (error) {
    // DuckDB's first line names the line; keep its 'Expected ... Found ...' detail, not the row's content.
    const lines = String(error instanceof Error ? error.message : error).split('\n');
    const detail = [lines[0], ...lines.filter((l) => /^Expected /.test(l))].join('; ');
    throw new WuweiError('bad_input', `${file.path}: cannot read: ${detail}`, { cause: error });
  }
  const text = columns.map(([column]) => (header.includes(column) ? `CAST(${quoteIdent(column)} AS VARCHAR) AS ${quoteIdent(column)}` : `NULL::VARCHAR AS ${quoteIdent(column)}`));
  await conn.run(`CREATE OR REPLACE TEMP VIEW __raw_lines AS SELECT ${await lineNumberSql(conn, '__raw', file, header)} AS __line, ${text.join(', ')} FROM __raw`);
}

async function countRows(conn: DuckDBConnection, validated: string): Promise<Omit<EntityLoad, 'file'>> {
  const rows = await queryRows<{ reason: string | null; n: number }>(conn, `SELECT __problem.reason AS reason, count(*)::INTEGER AS n FROM ${validated} GROUP BY ALL ORDER BY n DESC, reason`);
  const reasons = Object.fromEntries(rows.filter((r) => r.reason !== null).map((r) => [r.reason!, r.n]));
  return {
    loaded: rows.find((r) => r.reason === null)?.n ?? 0,
    rejected: rows.filter((r) => r.reason !== null).reduce((sum, r) => sum + r.n, 0),
    reasons,
  };
}

/** Stops the load when an entity lost more than the allowed share of its rows: training on a broken export is worse than not running. */
async function failOverThreshold(conn: DuckDBConnection, entity: EntityName, file: ExportFile, counts: EntityLoad, maxRejectRate: number, rejectsFile: string | undefined): Promise<void> {
  const total = counts.loaded + counts.rejected;
  if (total === 0 || counts.rejected / total <= maxRejectRate) return;
  const examples = await queryRows<{ line: number; column_name: string; value: string | null; reason: string }>(
    conn,
    `SELECT line::INTEGER AS line, column_name, value, reason FROM load_rejects WHERE entity = ${quoteLiteral(entity)} ORDER BY line LIMIT 3`,
  );
  let saved = '';
  if (rejectsFile) {
    mkdirSync(dirname(rejectsFile), { recursive: true });
    await conn.run(`COPY (SELECT * FROM load_rejects ORDER BY entity, line) TO ${quoteLiteral(rejectsFile)} (HEADER, DELIMITER ',')`);
    saved = `; all rejects so far are in ${rejectsFile}`;
  }
  const shown = examples.map((e) => `line ${e.line}, column ${e.column_name}: ${e.reason}${e.value === null ? '' : ` ('${e.value.slice(0, 40)}')`}`).join('; ');
  throw new WuweiError(
    'bad_input',
    `${file.path}: ${counts.rejected} of ${total} ${entity} rows rejected (${percent(counts.rejected / total)}, more than the ${percent(maxRejectRate)} allowed by --max-reject-rate): ${describeReasons(counts.reasons)}; e.g. ${shown}. Nothing was loaded${saved}.`,
  );
}

function describeReasons(reasons: Record<string, number>): string {
  return Object.entries(reasons)
    .map(([reason, n]) => `${n} ${reason}`)
    .join(', ');
}

function percent(share: number): string {
  return `${Number((share * 100).toFixed(2))}%`;
}

/** The as-of date of the loaded export. */
export async function loadedAsOf(conn: DuckDBConnection): Promise<string> {
  try {
    const [row] = await queryRows<{ as_of: string }>(conn, `SELECT strftime(as_of, '%Y-%m-%d') AS as_of FROM wuwei_meta`);
    return row!.as_of;
  } catch {
    throw new WuweiError('missing_input', 'nothing loaded yet: run `wuwei load --source DIR` first');
  }
}
