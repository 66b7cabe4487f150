/**
 * Writes a canonical export in another layout by running its mapping backwards in DuckDB
 * (`COPY (SELECT ...) TO`): each source column gets the canonical column it feeds, through the
 * inverse of the value map and scale. Rows go to the first of an entity's sources whose row filter
 * and constants they satisfy. `wuwei generate --layout` uses this, so the generator itself only
 * ever writes the canonical layout, and a round trip through any layout can be tested.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { extname, join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { queryRows, quoteIdent, quoteLiteral } from '../../base/db.ts';
import type { Logger } from '../../base/log.ts';
import { ENTITY_NAMES, SCHEMA, type EntityName } from '../schema.ts';
import { CUSTOM_ATTRIBUTE_ENTITIES } from './stage.ts';
import type { ColumnRule, Mapping, SourceDefinition } from './definition.ts';
import { builtInLayout } from './layouts.ts';

/** Generates the canonical export into a scratch folder, then writes it in `layout` into `out`. */
export async function generateInLayout<T>(
  layout: string,
  out: string,
  generateCanonical: (out: string, log: Logger) => Promise<T>,
  log: Logger,
): Promise<T & { layout: string }> {
  const mapping = builtInLayout(layout);
  mkdirSync(out, { recursive: true });
  const scratch = mkdtempSync(join(out, '.canonical-'));
  // The generator's messages name the folder the user asked for, not the scratch one.
  const outLog: Logger = {
    info: (m) => log.info(m.replaceAll(scratch, out)),
    warn: (m) => log.warn(m.replaceAll(scratch, out)),
  };
  try {
    const summary = await generateCanonical(scratch, outLog);
    await writeLayout(scratch, mapping, out);
    for (const truth of ['ground_truth.csv', 'ground_truth_moves.csv'])
      if (existsSync(join(scratch, truth))) cpSync(join(scratch, truth), join(out, truth));
    log.info(`wrote the export in the ${layout} layout to ${out}`);
    return { ...summary, out, layout };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Reads the canonical CSVs in `canonicalDir` and writes the files `mapping` reads into `outDir`. */
export async function writeLayout(canonicalDir: string, mapping: Mapping, outDir: string): Promise<string[]> {
  mkdirSync(outDir, { recursive: true });
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  const written: string[] = [];
  try {
    for (const entity of ENTITY_NAMES) {
      const sources = mapping.entities[entity] ?? [];
      const canonical = join(canonicalDir, `${SCHEMA[entity].file}.csv`);
      if (sources.length === 0 || !existsSync(canonical)) continue;
      // Contract columns an older canonical export lacks read as empty.
      const contract = Object.keys(SCHEMA[entity].columns)
        .map((c) => `NULL::VARCHAR AS ${quoteIdent(c)}`)
        .join(', ');
      const reader = `(SELECT ${contract} WHERE false UNION ALL BY NAME SELECT * FROM read_csv(${quoteLiteral(canonical)}, header = true, all_varchar = true))`;
      const filters = sources.map((s) => canonicalFilter(s));
      const custom = await customColumns(conn, entity, canonical);
      for (const [i, source] of sources.entries()) {
        const file = extname(source.file) ? source.file : `${source.file}.csv`;
        const path = join(outDir, file);
        // A file read again for another entity (owners, associations kept on the record) is written once, for the first.
        if (written.includes(path)) continue;
        const earlier = filters.slice(0, i).map((f) => `NOT coalesce(${f}, false)`);
        const where = [filters[i]!, ...earlier].join(' AND ');
        const own = sourceColumns(source);
        const columns = own.map(([column, sql]) => `${sql} AS ${quoteIdent(column)}`);
        // The company's own fields ride on the entity's first file, where the load looks for them.
        if (i === 0) {
          const taken = new Set(own.map(([column]) => column.toLowerCase()));
          for (const name of custom) {
            const field = customFieldName(mapping.name, name);
            if (!taken.has(field.toLowerCase())) columns.push(`${quoteIdent(name)} AS ${quoteIdent(field)}`);
          }
        }
        const format = extname(file).toLowerCase() === '.parquet' ? '(FORMAT parquet)' : `(FORMAT csv, HEADER true)`;
        await conn.run(
          `COPY (SELECT ${columns.join(', ')} FROM ${reader} WHERE ${where}) TO ${quoteLiteral(path)} ${format}`,
        );
        written.push(path);
      }
    }
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
  return written;
}

/** The canonical file's columns beyond the contract (`wuwei generate --custom-columns`), for the entities that keep them. */
async function customColumns(conn: DuckDBConnection, entity: EntityName, canonical: string): Promise<string[]> {
  if (!(CUSTOM_ATTRIBUTE_ENTITIES as readonly string[]).includes(entity)) return [];
  const rows = await queryRows<{ column_name: string }>(
    conn,
    `DESCRIBE SELECT * FROM read_csv(${quoteLiteral(canonical)}, header = true, all_varchar = true)`,
  );
  return rows.map((r) => r.column_name).filter((name) => !(name in SCHEMA[entity].columns));
}

/**
 * A custom field's name as each CRM writes it: Salesforce's API names end in `__c`
 * (`Budget_Allocated__c`), Dataverse's logical names carry a publisher prefix (`new_budgetallocated`),
 * HubSpot's internal names are lower case (`budget_allocated`).
 */
function customFieldName(layout: string, name: string): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter(Boolean);
  if (layout === 'salesforce') return `${words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('_')}__c`;
  if (layout === 'dynamics') return `new_${words.join('').toLowerCase()}`;
  return words.join('_').toLowerCase();
}

/** Which canonical rows a source holds: its row filter and constants, read backwards. */
function canonicalFilter(source: SourceDefinition): string {
  const conditions: string[] = ['true'];
  for (const [canonical, rule] of Object.entries(source.columns)) {
    if (typeof rule !== 'string' && !Array.isArray(rule) && rule.value !== undefined)
      conditions.push(`${quoteIdent(canonical)} = ${quoteLiteral(String(rule.value))}`);
  }
  for (const [column, filter] of Object.entries(source.where ?? {})) {
    const reader = Object.entries(source.columns).find(([, rule]) => readsColumn(rule, column));
    if (!reader) continue;
    const [canonical, rule] = reader;
    if (Array.isArray(filter)) {
      const values = filter.map((v) => forward(rule, column, String(v)));
      conditions.push(
        `${quoteIdent(canonical)} IN (${values.map((v) => (v === null ? 'NULL' : quoteLiteral(v))).join(', ')})`,
      );
    } else {
      conditions.push(`${quoteIdent(canonical)} IS NOT NULL`);
    }
  }
  return conditions.join(' AND ');
}

/** Each source column and the SQL that recovers it from canonical columns. */
function sourceColumns(source: SourceDefinition): [string, string][] {
  const candidates = new Map<string, { rank: number; sql: string }[]>();
  const add = (column: string, rank: number, sql: string) =>
    candidates.set(column, [...(candidates.get(column) ?? []), { rank, sql }]);
  // A later alternative of a first_of ranks below the first: it only fills in where the first is empty.
  const visit = (canonical: string, rule: ColumnRule, later = 0) => {
    const c = quoteIdent(canonical);
    // Of a column's aliases, the API name (the first) is written.
    if (typeof rule === 'string' || Array.isArray(rule)) return add([rule].flat()[0]!, 1 + later, c);
    if (rule.first_of) {
      for (const [i, inner] of rule.first_of.entries()) visit(canonical, inner, later + (i > 0 ? 3 : 0));
      return;
    }
    // A key prefix cannot be turned back into the whole value (a list's first item is a list of one);
    // a conditional fallback (an activity's account when it regards one) would fill the column for every row;
    // a value only another file holds (an exact lookup) is not this file's column.
    if (!rule.column || rule.prefix !== undefined || rule.lookup?.exact || (later > 0 && rule.keep_if)) return;
    const column = [rule.column].flat()[0]!;
    let sql = c;
    if (rule.scale !== undefined) sql = `CAST(round(TRY_CAST(${c} AS DOUBLE) / ${Number(rule.scale)}, 9) AS VARCHAR)`;
    if (rule.map && Object.keys(rule.map).length > 0) {
      const inverse = new Map<string, string>();
      for (const [from, to] of Object.entries(rule.map))
        if (to !== null && !inverse.has(String(to))) inverse.set(String(to), from);
      const injective = inverse.size === Object.values(rule.map).filter((v) => v !== null).length;
      const passThrough = rule.default === undefined ? sql : 'NULL';
      const cases = [...inverse].map(([to, from]) => `WHEN ${quoteLiteral(to)} THEN ${quoteLiteral(from)}`);
      return add(column, (injective ? 0 : 2) + later, `CASE ${c} ${cases.join(' ')} ELSE ${passThrough} END`);
    }
    return add(column, 1 + later, sql);
  };
  for (const [canonical, rule] of Object.entries(source.columns)) visit(canonical, rule);
  // A column whose value blanks another (a home-currency amount, where the deal's currency then reads empty) is not written.
  for (const rule of Object.values(source.columns)) {
    if (typeof rule !== 'string' && !Array.isArray(rule) && rule.keep_if?.empty && rule.keep_if.column)
      for (const c of [rule.keep_if.column].flat()) candidates.delete(c);
  }
  // A filter column no rule reads gets the first value the filter allows.
  for (const [column, filter] of Object.entries(source.where ?? {})) {
    if (!candidates.has(column) && Array.isArray(filter)) add(column, 0, quoteLiteral(String(filter[0])));
  }
  return [...candidates].map(([column, list]) => {
    const sorted = [...list].sort((a, b) => a.rank - b.rank).map((x) => x.sql);
    return [column, sorted.length === 1 ? sorted[0]! : `coalesce(${sorted.join(', ')})`];
  });
}

function readsColumn(rule: ColumnRule, column: string): boolean {
  if (typeof rule === 'string' || Array.isArray(rule)) return [rule].flat()[0] === column;
  if (rule.first_of) return rule.first_of.some((inner) => readsColumn(inner, column));
  return rule.column !== undefined && [rule.column].flat()[0] === column;
}

/** The canonical value a source value becomes under `rule` (for filters). */
function forward(rule: ColumnRule, column: string, value: string): string | null {
  if (typeof rule === 'string' || Array.isArray(rule)) return value;
  if (rule.first_of) return forward(rule.first_of.find((inner) => readsColumn(inner, column))!, column, value);
  if (rule.map && value in rule.map) {
    const to = rule.map[value];
    return to === null || to === undefined ? null : String(to);
  }
  return rule.map && rule.default !== undefined ? (rule.default === null ? null : String(rule.default)) : value;
}
