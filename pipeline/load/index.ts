import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { queryRows, quoteIdent, quoteLiteral, rollback, type DuckDBConnection } from '../base/db.ts';
import { WuweiError } from '../base/errors.ts';
import { DEFAULTS } from '../config/config.ts';
import type { Logger } from '../base/log.ts';
import { checkAsOfNotBeforeExport, resolveAsOf } from './as-of.ts';
import { ENTITY_NAMES, SCHEMA, type ColumnSpec, type EntityName } from './schema.ts';
import { checkNotOlderThanLastSnapshot, derivedHistorySql, recordSnapshot, type SnapshotSummary } from './snapshots.ts';
import { clearedGuessesSql, rejectedRowsSql, typedRowsSql, type DateWindow } from './validate.ts';
import { profileNumberColumns } from './column-profiles.ts';
import { toPhysicalLines } from './physical-lines.ts';
import { resolveMapping } from './mapping/resolve.ts';
import { checkDateFormats } from './mapping/column-sql.ts';
import { CUSTOM_ATTRIBUTE_ENTITIES, RECORD_REJECTS, rawTable, stagedView, stageSources } from './mapping/stage.ts';
import { deriveImplicitRows, type Derived } from './mapping/derive.ts';
import { logUnmapped, type UnmappedValues } from './mapping/unmapped-values.ts';
import { logStages, resolveStages, type StageSettings, type StageSummary } from './mapping/stage-list.ts';
import { convertCurrency, type CurrencySummary } from './currency.ts';
import { storeCustomAttributes } from './custom-attributes.ts';
import { recordKnownAt } from './known-at.ts';
import { isPersonal, isPersonalSql, WITHHELD } from './personal-data.ts';
import { copyToSafeCsv } from '../base/spreadsheet-safe-csv.ts';

export { SCHEMA, ENTITY_NAMES, type EntityName } from './schema.ts';
export { REJECT_REASONS, type RejectReason } from './validate.ts';
export { AS_OF_FILE } from './as-of.ts';

/** The reject share allowed when neither --max-reject-rate, the mapping nor the config file says. */
export const DEFAULT_MAX_REJECT_RATE = 0.05;

export interface LoadOptions {
  /** An export folder, or export files (and folders). */
  source: string | string[];
  /** A built-in layout (canonical, salesforce, hubspot, dynamics); default canonical. */
  layout?: string;
  /** A mapping file (YAML or JSON) for any other export; excludes `layout`. */
  mapping?: string;
  /** Currency all amounts are converted to (default: the mapping's, else the deals' most common). */
  reportingCurrency?: string;
  /** The export's as-of date; else the date in the export's as_of.txt; else today. */
  asOf?: string;
  /**
   * Fail the load when more than this share (0..1) of an entity's rows is rejected. Precedence:
   * this (the --max-reject-rate flag) > the mapping's `max_reject_share` > the config file's
   * `load.maxRejectShare` (`configMaxRejectRate`) > 5%.
   */
  maxRejectRate?: number;
  /** The config file's `load.maxRejectShare`, below the flag and the mapping. */
  configMaxRejectRate?: number;
  /** The config file's stage list, when it gives one; else the export's own (see ./mapping/stage-list.ts). */
  configuredStages?: StageSettings;
  /** The won and lost stages, for history derived from the export's current stages. Default: the config's defaults. */
  closedStages?: readonly string[];
  /** Where to write the rejects as CSV when the threshold fails the load (the database keeps nothing then). */
  rejectsFileOnFailure?: string;
  /** The config's `load` dates: earliest plausible date (default 1990-01-01), years after the as-of date (default 10). */
  plausibleDates?: { earliestDate?: string | undefined; maxYearsAhead?: number | undefined };
  /** Let personal values (./personal-data.ts) into messages and `load_rejects.csv`; default: withheld. */
  showPersonalData?: boolean;
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
  layout: string;
  asOf: string;
  /** Where the as-of date came from: --as-of, the export's as_of.txt, or today. */
  asOfFrom: 'option' | 'export' | 'today';
  maxRejectRate: number;
  entities: Record<string, EntityLoad>;
  /** `entity: reason` -> rejected rows, for all entities. */
  rejectReasons: Record<string, number>;
  snapshot: SnapshotSummary;
  missingOptional: string[];
  currency: CurrencySummary | null;
  /** Entities the export has no rows for: the features that need them stay empty (see features/coverage.ts). */
  emptyEntities: EntityName[];
  /** Columns kept as custom attributes (see pipeline/load/custom-attributes.ts). */
  customAttributes: { opportunities: string[]; accounts: string[] };
  /** The CRM's stages and where they came from (table `crm_stages`). */
  stages: StageSummary;
  /** Rows the export left implicit: activities' accounts from their deals, activity owners as participants. */
  derived: Derived;
  /** Values the mapping's value maps do not know (roles, types, directions, participant types), counted and named. */
  unmapped: UnmappedValues[];
  /** What this export cannot tell the models (also in table `load_warnings` and the log). */
  warnings: { topic: string; message: string }[];
  /** Open deals' close dates the load cleared (unreadable, implausible or before creation) and kept the deal: ./validate.ts GUESSED_DATES. */
  clearedCloseDates?: { deals: number; examples: { line: number; value: string; reason: string }[] };
  /** Lines of a file that are no records and were skipped, with why (a report's footer). */
  skipped?: { file: string; firstLine: number; lastLine: number; reason: string }[];
  /** The newest dated record of the export (a deal created or closed, a history change, an activity). */
  newestRecord?: string | null;
  /** Set when the as-of date lies more than STALE_EXPORT_DAYS past the newest record. */
  staleExport?: string;
}

/** One entity's rejected rows while it loads: `__row`, file, line, column_name, value, reason, and its key. */
const REJECTED = '__rejected';

const { wonStages: DEFAULT_WON, lostStages: DEFAULT_LOST } = DEFAULTS.features;

/**
 * Loads an export (any layout or mapping) into typed DuckDB tables as the snapshot of one as-of
 * date, in one transaction. Staging first reads every file into temp text tables (before the
 * transaction: they are no part of the database); validation then sends rows
 * that break the contract to `load_rejects` with file, line, column, value and reason, and the rest
 * loads; a rejected parent takes its children with it. A file that cannot be read, misses a
 * required column, or has too many bad rows stops the load and changes nothing.
 */
export async function loadExports(conn: DuckDBConnection, options: LoadOptions): Promise<LoadSummary> {
  const mapping = resolveMapping(options);
  const maxRejectRate =
    options.maxRejectRate ?? mapping.max_reject_share ?? options.configMaxRejectRate ?? DEFAULT_MAX_REJECT_RATE;
  if (!(maxRejectRate >= 0 && maxRejectRate <= 1))
    throw new WuweiError(
      'bad_option',
      `the maximum reject rate must be between 0 and 1 (0% and 100%), got ${maxRejectRate}`,
    );
  const { asOf, from: asOfFrom } = resolveAsOf(options.source, options.asOf);
  const dateWindow = plausibleDateWindow(asOf, options.plausibleDates);
  const source = Array.isArray(options.source) ? options.source.join(', ') : options.source;
  const summary: LoadSummary = {
    source,
    layout: mapping.name,
    asOf,
    asOfFrom,
    maxRejectRate,
    entities: {},
    rejectReasons: {},
    missingOptional: [],
    emptyEntities: [],
    currency: null,
    customAttributes: { opportunities: [], accounts: [] },
    snapshot: undefined!,
    stages: undefined!,
    derived: undefined!,
    warnings: [],
    unmapped: [], // set before the commit
  };
  const parentKeysTable = (entity: EntityName) => quoteIdent(`__keys_${entity}`);
  try {
    await checkNotOlderThanLastSnapshot(conn, asOf, source);
    await checkDateFormats(conn, mapping);
    // Staging reads every file first: a file-level problem stops the load before anything changes;
    // rows it cannot take (malformed CSV rows, deals without an exchange rate) wait in its rejects tables.
    // It writes temp tables only, before the load's transaction: DuckDB scans a table made inside an
    // open transaction about half as fast (validating 100k participants: 1.18 s against 0.63 s).
    const staged = await timedStep(options.log, 'staging', () =>
      stageSources(conn, { source: options.source, mapping, log: options.log }),
    );
    await conn.run('BEGIN TRANSACTION');
    summary.currency = await timedStep(options.log, 'currency', () =>
      convertCurrency(conn, {
        source: options.source,
        log: options.log,
        ...((options.reportingCurrency ?? mapping.reporting_currency)
          ? { reportingCurrency: options.reportingCurrency ?? mapping.reporting_currency }
          : {}),
        ...(mapping.currency_rates
          ? { ratesFile: mapping.currency_rates, ratesFileRequired: options.mapping !== undefined }
          : {}),
      }),
    );
    summary.stages = await timedStep(options.log, 'stages', () =>
      resolveStages(conn, {
        source: options.source,
        mapping,
        defaults: DEFAULTS.features,
        ...(options.configuredStages ? { configured: options.configuredStages } : {}),
        ...(staged.get('opportunity_history')!.files.length > 0
          ? { historyTable: rawTable('opportunity_history') }
          : {}),
      }),
    );
    summary.unmapped = [...staged.values()].flatMap((s) => s.unmapped);
    const footers = new Map(
      [...staged.values()].flatMap((s) => s.sources).flatMap((s) => (s.footer ? [[s.path, s.footer] as const] : [])),
    );
    summary.skipped = [...footers].map(([file, f]) => ({
      file,
      firstLine: f.firstLine,
      lastLine: f.lastLine,
      reason: 'report footer',
    }));
    summary.derived = await deriveImplicitRows(conn, {
      participantsStaged: staged.get('activity_participants')!.files.length > 0,
      historyStaged: staged.get('opportunity_history')!.files.length > 0,
      changeFiles: staged.get('opportunity_history')!.changeFiles,
    });
    await toPhysicalLines(
      conn,
      RECORD_REJECTS,
      [...staged.values()].flatMap((s) => s.sources),
    );
    await conn.run(
      `CREATE OR REPLACE TABLE load_rejects AS SELECT DATE ${quoteLiteral(asOf)} AS as_of, * FROM (SELECT * FROM staging_rejects UNION ALL SELECT * FROM ${RECORD_REJECTS})`,
    );
    const loadedParents = new Set<string>(ENTITY_NAMES.filter((entity) => staged.get(entity)!.files.length > 0));
    for (const entity of ENTITY_NAMES) {
      const stage = staged.get(entity)!;
      const columns = Object.entries(SCHEMA[entity].columns) as [string, ColumnSpec][];
      const file = stage.files.length > 0 ? stage.files.join(', ') : null;
      if (!file) {
        summary.missingOptional.push(entity);
        if (entity !== 'opportunity_history')
          options.log.warn(`the export has no ${entity}: features that need them cannot be computed`);
        await conn.run(
          `CREATE OR REPLACE TABLE ${quoteIdent(entity)} (${columns.map(([c, s]) => `${quoteIdent(c)} ${s.type}`).join(', ')})`,
        );
        summary.entities[entity] = { file: null, loaded: 0, rejected: 0, reasons: {} };
        continue;
      }
      const raw = quoteIdent(stage.table);
      const key = SCHEMA[entity].key;
      const keyColumn = key.length === 1 ? quoteIdent(key[0]!) : null;
      // Numbers a row alone cannot judge: dot-grouped thousands stop the load; percentages are read as such.
      const percentColumns = await timedStep(options.log, `${entity}: number columns`, () =>
        profileNumberColumns(conn, entity, stage.table, mapping.entities[entity] ?? []),
      );
      // Validation keeps only the rejected rows (few); the entity table is the other rows, typed.
      await timedStep(options.log, `${entity}: validate`, () =>
        conn.run(
          `CREATE OR REPLACE TEMP TABLE ${REJECTED} AS ${rejectedRowsSql(entity, raw, { loadedParents, parentKeysTable, dateWindow, percentColumns })}`,
        ),
      );
      const [rejected] = await queryRows<{ n: number }>(conn, `SELECT count(*)::INTEGER AS n FROM ${REJECTED}`);
      // Most entities have no rejected row: then every staged row is typed, without a join to take any out.
      const kept = rejected!.n > 0 ? ` ANTI JOIN ${REJECTED} USING (__row)` : '';
      const guesses = clearedGuessesSql(entity, raw, { dateWindow });
      if (guesses) summary.clearedCloseDates = await clearedGuesses(conn, guesses, kept);
      await timedStep(options.log, `${entity}: store`, () =>
        conn.run(
          `CREATE OR REPLACE TABLE ${quoteIdent(entity)} AS SELECT ${columns.map(([c]) => quoteIdent(c)).join(', ')} FROM (${typedRowsSql(entity, raw, { percentColumns, dateWindow })})${kept}`,
        ),
      );
      await timedStep(options.log, `${entity}: reject lines`, async () => {
        await toPhysicalLines(conn, REJECTED, stage.sources);
        await conn.run(
          `INSERT INTO load_rejects SELECT DATE ${quoteLiteral(asOf)}, ${quoteLiteral(entity)}, file, line, column_name, value, reason FROM ${REJECTED} ORDER BY file, line`,
        );
      });
      if (keyColumn) {
        // At most one loaded row per key (later ones are duplicates); a key only rejected rows have is a rejected parent.
        const rejectedOnly =
          rejected!.n > 0
            ? `UNION ALL SELECT DISTINCT key, false FROM ${REJECTED} WHERE key IS NOT NULL AND key NOT IN (SELECT ${keyColumn} FROM ${quoteIdent(entity)})`
            : '';
        await timedStep(options.log, `${entity}: keys`, () =>
          conn.run(`CREATE OR REPLACE TEMP TABLE ${parentKeysTable(entity)} AS
            SELECT ${keyColumn} AS key, true AS accepted FROM ${quoteIdent(entity)} ${rejectedOnly}`),
        );
      }
      summary.entities[entity] = { file, ...(await countRows(conn, entity)) };
      // Free the staged text now; custom attributes still read the staged opportunities and accounts.
      if (!(CUSTOM_ATTRIBUTE_ENTITIES as readonly string[]).includes(entity)) await dropStaged(conn, entity);
      await failOverThreshold(conn, entity, file, summary.entities[entity]!, maxRejectRate, options);
    }
    const reasons = await queryRows<{ key: string; n: number }>(
      conn,
      `SELECT entity || ': ' || reason AS key, count(*)::INTEGER AS n FROM load_rejects GROUP BY ALL ORDER BY n DESC, key`,
    );
    summary.rejectReasons = Object.fromEntries(reasons.map((r) => [r.key, r.n]));
    summary.customAttributes = await storeCustomAttributes(conn, {
      opportunities: staged.get('opportunities')!,
      accounts: staged.get('accounts')!,
    });
    await checkAsOfNotBeforeExport(conn, asOf, source);
    await recordKnownAt(conn, mapping.known_at ?? {});

    const { replaced, snapshots } = await timedStep(options.log, 'snapshot', () => recordSnapshot(conn, asOf, source));
    // A history file that gave no rows (a UI export's deals without hs_date_entered_* columns) is no history.
    const history = (summary.entities['opportunity_history']?.loaded ?? 0) > 0 ? 'export' : 'derived';
    if (history === 'derived') {
      const closedStages = [...(options.closedStages ?? [...DEFAULT_WON, ...DEFAULT_LOST])];
      const historyColumns = Object.keys(SCHEMA.opportunity_history.columns).map(quoteIdent).join(', ');
      await conn.run(
        `INSERT INTO opportunity_history BY NAME SELECT ${historyColumns} FROM (${derivedHistorySql(asOf, closedStages)})`,
      );
    }
    const [historyRows] = await queryRows<{ n: number }>(
      conn,
      `SELECT count(*)::INTEGER AS n FROM opportunity_history`,
    );
    summary.snapshot = { asOf, replaced, snapshots, history, historyRows: historyRows!.n };
    summary.warnings = loadWarnings(summary);
    // The data-quality page reads what this load could not know from here.
    await conn.run(`CREATE OR REPLACE TABLE load_warnings (as_of DATE, topic VARCHAR, message VARCHAR)`);
    for (const w of summary.warnings)
      await conn.run(
        `INSERT INTO load_warnings VALUES (DATE ${quoteLiteral(asOf)}, ${quoteLiteral(w.topic)}, ${quoteLiteral(w.message)})`,
      );

    await conn.run(
      `CREATE OR REPLACE TABLE wuwei_meta AS SELECT DATE ${quoteLiteral(asOf)} AS as_of, ${quoteLiteral(source)} AS source, ${quoteLiteral(mapping.name)} AS layout, ${quoteLiteral(summary.currency?.reportingCurrency ?? 'USD')} AS reporting_currency, now()::TIMESTAMP AS loaded_at`,
    );
    await conn.run(`DROP TABLE IF EXISTS ${REJECTED}`);
    for (const entity of ENTITY_NAMES) {
      await conn.run(`DROP TABLE IF EXISTS ${parentKeysTable(entity)}`);
      await dropStaged(conn, entity);
    }
    await timedStep(options.log, 'commit', () => conn.run('COMMIT'));
    // The rejects of an earlier failed load would mislead now that the database holds this load's.
    if (options.rejectsFileOnFailure) rmSync(options.rejectsFileOnFailure, { force: true });
  } catch (error) {
    await rollback(conn);
    throw error;
  }
  for (const [entity, counts] of Object.entries(summary.entities)) {
    if (counts.file)
      options.log.info(
        `loaded ${entity}: ${counts.loaded} rows${counts.rejected ? `, ${counts.rejected} rejected (${describeReasons(counts.reasons)}; see table load_rejects)` : ''}`,
      );
  }
  logStages(summary.stages, options.log);
  logUnmapped(summary.unmapped, options.log);
  for (const w of summary.warnings) options.log.warn(w.message);
  summary.emptyEntities = ENTITY_NAMES.filter((entity) => summary.entities[entity]!.loaded === 0);
  summary.newestRecord = await newestRecord(conn, summary.snapshot.history === 'export');
  const gap = summary.newestRecord ? (Date.parse(asOf) - Date.parse(summary.newestRecord)) / 86_400_000 : 0;
  if (gap > STALE_EXPORT_DAYS) {
    summary.staleExport = `the as-of date ${asOf} (${asOfFrom === 'today' ? 'today, as the export states no cut' : asOfFrom === 'option' ? '--as-of' : 'from the export'}) is ${Math.round(gap)} days past the export's newest record (${summary.newestRecord}): open deals look stalled and every age is off; pass --as-of ${summary.newestRecord} if the export was cut then`;
    options.log.warn(summary.staleExport);
  }
  const s = summary.snapshot;
  options.log.info(
    `snapshot ${asOf} (${asOfFrom === 'option' ? '--as-of' : asOfFrom === 'export' ? 'from the export' : 'today'})${s.replaced ? ' replaced' : ''}; ${s.snapshots} kept; history ${s.history === 'export' ? 'from the export' : `derived from the snapshots (${s.historyRows} changes)`}`,
  );
  return summary;
}

/** Dates before 1990 or more than ten years after the as-of date (or today, if later) are typos (unless the config's `load` says otherwise). */
export const DEFAULT_EARLIEST_DATE = '1990-01-01';
export const DEFAULT_MAX_YEARS_AHEAD = 10;

function plausibleDateWindow(asOf: string, dates: LoadOptions['plausibleDates'] = {}): DateWindow {
  // From the later of the as-of date and today: a mistyped as-of in the past is refused by its own check, with its own message.
  const today = new Date().toISOString().slice(0, 10);
  const [year, month, day] = (asOf > today ? asOf : today).split('-').map(Number) as [number, number, number];
  const latest = new Date(Date.UTC(year + (dates.maxYearsAhead ?? DEFAULT_MAX_YEARS_AHEAD), month - 1, day))
    .toISOString()
    .slice(0, 10);
  return { earliest: dates.earliestDate ?? DEFAULT_EARLIEST_DATE, latest };
}

/** The guessed dates cleared among the loaded rows (`kept`: the join that leaves the rejected ones out), with three examples. */
async function clearedGuesses(
  conn: DuckDBConnection,
  guessesSql: string,
  kept: string,
): Promise<NonNullable<LoadSummary['clearedCloseDates']>> {
  const rows = await queryRows<{ deals: number; line: number | null; value: string | null; reason: string | null }>(
    conn,
    `WITH cleared AS (SELECT * FROM (${guessesSql})${kept})
     SELECT (SELECT count(*) FROM cleared)::INTEGER AS deals, line::INTEGER AS line, left(value, 40) AS value, reason
     FROM (SELECT 1) LEFT JOIN (SELECT * FROM cleared ORDER BY line LIMIT 3) ON true`,
  );
  return {
    deals: rows[0]?.deals ?? 0,
    examples: rows.flatMap((r) =>
      r.line === null ? [] : [{ line: r.line, value: r.value ?? '', reason: r.reason ?? '' }],
    ),
  };
}

/**
 * What the models cannot know from this export (a history of one snapshot says nothing of how deals
 * moved), and what the load changed in it (open deals' close dates it cleared).
 */
function loadWarnings(summary: LoadSummary): LoadSummary['warnings'] {
  const warnings: LoadSummary['warnings'] = [];
  const cleared = summary.clearedCloseDates;
  if (cleared && cleared.deals > 0) {
    const file = summary.entities['opportunities']?.file ?? 'opportunities';
    const examples = cleared.examples.map((e) => `line ${e.line}: '${e.value}', ${e.reason}`).join('; ');
    warnings.push({
      topic: 'close dates',
      message: `${cleared.deals} open deal${cleared.deals === 1 ? '' : 's'} in ${file} had an expected close date that is unreadable, implausible or before the deal was created (${examples}): the date${cleared.deals === 1 ? ' was' : 's were'} cleared and the deal${cleared.deals === 1 ? '' : 's'} kept, timed by the models; correct ${cleared.deals === 1 ? 'it' : 'them'} in the CRM`,
    });
  }
  const s = summary.snapshot;
  if (s.history !== 'derived' || s.snapshots > 1) return warnings;
  return [
    ...warnings,
    {
      topic: 'history',
      message:
        'no usable history: the export has no stage history (Salesforce OpportunityHistory, HubSpot property history, Dynamics audit) and this is the first snapshot, so every deal is seen only as it is today; the models cannot know time in stage, stage regressions, close-date pushes or amount revisions, and closed deals look as they ended. Add the history export, or load nightly to build one.',
    },
  ];
}

/** An as-of date this many days past the newest record is most likely not the export's cut. */
export const STALE_EXPORT_DAYS = 90;

/**
 * The newest date anything happened in the loaded export (open deals' close dates are forecasts, not
 * records; a history derived from snapshots is dated by the as-of date itself, so it does not count).
 */
async function newestRecord(conn: DuckDBConnection, exportedHistory: boolean): Promise<string | null> {
  const [row] = await queryRows<{ newest: string | null }>(
    conn,
    `SELECT strftime(greatest(
       (SELECT max(created_date) FROM opportunities),
       (SELECT max(close_date) FROM opportunities WHERE is_closed),
       ${exportedHistory ? '(SELECT max(changed_at) FROM opportunity_history),' : ''}
       (SELECT max(occurred_at)::DATE FROM activities)), '%Y-%m-%d') AS newest`,
  );
  return row?.newest ?? null;
}

/** Frees an entity's staged text: the view, then the table under it. */
async function dropStaged(conn: DuckDBConnection, entity: EntityName): Promise<void> {
  await conn.run(`DROP VIEW IF EXISTS ${quoteIdent(stagedView(entity))}`);
  await conn.run(`DROP TABLE IF EXISTS ${quoteIdent(rawTable(entity))}`);
}

/** Runs one step of the load, logging its wall time at debug level. */
async function timedStep<T>(log: Logger, name: string, step: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const result = await step();
  log.debug?.(`load ${name}: ${((performance.now() - start) / 1000).toFixed(2)} s`);
  return result;
}

/** Loaded and rejected rows of one entity, rejects by reason; staging's rejects (malformed rows, missing rates) count too. */
async function countRows(conn: DuckDBConnection, entity: EntityName): Promise<Omit<EntityLoad, 'file'>> {
  const [loaded] = await queryRows<{ n: number }>(conn, `SELECT count(*)::INTEGER AS n FROM ${quoteIdent(entity)}`);
  const rows = await queryRows<{ reason: string; n: number }>(
    conn,
    `SELECT reason, count(*)::INTEGER AS n FROM load_rejects WHERE entity = ${quoteLiteral(entity)} GROUP BY ALL ORDER BY n DESC, reason`,
  );
  return {
    loaded: loaded!.n,
    rejected: rows.reduce((sum, r) => sum + r.n, 0),
    reasons: Object.fromEntries(rows.map((r) => [r.reason, r.n])),
  };
}

/** Stops the load when an entity lost more than the allowed share of its rows: training on a broken export is worse than not running. */
async function failOverThreshold(
  conn: DuckDBConnection,
  entity: EntityName,
  file: string,
  counts: EntityLoad,
  maxRejectRate: number,
  options: Pick<LoadOptions, 'rejectsFileOnFailure' | 'showPersonalData'>,
): Promise<void> {
  const total = counts.loaded + counts.rejected;
  // Whatever the limit, a required entity of which nothing loaded is no export to score (a limit of 1 allows every row to fail).
  const nothingLoaded = SCHEMA[entity].required && counts.loaded === 0 && counts.rejected > 0;
  if (total === 0 || (counts.rejected / total <= maxRejectRate && !nothingLoaded)) return;
  const examples = await queryRows<{ line: number; column_name: string | null; value: string | null; reason: string }>(
    conn,
    `SELECT line::INTEGER AS line, column_name, value, reason FROM load_rejects WHERE entity = ${quoteLiteral(entity)} ORDER BY file, line LIMIT 3`,
  );
  let saved = '';
  if (options.rejectsFileOnFailure) {
    mkdirSync(dirname(options.rejectsFileOnFailure), { recursive: true });
    await writeRejectsCsv(conn, options.rejectsFileOnFailure, options.showPersonalData ?? false);
    saved = `; all rejects so far are in ${options.rejectsFileOnFailure}`;
  }
  const shown = examples
    .map(
      (e) =>
        `line ${e.line}${e.column_name ? `, column ${e.column_name}` : ''}: ${e.reason}${e.value === null || !loggable(entity, e.column_name, options.showPersonalData) ? '' : ` ('${e.value.slice(0, 40)}')`}`,
    )
    .join('; ');
  throw new WuweiError(
    'bad_input',
    `${file}: ${counts.rejected} of ${total} ${entity} rows rejected (${percent(counts.rejected / total)}, more than the ${percent(maxRejectRate)} allowed by --max-reject-rate, the mapping or load.maxRejectShare): ${describeReasons(counts.reasons)}; e.g. ${shown}. Nothing was loaded${saved}.`,
  );
}

/** `load_rejects` as CSV for people: spreadsheet-safe, personal values withheld unless allowed. */
async function writeRejectsCsv(conn: DuckDBConnection, path: string, showPersonalData: boolean): Promise<void> {
  const withheld = `CASE WHEN value IS NOT NULL AND ${isPersonalSql('entity', 'column_name')} THEN ${quoteLiteral(WITHHELD)} ELSE value END AS value`;
  await copyToSafeCsv(
    conn,
    `SELECT *${showPersonalData ? '' : ` REPLACE (${withheld})`} FROM load_rejects ORDER BY entity, file, line`,
    path,
  );
}

/**
 * Whether a rejected value may be shown in the log: never a whole malformed line (it may be any
 * file's content), and a person's values only when personal data is allowed.
 */
function loggable(entity: EntityName, column: string | null, showPersonalData = false): boolean {
  return column !== null && (showPersonalData || !isPersonal(entity, column));
}

function describeReasons(reasons: Record<string, number>): string {
  return Object.entries(reasons)
    .map(([reason, n]) => `${n} ${reason}`)
    .join(', ');
}

function percent(share: number): string {
  return `${Number((share * 100).toFixed(2))}%`;
}

/**
 * The as-of date of the loaded export. Only a database without `wuwei_meta` has nothing loaded; any
 * other failure (a damaged file, an I/O error) is reported as itself, not as an empty database.
 */
export async function loadedAsOf(conn: DuckDBConnection): Promise<string> {
  const [meta] = await queryRows<{ n: number }>(
    conn,
    `SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = 'wuwei_meta'`,
  );
  const [row] =
    meta!.n > 0
      ? await queryRows<{ as_of: string | null }>(conn, `SELECT strftime(as_of, '%Y-%m-%d') AS as_of FROM wuwei_meta`)
      : [];
  if (!row?.as_of) throw new WuweiError('missing_input', 'nothing loaded yet: run `wuwei load --source DIR` first');
  return row.as_of;
}
