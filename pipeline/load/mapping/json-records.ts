/**
 * JSON as CRM APIs write it, turned into flat records DuckDB reads as one row each:
 * - envelopes: a Dataverse Web API page (`{"@odata.context": ..., "value": [...]}`), a HubSpot
 *   CRM API page (`{"results": [...], "paging": ...}`), a plain array, or newline-delimited records;
 * - HubSpot's property bag: the keys under `properties` become columns of their own names;
 * - Dataverse lookups: `_parentaccountid_value` becomes `parentaccountid` (the name Synapse Link and
 *   the Excel export use), its formatted-value annotation `parentaccountidname` and the table it
 *   points at `parentaccountidtype` (Microsoft.Dynamics.CRM.lookuplogicalname); other `@odata`
 *   and annotation keys are dropped;
 * - other nested objects become dotted names (`metadata.probability`); a list of values, or of
 *   objects (`associations.companies.results` -> `associations.companies.results.id`), becomes one
 *   `;`-separated text, as the vendors' own CSV exports write multi-valued fields.
 * With `unnest`, each element of that array field is a record, its parent's fields prefixed `parent.`
 * (HubSpot's pipelines: one row per stage, with its pipeline's id and label); for an object of arrays
 * (HubSpot's propertiesWithHistory), each element with its key as `property`. The path may be dotted
 * and pass through a string holding JSON (Dataverse audit's `changedata.changedAttributes`).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { WuweiError } from '../../base/errors.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Flat = Record<string, string | number | boolean | null>;

const ENVELOPE_KEYS = ['value', 'results', 'data', 'records'];
const FORMATTED = '@OData.Community.Display.V1.FormattedValue';
const LOGICAL_NAME = '@Microsoft.Dynamics.CRM.lookuplogicalname';

/** The records of a JSON or NDJSON file, flat. */
export function jsonRecords(path: string, options: { unnest?: string } = {}): Flat[] {
  const text = readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
  let records: Json[];
  try {
    records =
      text.trimStart().startsWith('[') || (text.trimStart().startsWith('{') && !isNdjson(text))
        ? envelope(JSON.parse(text) as Json)
        : ndjson(text);
  } catch (error) {
    throw new WuweiError('bad_input', `${path}: not valid JSON: ${(error as Error).message.split('\n')[0]}`, {
      cause: error,
    });
  }
  const objects = records.filter((r): r is { [key: string]: Json } => isObject(r));
  if (!options.unnest) return objects.map((r) => flatten(r));
  const root = options.unnest.split('.')[0]!;
  return objects.flatMap((parent) => {
    const children = at(parent, options.unnest!);
    const prefix = Object.fromEntries(
      Object.entries(flatten(parent))
        .filter(([k]) => !k.startsWith(`${root}.`) && k !== root)
        .map(([k, v]) => [`parent.${k}`, v]),
    );
    if (Array.isArray(children)) return children.filter(isObject).map((child) => ({ ...prefix, ...flatten(child) }));
    // An object of lists (HubSpot's propertiesWithHistory: property -> its versions): one row per version, with `property`.
    if (isObject(children)) {
      return Object.entries(children).flatMap(([property, list]) =>
        Array.isArray(list) ? list.filter(isObject).map((child) => ({ ...prefix, property, ...flatten(child) })) : [],
      );
    }
    return [];
  });
}

/** Writes the flat records as NDJSON in a scratch folder (removed when the process exits) and returns its path. */
export function flattenedJsonFile(path: string, options: { unnest?: string } = {}): string {
  const records = jsonRecords(path, options);
  const dir = scratchDir();
  const out = join(
    dir,
    `${basename(path)}${options.unnest ? `.${options.unnest}` : ''}.${Date.now()}.${Math.random().toString(36).slice(2)}.ndjson`,
  );
  // Every column in every record, so that DuckDB sees the same columns whichever records it samples.
  const columns = [...new Set(records.flatMap((r) => Object.keys(r)))];
  const lines = records.map((r) => JSON.stringify(Object.fromEntries(columns.map((c) => [c, r[c] ?? null]))));
  writeFileSync(out, lines.length > 0 ? `${lines.join('\n')}\n` : '');
  return out;
}

let scratch: string | undefined;
export function scratchDir(): string {
  if (!scratch) {
    const dir = mkdtempSync(join(tmpdir(), 'wuwei-json-'));
    scratch = dir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return scratch;
}

/** The value at a dotted path; a string on the way that holds JSON is read as JSON (Dataverse's audit changedata). */
function at(record: { [key: string]: Json }, path: string): Json | undefined {
  let value: Json | undefined = record;
  for (const key of path.split('.')) {
    if (typeof value === 'string' && /^\s*[[{]/.test(value)) {
      try {
        value = JSON.parse(value) as Json;
      } catch {
        return undefined;
      }
    }
    value = isObject(value) ? value[key] : undefined;
  }
  return value;
}

function isNdjson(text: string): boolean {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  return lines.length > 1 && lines.every((l) => l.trimStart().startsWith('{') && l.trimEnd().endsWith('}'));
}

function ndjson(text: string): Json[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Json);
}

/** The records inside a page envelope, or the value itself. */
function envelope(value: Json): Json[] {
  if (Array.isArray(value)) return value;
  if (isObject(value)) {
    const key = ENVELOPE_KEYS.find((k) => Array.isArray(value[k]));
    return key ? (value[key] as Json[]) : [value];
  }
  return [];
}

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function flatten(record: { [key: string]: Json }): Flat {
  const out: Flat = {};
  const put = (key: string, value: Flat[string]) => {
    if (!(key in out)) out[key] = value;
  };
  // HubSpot's properties first: a record's own `id` and the like then keep their names too.
  const properties = record.properties;
  const entries = Object.entries(record).filter(([k]) => k !== 'properties');
  for (const [key, value] of entries) visit(key, value);
  if (isObject(properties)) for (const [key, value] of Object.entries(properties)) visit(key, value);
  return out;

  function visit(key: string, value: Json): void {
    if (key.endsWith(FORMATTED)) {
      const lookup = /^_(.+)_value$/.exec(key.slice(0, -FORMATTED.length));
      if (lookup) put(`${lookup[1]}name`, scalar(value));
      return;
    }
    if (key.endsWith(LOGICAL_NAME)) {
      // The table a polymorphic lookup points at (activityparty's party: systemuser or contact).
      const lookup = /^_(.+)_value$/.exec(key.slice(0, -LOGICAL_NAME.length));
      if (lookup) put(`${lookup[1]}type`, scalar(value));
      return;
    }
    if (key.includes('@')) return; // @odata.etag, @odata.context and other annotations
    const lookup = /^_(.+)_value$/.exec(key);
    if (lookup) {
      put(lookup[1]!, scalar(value));
      return;
    }
    if (isObject(value)) {
      for (const [inner, v] of Object.entries(value)) visit(`${key}.${inner}`, v);
      return;
    }
    if (Array.isArray(value)) {
      if (value.every((v) => !isObject(v))) {
        put(key, value.length > 0 ? value.map((v) => String(scalar(v) ?? '')).join(';') : null);
        return;
      }
      const fields = [...new Set(value.filter(isObject).flatMap((v) => Object.keys(v)))];
      for (const field of fields) {
        // Empty entries are left out: HubSpot lists an unlabelled association type beside a labelled one.
        const values = value
          .filter(isObject)
          .map((v) => scalar(v[field] ?? null))
          .filter((v) => v !== null && v !== '');
        put(`${key}.${field}`, values.length > 0 ? values.map(String).join(';') : null);
      }
      return;
    }
    put(key, scalar(value));
  }
}

function scalar(value: Json | undefined): string | number | boolean | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'object') return JSON.stringify(value);
  return value;
}
