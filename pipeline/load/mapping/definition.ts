/**
 * A mapping: how another CRM's export becomes the canonical contract. It is data (YAML or JSON):
 * per canonical entity, one or more source files, an optional row filter, and for each canonical
 * column the source column (or constant) it comes from, with value maps, defaults and scaling.
 * The built-in layouts (salesforce, hubspot, dynamics) are mappings of this same shape.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { WuweiError } from '../../base/errors.ts';
import { ENTITY_NAMES, SCHEMA, type EntityName } from '../schema.ts';
import { ENCODINGS, type Encoding } from './encoding.ts';

const scalar = z.union([z.string(), z.number(), z.boolean()]);

/** Names of one source column: the first the file has is read (API name, then report/UI labels). */
const columnNames = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

/** One canonical column: a source column name (or its aliases), or a rule. */
const columnRule = z.union([
  columnNames,
  z.strictObject({
    /** Source column to read; with a list, the first name the file has. */
    column: columnNames.optional(),
    /** A constant instead of a source column. */
    value: scalar.optional(),
    /** Source columns joined with a space, empty ones left out (a first and last name as the full name other files use). */
    join: z.array(z.string().min(1)).min(2).optional(),
    /** Several rules: the first that gives a value wins (e.g. actual close date, else expected). */
    first_of: z
      .array(z.lazy((): z.ZodType => columnRule))
      .min(1)
      .optional(),
    /** Source value -> canonical value. Values not in the map pass through unchanged unless `default` is given. */
    map: z.record(z.string(), scalar.nullable()).optional(),
    /** Used when the source value is empty, or (with a map) not in the map; `null` means leave it empty. */
    default: scalar.nullable().optional(),
    /** Multiply a number: 0.01 turns a percentage into a share, 1000000 millions into units. */
    scale: z.number().positive().optional(),
    /** Read only the value's first characters before the map (a Salesforce id's 3-character key prefix names its object). */
    prefix: z.number().int().positive().optional(),
    /** Of a `;`-separated list (a multi-valued association), the first item. */
    first_item: z.literal(true).optional(),
    /** Keep the value only when a column (default: this one) starts with, or is, one of these, or starts with none of `not_starts_with` (a WhatId that names an account, not an opportunity). */
    keep_if: z
      .strictObject({
        column: columnNames.optional(),
        starts_with: z.array(z.string()).min(1).optional(),
        not_starts_with: z.array(z.string()).min(1).optional(),
        in: z.array(z.string()).min(1).optional(),
        /** Keep the value only where the column is empty (a deal currency, where no home-currency amount stands in). */
        empty: z.literal(true).optional(),
      })
      .optional(),
    /** Read the value through another file: the `value` column of its row whose `key` column holds it (a role id to its name). */
    lookup: z
      .strictObject({
        file: z.string().min(1),
        key: z.string().min(1),
        value: z.string().min(1),
        /** Only the lookup file's rows whose column holds one of these values (a completed close activity). */
        where: z.record(z.string(), z.array(scalar).min(1)).optional(),
        /** Of several rows per key, the one latest in this column (else any). */
        latest: z.string().min(1).optional(),
        /** A key without a row reads empty (default: the key itself, as a role id stands for its missing name). */
        exact: z.literal(true).optional(),
      })
      .optional(),
  }),
]);

export type ColumnRule = string | string[] | ColumnRuleObject;
export interface ColumnRuleObject {
  column?: string | string[];
  value?: string | number | boolean;
  join?: string[];
  first_of?: ColumnRule[];
  map?: Record<string, string | number | boolean | null>;
  default?: string | number | boolean | null;
  scale?: number;
  prefix?: number;
  first_item?: true;
  lookup?: LookupRule;
  keep_if?: {
    column?: string | string[];
    starts_with?: string[];
    not_starts_with?: string[];
    in?: string[];
    empty?: true;
  };
}
export interface LookupRule {
  file: string;
  key: string;
  value: string;
  where?: Record<string, (string | number | boolean)[]>;
  latest?: string;
  exact?: true;
}

const rowFilter = z.union([z.array(scalar).min(1), z.strictObject({ not_empty: z.literal(true) })]);

const source = z.strictObject({
  /** File name in the source folder, with or without extension (.csv, .parquet, .json, .ndjson are tried). */
  file: z.string().min(1),
  /** Keep only rows whose source column holds one of these values, or is not empty. Other rows are not records of this entity. */
  where: z.record(z.string(), rowFilter).optional(),
  /** How to read numbers and dates in this file when DuckDB's sniffer cannot tell. */
  decimal_separator: z.enum(['.', ',']).optional(),
  date_format: z.string().optional(),
  /** Text encoding of this CSV file, when not the mapping's. */
  encoding: z.enum(ENCODINGS).optional(),
  /** A JSON array field whose elements are the records (HubSpot's association `to` lists). */
  unnest: z.string().min(1).optional(),
  /** Columns named `<prefix><name>` become one row each: `name` and `value` name the two new source columns (HubSpot's hs_date_entered_<stage id>). */
  unpivot: z.strictObject({ prefix: z.string().min(1), name: z.string().min(1), value: z.string().min(1) }).optional(),
  /** One row per change of one field (`name` the field, `value` its new value): each column the rules read that the file lacks is the value where `name` is that column; the load then carries each field forward per deal. */
  pivot: z.strictObject({ name: z.string().min(1), value: z.string().min(1) }).optional(),
  /** A source column holding a `;`-separated list: one row per item (`id1;id2`). */
  explode: z.string().min(1).optional(),
  /** Rows whose key an earlier source of the entity already gives are that record again (a close activity's competitor): left out, not rejected. */
  skip_duplicates: z.literal(true).optional(),
  /** Rows whose value for this contract column is not in its map are not records of this entity (EventRelation rows naming the event's own opportunity): left out and counted. */
  drop_unmapped: z.string().min(1).optional(),
  columns: z.record(z.string(), columnRule),
});

/**
 * The CRM's own stage list (Salesforce OpportunityStage, HubSpot pipelines, a Dynamics process):
 * stage names with their order, default probability and whether they close a deal, won or lost.
 */
const stageList = z.strictObject({
  file: z.string().min(1),
  where: z.record(z.string(), rowFilter).optional(),
  /** A JSON array field each record holds its stages in (HubSpot's pipelines: `stages`). */
  unnest: z.string().min(1).optional(),
  columns: z.strictObject({
    stage: columnRule,
    /** The name people see where `stage` is an internal id (HubSpot's stage label): stages are named by it. */
    label: columnRule.optional(),
    order: columnRule.optional(),
    probability: columnRule.optional(),
    is_closed: columnRule.optional(),
    is_won: columnRule.optional(),
  }),
});

export type StageListDefinition = Omit<z.infer<typeof stageList>, 'columns'> & {
  columns: {
    stage: ColumnRule;
    label?: ColumnRule;
    order?: ColumnRule;
    probability?: ColumnRule;
    is_closed?: ColumnRule;
    is_won?: ColumnRule;
  };
};

export const mappingSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  /** Currency every amount is converted to (default: the most common currency of the opportunities). */
  reporting_currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'a three-letter currency code')
    .optional(),
  /** Rates file in the source folder (currency, rate_to_reporting, optional valid_from). */
  currency_rates: z.string().optional(),
  /** Share of an entity's rows that may be rejected before the load fails; for exports known to be patchy. */
  max_reject_share: z.number().min(0).max(1).optional(),
  /** Text encoding of the CSV files: utf-8 (default), latin-1, or utf-16 (also recognised by its byte-order mark). */
  encoding: z.enum(ENCODINGS).optional(),
  /** Salesforce ids: 18-character ids are cut to their 15-character form, so that report (15) and API (18) exports join. */
  salesforce_ids: z.literal(true).optional(),
  /** Where the CRM's stage list is; without one, stages are inferred from the deals (pipeline/load/mapping/stage-list.ts). */
  stages: stageList.optional(),
  entities: z.partialRecord(
    z.enum(ENTITY_NAMES as [EntityName, ...EntityName[]]),
    z.union([source, z.array(source).min(1)]),
  ),
  /** Export columns beyond the contract (custom attributes) by name: known when the deal is created, or only once it closes (overrules the leakage guard). */
  known_at: z.record(z.string(), z.enum(['creation', 'close'])).optional(),
});

export type SourceDefinition = z.infer<typeof source> & { columns: Record<string, ColumnRule> };
export interface Mapping {
  name: string;
  description?: string;
  reporting_currency?: string;
  currency_rates?: string;
  max_reject_share?: number;
  encoding?: Encoding;
  salesforce_ids?: true;
  stages?: StageListDefinition;
  entities: Partial<Record<EntityName, SourceDefinition[]>>;
  known_at?: Record<string, 'creation' | 'close'>;
}

/** Checks a parsed mapping (from a file or a built-in layout) and normalises it; `origin` names it in errors. */
export function parseMapping(raw: unknown, origin: string): Mapping {
  checkNesting(raw, origin);
  const result = mappingSchema.safeParse(raw);
  if (!result.success) {
    // A misspelt field also shows as a missing one: name the misspelling first.
    const issue = result.error.issues.find((i) => i.code === 'unrecognized_keys') ?? result.error.issues[0]!;
    const missing = issue.code === 'invalid_type' && issue.message.endsWith('received undefined');
    const where = issue.path.length > 0 && !missing ? ` at ${formatPath(issue.path)}` : '';
    const message =
      issue.code === 'unrecognized_keys'
        ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`
        : missing
          ? `missing field '${formatPath(issue.path)}'`
          : issue.message;
    throw new WuweiError('bad_input', `${origin}: ${message}${where}`);
  }
  const entities: Mapping['entities'] = {};
  for (const [entity, sources] of Object.entries(result.data.entities) as [EntityName, unknown][]) {
    const list = (Array.isArray(sources) ? sources : [sources]) as SourceDefinition[];
    const known = Object.keys(SCHEMA[entity].columns);
    list.forEach((s, i) => {
      for (const column of Object.keys(s.columns)) {
        if (!known.includes(column)) {
          throw new WuweiError(
            'bad_input',
            `${origin}: unknown canonical column '${column}' at entities.${entity}[${i}].columns (${entity} has: ${known.join(', ')})`,
          );
        }
      }
      for (const [column, rule] of Object.entries(s.columns))
        checkRule(rule, `${origin}: entities.${entity}[${i}].columns.${column}`);
    });
    entities[entity] = list;
  }
  const { entities: _ignored, ...rest } = result.data;
  return { ...rest, entities } as Mapping;
}

/** No mapping needs `first_of` inside `first_of` this deep; checking it first keeps a hostile one from exhausting the stack. */
const MAX_NESTING = 32;

/** Stops on a mapping nested deeper than MAX_NESTING, without recursion, naming where. */
function checkNesting(raw: unknown, origin: string): void {
  const stack: { value: unknown; path: PropertyKey[] }[] = [{ value: raw, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (path.length > MAX_NESTING) {
      throw new WuweiError(
        'bad_input',
        `${origin}: nested more than ${MAX_NESTING} levels deep at ${formatPath(path.slice(0, 6))}…: flatten the first_of rules`,
      );
    }
    for (const [key, inner] of Object.entries(value))
      stack.push({ value: inner, path: [...path, Array.isArray(value) ? Number(key) : key] });
  }
}

function checkRule(rule: ColumnRule, where: string): void {
  if (typeof rule === 'string' || Array.isArray(rule)) return;
  const kinds = [
    rule.column !== undefined,
    rule.value !== undefined,
    rule.first_of !== undefined,
    rule.join !== undefined,
  ].filter(Boolean).length;
  if (kinds !== 1)
    throw new WuweiError('bad_input', `${where}: give exactly one of 'column', 'value', 'first_of' or 'join'`);
  for (const [i, inner] of (rule.first_of ?? []).entries()) checkRule(inner, `${where}.first_of[${i}]`);
}

/** Reads a mapping file (.yaml, .yml or .json). */
export function readMappingFile(path: string): Mapping {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new WuweiError(
      'missing_input',
      `${path}: cannot read the mapping file (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      { cause: error },
    );
  }
  let raw: unknown;
  try {
    raw = extname(path).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new WuweiError(
      'bad_input',
      `${path}: not valid ${extname(path).toLowerCase() === '.json' ? 'JSON' : 'YAML'}: ${String((error as Error).message).split('\n')[0]}`,
      { cause: error },
    );
  }
  return parseMapping(raw, path);
}

function formatPath(path: PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}
