/**
 * Staging: reads every source file a mapping names into one temporary text table per canonical
 * entity, `raw_<entity>`, with the file and line each row came from. DuckDB does all the parsing.
 * File-level problems (a file that cannot be read, a required column missing) stop here, before
 * anything in the database changes. Columns on opportunities and accounts that the mapping does
 * not use are carried along as custom attributes.
 */
import { statSync } from 'node:fs';
import { queryRows, quoteIdent, quoteLiteral, type DuckDBConnection } from '../../base/db.ts';
import { WuweiError } from '../../base/errors.ts';
import type { Logger } from '../../base/log.ts';
import { ENTITY_NAMES, SCHEMA, type ColumnSpec, type EntityName } from '../schema.ts';
import {
  DEFAULT_DATE_FORMATS,
  lookupTable,
  normalisedSql,
  ruleColumns,
  ruleLookups,
  ruleSql,
  plainSourceText,
  sourceText,
} from './column-sql.ts';
import type { ColumnRule, Mapping, SourceDefinition } from './definition.ts';
import { LINE_SHIFTS } from '../physical-lines.ts';
import { notUtf8Error } from './encoding.ts';
import { findUnmappedValues, type UnmappedValues } from './unmapped-values.ts';
import { writeStagedParts, type StagedPart } from './record-lines.ts';
import type { ReportFooter } from './report-footer.ts';
import {
  CSV_ERRORS,
  CSV_SCANS,
  findSourceFile,
  firstLine,
  headerLines,
  inspectFile,
  listSourceFiles,
  type SourceFile,
} from './source-files.ts';

/** Entities whose unmapped columns are kept as custom attributes. */
export const CUSTOM_ATTRIBUTE_ENTITIES = ['opportunities', 'accounts'] as const satisfies readonly EntityName[];

export interface CustomColumn {
  /** Column name in the source file. */
  name: string;
  /** DuckDB's inferred type, narrowed to one Wuwei stores. */
  type: 'BOOLEAN' | 'BIGINT' | 'DOUBLE' | 'DATE' | 'TIMESTAMP' | 'VARCHAR';
  /** Its column in `raw_<entity>`. */
  rawColumn: string;
}

export interface StagedEntity {
  entity: EntityName;
  /**
   * The temp view to read the rows from: `__row`, `__file`, `__line`, every contract column as text
   * (trimmed, empty as NULL), and custom attribute columns. Changes go to the table under it,
   * `rawTable(entity)`, whose rows `rowid` identifies (./record-lines.ts).
   */
  table: string;
  files: string[];
  /** Each file read, for working out the physical lines of rejected rows (pipeline/load/physical-lines.ts). */
  sources: StagedSource[];
  custom: CustomColumn[];
  /** Values the mapping's value maps do not know, per column (./unmapped-values.ts). */
  unmapped: UnmappedValues[];
  /** Files read as one row per field change (a `pivot` source), whose rows ./derive.ts completes. */
  changeFiles: string[];
}

/** One file staging read. */
export interface StagedSource {
  path: string;
  format: SourceFile['format'];
  /** Lines before the first record (a CSV header). */
  headerLines: number;
  /** A report footer the file was read without (./report-footer.ts). */
  footer?: ReportFooter;
  textReader: string;
  /** The file's columns. */
  columns: string[];
  /** Records DuckDB read from it (malformed rows aside); null when a mapping's `where` left some out, so the count is unknown. */
  records: number | null;
}

/** Staging's rejects numbered by record (pipeline/load/physical-lines.ts makes their lines physical). */
export const RECORD_REJECTS = 'staging_record_rejects';

/** The temp table staging puts an entity's rows in; what changes them changes it (rows are its `rowid`). */
export const rawTable = (entity: EntityName) => `raw_${entity}`;
/** The temp view that reads them with their `__row` and `__line`. */
export const stagedView = (entity: EntityName) => `staged_${entity}`;

export async function stageSources(
  conn: DuckDBConnection,
  options: { source: string | string[]; mapping: Mapping; log: Logger },
): Promise<Map<EntityName, StagedEntity>> {
  const available = listSourceFiles(options.source);
  const staged = new Map<EntityName, StagedEntity>();
  // DuckDB's tables of malformed CSV rows outlive a load on this connection: only this load's scans count.
  for (const table of [CSV_ERRORS, CSV_SCANS]) await conn.run(`DROP TABLE IF EXISTS temp.${quoteIdent(table)}`);
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE staging_rejects (entity VARCHAR, file VARCHAR, line BIGINT, column_name VARCHAR, value VARCHAR, reason VARCHAR)`,
  );
  // Rows rejected while staging (deals without an exchange rate) with their record line, made physical later.
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE ${RECORD_REJECTS} (entity VARCHAR, file VARCHAR, line BIGINT, column_name VARCHAR, value VARCHAR, reason VARCHAR)`,
  );
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${LINE_SHIFTS} (file VARCHAR, s BIGINT, j BIGINT)`);
  await stageLookups(conn, available, options.mapping);
  let lastScan = -1;
  const foundByEntity = new Map(
    ENTITY_NAMES.map((entity) => [
      entity,
      (options.mapping.entities[entity] ?? []).map((definition) => ({
        definition,
        file: findSourceFile(
          available,
          definition.file,
          definition.encoding ?? options.mapping.encoding,
          definition.unnest ? { unnest: definition.unnest } : {},
        ),
      })),
    ]),
  );
  // Every staged row names its file: as an ENUM of the load's files it takes a byte, not a copy of
  // the path (at 1M deals the paths alone were gigabytes of the staged text).
  const paths = [...new Set([...foundByEntity.values()].flat().flatMap((f) => (f.file ? [f.file.path] : [])))];
  const fileType = paths.length > 0 ? `ENUM(${paths.map(quoteLiteral).join(', ')})` : 'VARCHAR';
  for (const entity of ENTITY_NAMES) {
    const sources = options.mapping.entities[entity] ?? [];
    const found = foundByEntity.get(entity)!;
    const present = found.filter((f): f is { definition: SourceDefinition; file: SourceFile } => f.file !== undefined);
    if (present.length === 0 && SCHEMA[entity].required) {
      const names = sources.map((s) => s.file).join(' or ');
      throw new WuweiError(
        'missing_input',
        `${describeSource(options.source)}: no ${names || entity} export (${options.mapping.name} layout); ${entity} are required`,
      );
    }
    for (const missing of found.filter((f) => !f.file)) {
      if (present.length > 0)
        options.log.warn(
          `${options.mapping.name}: no ${missing.definition.file} file; ${entity} are read from the other files only`,
        );
    }
    const selects: StagedPart[] = [];
    let custom: CustomColumn[] = [];
    const columnsByFile = new Map<string, string[]>();
    const unmapped: UnmappedValues[] = [];
    const changeFiles: string[] = [];
    for (const { file } of present) {
      const footer = file.footer;
      if (footer)
        options.log.info(
          `${file.path}: lines ${footer.firstLine}-${footer.lastLine} skipped: the report footer below the rows (${footer.sample.map((l) => `'${l}'`).join(', ')}), not records`,
        );
    }
    for (const [index, { definition, file }] of present.entries()) {
      // A JSON field to unnest that no record has holds no rows.
      if (definition.unnest && file.format === 'json' && (statSync(file.path).size === 0 || isEmptyFile(file)))
        continue;
      const inspectStart = performance.now();
      const inspected = await inspectFile(conn, file);
      options.log.debug?.(`staging ${entity}: inspect ${file.path}: ${seconds(inspectStart)} s`);
      const { dateFormats } = inspected;
      const own = new Set(inspected.columns.map((c) => c.name.toLowerCase()));
      // A file without the field-name and value columns is not a list of changes (a flat deals file): no rows from it.
      if (
        definition.pivot &&
        !(own.has(definition.pivot.name.toLowerCase()) && own.has(definition.pivot.value.toLowerCase()))
      )
        continue;
      const pivotFields = definition.pivot
        ? pivotColumns(
            definition,
            inspected.columns.map((c) => c.name),
          )
        : [];
      const added = [
        ...(definition.unpivot ? [definition.unpivot.name, definition.unpivot.value] : []),
        ...pivotFields,
      ];
      const columns = [...inspected.columns, ...added.map((name) => ({ name, type: 'VARCHAR' }))];
      columnsByFile.set(
        file.path,
        columns.map((c) => c.name),
      );
      // Header names match whatever their case (Data Loader writes STAGENAME); DuckDB matches identifiers so too.
      const names = new Set(columns.map((c) => c.name.toLowerCase()));
      // A list column no record has (no call with a contact) is an empty list, not a broken file.
      if (definition.explode && !names.has(definition.explode.toLowerCase())) continue;
      // A flat file (CSV) is read as it is; one without the nested source's columns holds none of its rows.
      if (definition.unnest && file.format !== 'json' && !hasRequiredColumns(entity, definition, names)) continue;
      checkRequiredColumns(
        entity,
        definition,
        file,
        names,
        columns.map((c) => c.name),
      );
      const formats = [
        ...(definition.date_format ? [definition.date_format] : []),
        ...dateFormats,
        ...DEFAULT_DATE_FORMATS,
      ];
      const used = usedColumns(definition);
      const extra =
        index === 0 && (CUSTOM_ATTRIBUTE_ENTITIES as readonly string[]).includes(entity)
          ? columns
              .filter((c) => !used.has(c.name.toLowerCase()))
              .map((c, i) => ({ name: c.name, type: storedType(c.type), rawColumn: `__custom_${i}` }))
          : [];
      if (index === 0) custom = extra;
      // Only the file's own columns (an unpivot's name and value columns are not in it).
      const inFile = new Set(inspected.columns.map((c) => c.name.toLowerCase()));
      const unmappedStart = performance.now();
      unmapped.push(
        ...(await findUnmappedValues(conn, { entity, definition, file, present: (c) => inFile.has(c.toLowerCase()) })),
      );
      options.log.debug?.(`staging ${entity}: unmapped values in ${file.path}: ${seconds(unmappedStart)} s`);
      if (definition.pivot) changeFiles.push(file.path);
      selects.push(
        sourceSelect(entity, definition, file, names, {
          dateFormats: formats,
          custom: extra,
          allCustom: custom,
          salesforceIds: options.mapping.salesforce_ids === true,
          pivotFields,
          fileType,
        }),
      );
    }
    const table = rawTable(entity);
    const view = stagedView(entity);
    const contract = Object.entries(SCHEMA[entity].columns).map(([c]) => `NULL::VARCHAR AS ${quoteIdent(c)}`);
    const parts: StagedPart[] =
      selects.length > 0
        ? selects
        : [
            {
              sql: `SELECT NULL::VARCHAR AS __file, NULL::BIGINT AS __line, ${contract.join(', ')} WHERE false`,
              positional: false,
              lineBase: 0,
              width: 2 + contract.length,
            },
          ];
    try {
      const readStart = performance.now();
      await writeStagedParts(conn, { table, view }, parts);
      options.log.debug?.(`staging ${entity}: read into ${table}: ${seconds(readStart)} s`);
    } catch (error) {
      const files = present.map((p) => p.file.path).join(', ');
      throw new WuweiError('bad_input', `${files}: cannot read: ${firstLine(error)}`, { cause: error });
    }
    await skipDuplicates(conn, entity, table, present);
    if (present.some((p) => p.file.format === 'csv')) lastScan = await takeMalformedRows(conn, entity, lastScan);
    if (SCHEMA[entity].required)
      await checkHasRows(
        conn,
        entity,
        view,
        present.map((p) => p.file.path),
      );
    const read = await describeSources(conn, view, present, columnsByFile);
    staged.set(entity, {
      entity,
      table: view,
      files: [...new Set(present.map((p) => p.file.path))],
      sources: read,
      custom,
      unmapped,
      changeFiles,
    });
  }
  return staged;
}

/** Reads each lookup file a mapping's rules use into a key -> value table; a missing file looks nothing up. */
async function stageLookups(conn: DuckDBConnection, available: Map<string, string>, mapping: Mapping): Promise<void> {
  const lookups = Object.values(mapping.entities).flatMap((sources) =>
    sources.flatMap((s) => Object.values(s.columns).flatMap((rule) => ruleLookups(rule as ColumnRule))),
  );
  for (const lookup of lookups) {
    const table = quoteIdent(lookupTable(lookup));
    const file = findSourceFile(available, lookup.file, mapping.encoding);
    const value = `CAST(${quoteIdent(lookup.value)} AS VARCHAR)`;
    const filters = Object.entries(lookup.where ?? {}).map(
      ([column, values]) => `${sourceText(column)} IN (${values.map((v) => quoteLiteral(String(v))).join(', ')})`,
    );
    // A lookup file without the key or value column (another export shape of the same object) looks nothing up.
    const columns = file
      ? new Set((await inspectFile(conn, file)).columns.map((c) => c.name.toLowerCase()))
      : new Set<string>();
    const readable = [lookup.key, lookup.value, ...(lookup.latest ? [lookup.latest] : [])].every((c) =>
      columns.has(c.toLowerCase()),
    );
    const rows =
      file && readable
        ? `SELECT CAST(${quoteIdent(lookup.key)} AS VARCHAR) AS k, ${lookup.latest ? `arg_max(${value}, ${sourceText(lookup.latest)})` : `any_value(${value})`} AS v
         FROM ${file.textReader} ${filters.length > 0 ? `WHERE ${filters.join(' AND ')}` : ''} GROUP BY 1`
        : 'SELECT NULL::VARCHAR AS k, NULL::VARCHAR AS v WHERE false';
    try {
      await conn.run(`CREATE OR REPLACE TEMP TABLE ${table} AS ${rows}`);
    } catch (error) {
      throw new WuweiError(
        'bad_input',
        `${file?.path ?? lookup.file}: cannot read '${lookup.key}' and '${lookup.value}' for a lookup: ${String(error instanceof Error ? error.message : error).split('\n')[0]}`,
        { cause: error },
      );
    }
  }
}

/**
 * Rows DuckDB could not split into the file's columns become row-level rejects with the line DuckDB
 * reports; the lines they take are noted in `line_shifts`, so that the physical line of a rejected
 * row after them can be worked out (staging numbers rows as it reads them). Nothing else is rewritten:
 * most rows are never rejected, and their lines are never needed.
 */
async function takeMalformedRows(conn: DuckDBConnection, entity: EntityName, afterScan: number): Promise<number> {
  const exists = await queryRows<{ n: number }>(
    conn,
    `SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE table_name = '${CSV_ERRORS}'`,
  );
  if (exists[0]!.n === 0) return afterScan;
  const errors = `SELECT DISTINCT s.file_path AS file, e.line, e.error_type, e.error_message, e.csv_line
    FROM ${CSV_ERRORS} e JOIN ${CSV_SCANS} s USING (scan_id, file_id) WHERE e.scan_id > ${afterScan}`;
  // A file in another encoding is wrong throughout, not in a few rows: stop instead of quarantining garbage.
  const [misread] = await queryRows<{ file: string }>(
    conn,
    `SELECT file FROM (${errors}) WHERE error_type = 'INVALID ENCODING' LIMIT 1`,
  );
  if (misread) throw notUtf8Error(misread.file);
  await conn.run(`
    INSERT INTO staging_rejects
    SELECT ${quoteLiteral(entity)}, file, line, NULL, left(any_value(csv_line), 200), 'malformed row: ' || lower(any_value(error_type))
    FROM (${errors}) GROUP BY file, line`);
  // The k-th row read is on line k + 1 + j, j the number of rejected lines r_i with r_i - i <= k.
  await conn.run(`
    INSERT INTO ${LINE_SHIFTS}
    SELECT file, line - i AS s, max(i) AS j
    FROM (SELECT file, line, row_number() OVER (PARTITION BY file ORDER BY line) AS i FROM (SELECT DISTINCT file, line FROM (${errors})))
    GROUP BY ALL`);
  const [last] = await queryRows<{ id: number | null }>(conn, `SELECT max(scan_id)::INTEGER AS id FROM ${CSV_SCANS}`);
  return last?.id ?? afterScan;
}

/** Rows of a `skip_duplicates` source whose key another file of the entity already gives: the same record twice. */
async function skipDuplicates(
  conn: DuckDBConnection,
  entity: EntityName,
  table: string,
  present: { definition: SourceDefinition; file: SourceFile }[],
): Promise<void> {
  const key = SCHEMA[entity].key;
  for (const { file } of present.filter((p) => p.definition.skip_duplicates && present.length > 1)) {
    if (key.length === 0) continue;
    const same = key.map((k) => `o.${quoteIdent(k)} = t.${quoteIdent(k)}`).join(' AND ');
    await conn.run(`DELETE FROM ${quoteIdent(table)} t WHERE t.__file = ${quoteLiteral(file.path)}
      AND EXISTS (SELECT 1 FROM ${quoteIdent(table)} o WHERE o.__file <> t.__file AND ${same})`);
  }
}

/** A required entity without rows is a broken export (a cut-off job, a wrong filter): loading it would wipe the deals. */
async function checkHasRows(conn: DuckDBConnection, entity: EntityName, table: string, files: string[]): Promise<void> {
  const [row] = await queryRows<{ n: number }>(
    conn,
    `SELECT count(*)::INTEGER AS n FROM (SELECT 1 FROM ${quoteIdent(table)} LIMIT 1)`,
  );
  if (row!.n > 0) return;
  throw new WuweiError(
    'bad_input',
    `${files.join(', ')}: no rows, only a header (or none that the mapping's filter keeps): an export without ${entity} cannot be scored; nothing was loaded`,
  );
}

/** The files an entity was read from, with the records read from each (before any rows are rejected or deleted). */
async function describeSources(
  conn: DuckDBConnection,
  table: string,
  present: { definition: SourceDefinition; file: SourceFile }[],
  columnsByFile: Map<string, string[]>,
): Promise<StagedSource[]> {
  // One file: its row count (which DuckDB keeps) is its last record; a union is grouped by file.
  const counts =
    present.length === 1
      ? await queryRows<{ file: string; last: number }>(
          conn,
          `SELECT ${quoteLiteral(present[0]!.file.path)} AS file, (count(*) + ${headerLines(present[0]!.file)})::BIGINT AS last FROM ${quoteIdent(table)}`,
        )
      : await queryRows<{ file: string; last: number }>(
          conn,
          `SELECT __file AS file, max(__line)::BIGINT AS last FROM ${quoteIdent(table)} GROUP BY ALL`,
        );
  const lastLine = new Map(counts.map((c) => [c.file, Number(c.last)]));
  const filtered = new Set(
    present.filter((p) => Object.keys(p.definition.where ?? {}).length > 0).map((p) => p.file.path),
  );
  const seen = new Map<string, StagedSource>();
  for (const { file } of present) {
    if (seen.has(file.path)) continue;
    const last = lastLine.get(file.path);
    const lineBase = headerLines(file);
    // A `where` may have left out the last records, so the highest line does not count them.
    const records = filtered.has(file.path) ? null : last === undefined ? 0 : last - lineBase;
    seen.set(file.path, {
      path: file.path,
      format: file.format,
      headerLines: lineBase,
      ...(file.footer ? { footer: file.footer } : {}),
      textReader: file.textReader,
      columns: columnsByFile.get(file.path) ?? [],
      records,
    });
  }
  return [...seen.values()];
}

/** The columns a pivoted source's rules read that the file lacks: the fields whose changes it lists. */
function pivotColumns(definition: SourceDefinition, fileColumns: string[]): string[] {
  const inFile = new Set(fileColumns.map((c) => c.toLowerCase()));
  return [...new Set(Object.values(definition.columns).flatMap((rule) => ruleColumns(rule as ColumnRule)))].filter(
    (c) => !inFile.has(c.toLowerCase()),
  );
}

/** A flattened JSON file without records. */
function isEmptyFile(file: SourceFile): boolean {
  const match = /read_json\('((?:[^']|'')*)'/.exec(file.textReader);
  return match !== null && statSync(match[1]!.replaceAll("''", "'")).size === 0;
}

/** Required columns the load can fill from another entity when the export lacks them (see ./derive.ts). */
const DERIVED: Partial<Record<EntityName, string[]>> = {
  activities: ['account_id'],
  opportunity_contact_roles: ['created_date'],
  opportunity_competitors: ['created_date'],
};

function hasRequiredColumns(entity: EntityName, definition: SourceDefinition, names: Set<string>): boolean {
  try {
    checkRequiredColumns(entity, definition, { path: '' } as SourceFile, names, []);
    return true;
  } catch {
    return false;
  }
}

/** A required contract column whose every source column is missing from the file stops the load. */
function checkRequiredColumns(
  entity: EntityName,
  definition: SourceDefinition,
  file: SourceFile,
  names: Set<string>,
  found: string[],
): void {
  for (const [column, spec] of Object.entries(SCHEMA[entity].columns) as [string, ColumnSpec][]) {
    const rule = definition.columns[column];
    if (!spec.required || DERIVED[entity]?.includes(column)) continue;
    if (rule === undefined)
      throw new WuweiError(
        'bad_input',
        `${file.path}: the mapping gives no source for required column '${column}' of ${entity}`,
      );
    const reads = ruleColumns(rule);
    const isConstant =
      typeof rule !== 'string' &&
      !Array.isArray(rule) &&
      (rule.value !== undefined || (rule.default !== undefined && rule.default !== null));
    if (!isConstant && reads.length > 0 && !reads.some((c) => names.has(c.toLowerCase()))) {
      throw new WuweiError(
        'bad_input',
        `${file.path}, line 1: missing required column '${reads.join("' or '")}' (for ${entity}.${column}; the file's first line has ${found.length} column${found.length === 1 ? '' : 's'})`,
      );
    }
  }
  for (const column of Object.keys(definition.where ?? {})) {
    if (!names.has(column.toLowerCase()))
      throw new WuweiError(
        'bad_input',
        `${file.path}, line 1: missing column '${column}' that the mapping filters on (the file's first line has ${found.length} column${found.length === 1 ? '' : 's'})`,
      );
  }
}

function usedColumns(definition: SourceDefinition): Set<string> {
  return new Set(
    [
      ...Object.values(definition.columns).flatMap((rule) => ruleColumns(rule as ColumnRule)),
      ...Object.keys(definition.where ?? {}),
    ].map((c) => c.toLowerCase()),
  );
}

function sourceSelect(
  entity: EntityName,
  definition: SourceDefinition,
  file: SourceFile,
  names: Set<string>,
  options: {
    dateFormats: string[];
    custom: CustomColumn[];
    allCustom: CustomColumn[];
    salesforceIds: boolean;
    pivotFields: string[];
    /** The SQL type `__file` is stored as. */
    fileType: string;
  },
): StagedPart {
  const present = (column: string) => names.has(column.toLowerCase());
  const contract = (Object.entries(SCHEMA[entity].columns) as [string, ColumnSpec][]).map(([column, spec]) => {
    const rule = definition.columns[column];
    if (rule === undefined) return `NULL::VARCHAR AS ${quoteIdent(column)}`;
    const scale = typeof rule === 'string' || Array.isArray(rule) ? undefined : rule.scale;
    let sql = normalisedSql(ruleSql(rule, present), spec.type, {
      dateFormats: options.dateFormats,
      decimalComma: definition.decimal_separator === ',',
      ...(scale !== undefined ? { scale } : {}),
    });
    // An 18-character Salesforce id is its 15-character id and a case checksum: reports write 15, the API 18.
    if (options.salesforceIds && column.endsWith('_id'))
      sql = `CASE WHEN regexp_full_match(${sql}, '[a-zA-Z0-9]{18}') THEN left(${sql}, 15) ELSE ${sql} END`;
    return `${sql} AS ${quoteIdent(column)}`;
  });
  const custom = options.custom.map((c) => `${plainSourceText(c.name)} AS ${quoteIdent(c.rawColumn)}`);
  const filters = Object.entries(definition.where ?? {}).map(([column, filter]) => {
    if (!Array.isArray(filter)) return `${sourceText(column)} IS NOT NULL`;
    // An empty string in the list selects rows where the column is empty.
    const values = filter.map((v) => String(v).trim()).filter((v) => v !== '');
    const conditions = [
      ...(values.length > 0 ? [`${sourceText(column)} IN (${values.map(quoteLiteral).join(', ')})`] : []),
      ...(values.length < filter.length ? [`${sourceText(column)} IS NULL`] : []),
    ];
    return `(${conditions.join(' OR ')})`;
  });
  const dropped = definition.drop_unmapped;
  const droppedRule = dropped === undefined ? undefined : definition.columns[dropped];
  if (droppedRule !== undefined) filters.push(`(${ruleSql(droppedRule, present)}) IS NOT NULL`);
  // Lines count from the header (line 1): staging numbers records; pipeline/load/physical-lines.ts
  // turns the record lines of rejected rows into physical lines. A source that keeps every record
  // as one row is numbered by position once written (./record-lines.ts); the others here, first.
  const lineBase = headerLines(file);
  const pivot = definition.pivot;
  const unpivot = definition.unpivot;
  const explode = definition.explode && present(definition.explode) ? definition.explode : undefined;
  const positional = !pivot && !unpivot && explode === undefined && filters.length === 0;
  let numbered = positional
    ? `SELECT *, NULL::BIGINT AS __line FROM ${file.textReader}`
    : `SELECT *, (row_number() OVER () + ${lineBase})::BIGINT AS __line FROM ${file.textReader}`;
  if (pivot) {
    // One row per field change: each field a column of its own, empty on the other fields' rows.
    const fields = options.pivotFields;
    if (fields.length > 0) {
      const cases = fields.map(
        (f) =>
          `CASE WHEN ${sourceText(pivot.name)} = ${quoteLiteral(f)} THEN CAST(${quoteIdent(pivot.value)} AS VARCHAR) END AS ${quoteIdent(f)}`,
      );
      numbered = `SELECT *, ${cases.join(', ')} FROM (${numbered})`;
    }
  }
  if (unpivot) {
    // One row per filled `<prefix><name>` column; a file without such columns gives no rows.
    const wide = [...names].filter(
      (n) =>
        n.startsWith(unpivot.prefix.toLowerCase()) &&
        n !== unpivot.name.toLowerCase() &&
        n !== unpivot.value.toLowerCase(),
    );
    numbered =
      wide.length === 0
        ? `SELECT *, NULL::VARCHAR AS ${quoteIdent(unpivot.name)}, NULL::VARCHAR AS ${quoteIdent(unpivot.value)} FROM (${numbered}) WHERE false`
        : `SELECT * REPLACE (substr(${quoteIdent(unpivot.name)}, ${unpivot.prefix.length + 1}) AS ${quoteIdent(unpivot.name)}) FROM (
          UNPIVOT (SELECT * REPLACE (${wide.map((w) => `CAST(${quoteIdent(w)} AS VARCHAR) AS ${quoteIdent(w)}`).join(', ')}) FROM (${numbered}))
          ON ${wide.map(quoteIdent).join(', ')} INTO NAME ${quoteIdent(unpivot.name)} VALUE ${quoteIdent(unpivot.value)})`;
  }
  // A `;`-separated list becomes one row per item, each with the line of the record it came from.
  const rows = explode
    ? `SELECT * REPLACE (nullif(trim(unnest(string_split(CAST(${quoteIdent(explode)} AS VARCHAR), ';'))), '') AS ${quoteIdent(explode)}) FROM (${numbered})`
    : numbered;
  const sql = `SELECT CAST(${quoteLiteral(file.path)} AS ${options.fileType}) AS __file, __line, ${[...contract, ...custom].join(', ')}
    FROM (${rows})
    ${filters.length > 0 ? `WHERE ${filters.join(' AND ')}` : ''}`;
  return { sql, positional, lineBase, width: 2 + contract.length + custom.length };
}

/** Narrows DuckDB's inferred type to one custom attributes are stored as. */
function storedType(type: string): CustomColumn['type'] {
  if (type === 'BOOLEAN') return 'BOOLEAN';
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$/.test(type)) return 'BIGINT';
  if (/^(FLOAT|DOUBLE|REAL)$/.test(type) || type.startsWith('DECIMAL')) return 'DOUBLE';
  if (type === 'DATE') return 'DATE';
  if (type.startsWith('TIMESTAMP')) return 'TIMESTAMP';
  return 'VARCHAR';
}

/** Seconds since `start` (a performance.now() reading), for the debug log of where staging's time goes. */
function seconds(start: number): string {
  return ((performance.now() - start) / 1000).toFixed(2);
}

function describeSource(source: string | string[]): string {
  return Array.isArray(source) ? source.join(', ') : source;
}
