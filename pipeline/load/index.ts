import { queryRows, quoteIdent, quoteLiteral, type DuckDBConnection } from '../db.ts';
import { WuweiError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { ENTITY_NAMES, SCHEMA, type ColumnSpec, type EntityName } from './schema.ts';
import { validationSql } from './validate.ts';
import { resolveMapping } from './mapping/resolve.ts';
import { stageSources } from './mapping/stage.ts';
import { convertCurrency, type CurrencySummary } from './currency.ts';
import { storeCustomAttributes } from './custom-attributes.ts';
import { describeUnsupported, unsupportedFamilies } from './feature-coverage.ts';

export { SCHEMA, ENTITY_NAMES, type EntityName } from './schema.ts';

export interface LoadOptions {
  /** An export folder, or export files (and folders). */
  source: string | string[];
  /** A built-in layout (canonical, salesforce, hubspot, dynamics); default canonical. */
  layout?: string;
  /** A mapping file (YAML or JSON) for any other export; excludes `layout`. */
  mapping?: string;
  /** Currency all amounts are converted to (default: the mapping's, else the deals' most common). */
  reportingCurrency?: string;
  /** The export's as-of date; inferred from the latest dated record when absent. */
  asOf?: string;
  /** Fail the load when more than this share of an entity's rows is rejected. */
  maxRejectShare?: number;
  log: Logger;
}

export interface LoadSummary {
  source: string;
  layout: string;
  asOf: string;
  entities: Record<string, { file: string | null; loaded: number; rejected: number }>;
  rejectReasons: Record<string, number>;
  missingOptional: string[];
  currency: CurrencySummary | null;
  /** Feature families this export cannot support, with the entities it lacks. */
  unsupportedFamilies: Record<string, string[]>;
  /** Columns kept as custom attributes (see pipeline/load/custom-attributes.ts). */
  customAttributes: { opportunities: string[]; accounts: string[] };
}

/**
 * Loads a folder of canonical exports into typed DuckDB tables, in one transaction: rows that break
 * the contract go to `load_rejects` with file, line, column, value and reason; a file that cannot be
 * read, misses a required column, or has too many bad rows stops the load and changes nothing.
 */
export async function loadExports(conn: DuckDBConnection, options: LoadOptions): Promise<LoadSummary> {
  const mapping = resolveMapping(options);
  const maxRejectShare = options.maxRejectShare ?? mapping.max_reject_share ?? 0.05;
  const source = Array.isArray(options.source) ? options.source.join(', ') : options.source;
  const summary: LoadSummary = { source, layout: mapping.name, asOf: '', entities: {}, rejectReasons: {}, missingOptional: [], unsupportedFamilies: {}, currency: null, customAttributes: { opportunities: [], accounts: [] } };
  await conn.run('BEGIN TRANSACTION');
  try {
    // Staging reads every file first: a file-level problem stops the load before anything changes;
    // rows it cannot take (malformed CSV rows, deals without an exchange rate) wait in staging_rejects.
    const staged = await stageSources(conn, { source: options.source, mapping, log: options.log });
    summary.currency = await convertCurrency(conn, {
      source: options.source,
      log: options.log,
      ...(options.reportingCurrency ?? mapping.reporting_currency ? { reportingCurrency: options.reportingCurrency ?? mapping.reporting_currency } : {}),
      ...(mapping.currency_rates ? { ratesFile: mapping.currency_rates } : {}),
    });
    await conn.run(`CREATE OR REPLACE TABLE load_rejects AS SELECT * FROM staging_rejects`);
    for (const entity of ENTITY_NAMES) {
      const stage = staged.get(entity)!;
      const columns = Object.entries(SCHEMA[entity].columns) as [string, ColumnSpec][];
      const file = stage.files.length > 0 ? { path: stage.files.join(', ') } : null;
      if (!file) {
        summary.missingOptional.push(entity);
        options.log.warn(`the export has no ${entity}`);
        await conn.run(`CREATE OR REPLACE TABLE ${quoteIdent(entity)} (${columns.map(([c, s]) => `${quoteIdent(c)} ${s.type}`).join(', ')})`);
        summary.entities[entity] = { file: null, loaded: 0, rejected: 0 };
        continue;
      }
      await conn.run(`CREATE OR REPLACE TEMP VIEW raw AS SELECT * FROM ${quoteIdent(stage.table)}`);
      await conn.run(`CREATE OR REPLACE TEMP TABLE validated AS ${validationSql(entity, 'raw')}`);
      await conn.run(`
        INSERT INTO load_rejects
        SELECT ${quoteLiteral(entity)}, __file, __line, __problem.column, __problem.value, __problem.reason
        FROM validated WHERE __problem IS NOT NULL`);
      await conn.run(`CREATE OR REPLACE TABLE ${quoteIdent(entity)} AS SELECT ${columns.map(([c]) => quoteIdent(c)).join(', ')} FROM validated WHERE __problem IS NULL ORDER BY __line`);
      const [counts] = await queryRows<{ loaded: number; rejected: number }>(
        conn,
        `SELECT count(*) FILTER (WHERE __problem IS NULL)::INTEGER AS loaded,
                (count(*) FILTER (WHERE __problem IS NOT NULL) + (SELECT count(*) FROM staging_rejects WHERE entity = ${quoteLiteral(entity)}))::INTEGER AS rejected
         FROM validated`,
      );
      summary.entities[entity] = { file: file.path, ...counts! };
      const total = counts!.loaded + counts!.rejected;
      if (total > 0 && counts!.rejected / total > maxRejectShare) {
        const examples = await queryRows<{ line: number; column_name: string; reason: string }>(
          conn,
          `SELECT line::INTEGER AS line, column_name, reason FROM load_rejects WHERE entity = ${quoteLiteral(entity)} ORDER BY line LIMIT 3`,
        );
        const shown = examples.map((e) => `line ${e.line}, column ${e.column_name}: ${e.reason}`).join('; ');
        throw new WuweiError('bad_input', `${file.path}: ${counts!.rejected} of ${total} rows rejected (more than ${maxRejectShare * 100}%), e.g. ${shown}`);
      }
    }
    const reasons = await queryRows<{ key: string; n: number }>(conn, `SELECT entity || ': ' || reason AS key, count(*)::INTEGER AS n FROM load_rejects GROUP BY ALL ORDER BY n DESC`);
    summary.rejectReasons = Object.fromEntries(reasons.map((r) => [r.key, r.n]));
    summary.customAttributes = await storeCustomAttributes(conn, { opportunities: staged.get('opportunities')!, accounts: staged.get('accounts')! });
    summary.asOf = options.asOf ?? (await inferAsOf(conn));
    await conn.run(`CREATE OR REPLACE TABLE wuwei_meta AS SELECT DATE ${quoteLiteral(summary.asOf)} AS as_of, ${quoteLiteral(source)} AS source, ${quoteLiteral(mapping.name)} AS layout, ${quoteLiteral(summary.currency?.reportingCurrency ?? 'USD')} AS reporting_currency, now()::TIMESTAMP AS loaded_at`);
    await conn.run('COMMIT');
  } catch (error) {
    await conn.run('ROLLBACK');
    throw error;
  }
  for (const [entity, counts] of Object.entries(summary.entities)) {
    if (counts.file) options.log.info(`loaded ${entity}: ${counts.loaded} rows${counts.rejected ? `, ${counts.rejected} rejected` : ''}`);
  }
  summary.unsupportedFamilies = unsupportedFamilies(ENTITY_NAMES.filter((entity) => summary.entities[entity]!.loaded === 0));
  for (const line of describeUnsupported(summary.unsupportedFamilies)) options.log.warn(line);
  return summary;
}

/** The export's date when none is given: the latest dated record in it. */
async function inferAsOf(conn: DuckDBConnection): Promise<string> {
  const [row] = await queryRows<{ as_of: string | null }>(
    conn,
    `SELECT strftime(greatest(
        (SELECT max(changed_at) FROM opportunity_history),
        (SELECT max(created_date) FROM opportunities),
        (SELECT max(occurred_at)::DATE FROM activities)), '%Y-%m-%d') AS as_of`,
  );
  if (!row?.as_of) throw new WuweiError('not_enough_data', 'the export has no dated records: nothing to load');
  return row.as_of;
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
