/**
 * Custom attributes: columns on opportunities and accounts that are not in the contract. They are
 * kept for the rows that loaded, written once, as text:
 *   - `opportunity_custom_text`, `account_custom_text` (wide, one row per record): every value as the
 *     export had it (trimmed, empty as NULL), nothing lost;
 *   - `custom_attribute_columns`: the registry (entity, source name, feature name, type, numeric or not);
 * and read through views over them:
 *   - `opportunity_custom_attributes`, `account_custom_attributes`: the same rows, each column typed as
 *     DuckDB inferred it (a value that does not fit the type is NULL there, and kept as text);
 *   - `custom_attributes` (long: entity, record_id, name, type, value): one row per value;
 *   - `opportunity_custom_features`: opportunity_id plus every numeric or yes/no attribute of the
 *     deal and of its account as DOUBLE, named `custom_<name>` / `custom_account_<name>`: what models read.
 * The long form was a table: for a wide export (2,000 deals by 5,000 columns) writing its 10M rows took
 * a third of the load, while nothing in the pipeline reads it. They are the values at export time, not
 * point in time: see docs/data-contract.md.
 */
import { dropRelation, quoteIdent, quoteLiteral, type DuckDBConnection } from '../base/db.ts';
import { SCHEMA } from './schema.ts';
import type { CustomColumn, StagedEntity } from './mapping/stage.ts';

type CustomEntity = 'opportunities' | 'accounts';
const TEXT_TABLES = { opportunities: 'opportunity_custom_text', accounts: 'account_custom_text' } as const;
const TYPED_VIEWS = { opportunities: 'opportunity_custom_attributes', accounts: 'account_custom_attributes' } as const;
const FEATURE_PREFIX = { opportunities: 'custom_', accounts: 'custom_account_' } as const;
const LONG_VIEW = 'custom_attributes';

export async function storeCustomAttributes(
  conn: DuckDBConnection,
  staged: { opportunities?: StagedEntity; accounts?: StagedEntity },
): Promise<{ opportunities: string[]; accounts: string[] }> {
  // Databases loaded before these were views hold tables of the same names.
  for (const name of [LONG_VIEW, ...Object.values(TYPED_VIEWS)]) await dropRelation(conn, name);
  await conn.run(
    `CREATE OR REPLACE TABLE custom_attribute_columns (entity VARCHAR, name VARCHAR, feature_name VARCHAR, type VARCHAR, is_numeric BOOLEAN)`,
  );
  const result = { opportunities: [] as string[], accounts: [] as string[] };
  const longParts: string[] = [];
  for (const entity of ['opportunities', 'accounts'] as const) {
    const stage = staged[entity];
    const custom = stage?.custom ?? [];
    await storeText(conn, entity, stage, custom);
    await createTypedView(conn, entity, custom);
    if (custom.length === 0) continue;
    const names = featureNames(
      custom.map((c) => c.name),
      FEATURE_PREFIX[entity],
    );
    const registry = custom.map(
      (c, i) =>
        `(${quoteLiteral(entity)}, ${quoteLiteral(c.name)}, ${quoteLiteral(names[i]!)}, ${quoteLiteral(c.type)}, ${isNumeric(c)})`,
    );
    await conn.run(`INSERT INTO custom_attribute_columns VALUES ${registry.join(', ')}`);
    longParts.push(longSql(entity, custom));
    result[entity].push(...custom.map((c) => c.name));
  }
  await conn.run(
    `CREATE VIEW ${LONG_VIEW} AS ${
      longParts.length > 0
        ? longParts.join(' UNION ALL ')
        : 'SELECT NULL::VARCHAR AS entity, NULL::VARCHAR AS record_id, NULL::VARCHAR AS name, NULL::VARCHAR AS type, NULL::VARCHAR AS value WHERE false'
    }`,
  );
  await createFeatureView(conn, {
    opportunities: staged.opportunities?.custom ?? [],
    accounts: staged.accounts?.custom ?? [],
  });
  return result;
}

/** The entity's custom columns as text, one row per loaded record, under the export's column names. */
async function storeText(
  conn: DuckDBConnection,
  entity: CustomEntity,
  stage: StagedEntity | undefined,
  custom: CustomColumn[],
): Promise<void> {
  const key = quoteIdent(SCHEMA[entity].key[0]!);
  const text = quoteIdent(TEXT_TABLES[entity]);
  if (!stage || custom.length === 0) {
    await conn.run(`CREATE OR REPLACE TABLE ${text} (${key} VARCHAR)`);
    return;
  }
  // The first row of each loaded record, as validation kept it (duplicates were rejected): chosen
  // on the key alone, then joined, so a wide export's columns are not carried through the window.
  await conn.run(`CREATE OR REPLACE TEMP TABLE __custom_rows AS
    SELECT __row FROM ${quoteIdent(stage.table)} WHERE nullif(trim(${key}), '') IN (SELECT ${key} FROM ${quoteIdent(entity)})
    QUALIFY row_number() OVER (PARTITION BY nullif(trim(${key}), '') ORDER BY __row) = 1`);
  const columns = custom.map((c) => `${quoteIdent(c.rawColumn)} AS ${quoteIdent(c.name)}`);
  await conn.run(`CREATE OR REPLACE TABLE ${text} AS
    SELECT trim(${key}) AS ${key}, ${columns.join(', ')}
    FROM ${quoteIdent(stage.table)} SEMI JOIN __custom_rows USING (__row) ORDER BY 1`);
  await conn.run(`DROP TABLE __custom_rows`);
}

/** The text columns typed as DuckDB inferred them: the rows models and analysts read. */
async function createTypedView(conn: DuckDBConnection, entity: CustomEntity, custom: CustomColumn[]): Promise<void> {
  const key = quoteIdent(SCHEMA[entity].key[0]!);
  const typed = custom.map((c) => `TRY_CAST(${quoteIdent(c.name)} AS ${c.type}) AS ${quoteIdent(c.name)}`);
  await conn.run(
    `CREATE VIEW ${quoteIdent(TYPED_VIEWS[entity])} AS SELECT ${[key, ...typed].join(', ')} FROM ${quoteIdent(TEXT_TABLES[entity])}`,
  );
}

/** One row per value (UNPIVOT leaves out the empty ones, NULL: nothing is there to keep), with its type. */
function longSql(entity: CustomEntity, custom: CustomColumn[]): string {
  const key = quoteIdent(SCHEMA[entity].key[0]!);
  const columns = custom.map((c) => quoteIdent(c.name)).join(', ');
  return `SELECT c.entity, u.record_id, u.name, c.type, u.value
    FROM (UNPIVOT (SELECT ${key} AS record_id, ${columns} FROM ${quoteIdent(TEXT_TABLES[entity])}) ON ${columns} INTO NAME name VALUE value) AS u
    JOIN custom_attribute_columns AS c ON c.entity = ${quoteLiteral(entity)} AND c.name = u.name`;
}

/** The numeric face of the custom attributes, one row per opportunity: what the models pick up. */
async function createFeatureView(
  conn: DuckDBConnection,
  custom: { opportunities: CustomColumn[]; accounts: CustomColumn[] },
): Promise<void> {
  const oppNames = featureNames(
    custom.opportunities.map((c) => c.name),
    FEATURE_PREFIX.opportunities,
  );
  const accNames = featureNames(
    custom.accounts.map((c) => c.name),
    FEATURE_PREFIX.accounts,
  );
  const columns = [
    ...custom.opportunities.flatMap((c, i) =>
      isNumeric(c) ? [`CAST(oca.${quoteIdent(c.name)} AS DOUBLE) AS ${quoteIdent(oppNames[i]!)}`] : [],
    ),
    ...custom.accounts.flatMap((c, i) =>
      isNumeric(c) ? [`CAST(aca.${quoteIdent(c.name)} AS DOUBLE) AS ${quoteIdent(accNames[i]!)}`] : [],
    ),
  ];
  await conn.run(`CREATE OR REPLACE VIEW opportunity_custom_features AS
    SELECT o.opportunity_id${columns.map((c) => `, ${c}`).join('')}
    FROM opportunities o
    LEFT JOIN opportunity_custom_attributes oca ON oca.opportunity_id = o.opportunity_id
    LEFT JOIN account_custom_attributes aca ON aca.account_id = o.account_id`);
}

function isNumeric(c: CustomColumn): boolean {
  return c.type === 'BIGINT' || c.type === 'DOUBLE' || c.type === 'BOOLEAN';
}

/** Feature names models can use as identifiers: lower case, [a-z0-9_], unique. */
export function featureNames(names: string[], prefix: string): string[] {
  const seen = new Set<string>();
  return names.map((name) => {
    const base = `${prefix}${
      name
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '_')
        .replace(/^_+|_+$/g, '') || 'attribute'
    }`;
    let candidate = base;
    for (let n = 2; seen.has(candidate); n++) candidate = `${base}_${n}`;
    seen.add(candidate);
    return candidate;
  });
}
