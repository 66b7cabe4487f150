/**
 * Custom attributes: columns on opportunities and accounts that are not in the contract. They are
 * kept, typed as DuckDB inferred them, for the rows that loaded:
 *   - `custom_attributes` (long: entity, record_id, name, type, value as text): every value, nothing lost;
 *   - `opportunity_custom_attributes`, `account_custom_attributes` (wide, typed, one row per record);
 *   - `custom_attribute_columns`: the registry (entity, source name, feature name, type, numeric or not);
 *   - view `opportunity_custom_features`: opportunity_id plus every numeric or yes/no attribute of the
 *     deal and of its account as DOUBLE, named `custom_<name>` / `custom_account_<name>`: what models read.
 * They are the values at export time, not point in time: see docs/data-contract.md.
 */
import { quoteIdent, quoteLiteral, type DuckDBConnection } from '../base/db.ts';
import { SCHEMA } from './schema.ts';
import type { CustomColumn, StagedEntity } from './mapping/stage.ts';

const WIDE_TABLES = { opportunities: 'opportunity_custom_attributes', accounts: 'account_custom_attributes' } as const;
const FEATURE_PREFIX = { opportunities: 'custom_', accounts: 'custom_account_' } as const;

export async function storeCustomAttributes(
  conn: DuckDBConnection,
  staged: { opportunities?: StagedEntity; accounts?: StagedEntity },
): Promise<{ opportunities: string[]; accounts: string[] }> {
  await conn.run(
    `CREATE OR REPLACE TABLE custom_attributes (entity VARCHAR, record_id VARCHAR, name VARCHAR, type VARCHAR, value VARCHAR)`,
  );
  await conn.run(
    `CREATE OR REPLACE TABLE custom_attribute_columns (entity VARCHAR, name VARCHAR, feature_name VARCHAR, type VARCHAR, is_numeric BOOLEAN)`,
  );
  const result = { opportunities: [] as string[], accounts: [] as string[] };
  for (const entity of ['opportunities', 'accounts'] as const) {
    const stage = staged[entity];
    const custom = stage?.custom ?? [];
    const key = quoteIdent(SCHEMA[entity].key[0]!);
    const wide = quoteIdent(WIDE_TABLES[entity]);
    // The first row of each loaded record, as validation kept it (duplicates were rejected): chosen
    // on the key alone, then joined, so a wide export's columns are not carried through the window.
    if (stage && custom.length > 0)
      await conn.run(`CREATE OR REPLACE TEMP TABLE __custom_rows AS
        SELECT __row FROM ${quoteIdent(stage.table)} WHERE nullif(trim(${key}), '') IN (SELECT ${key} FROM ${quoteIdent(entity)})
        QUALIFY row_number() OVER (PARTITION BY nullif(trim(${key}), '') ORDER BY __row) = 1`);
    const rows = stage ? `SELECT * FROM ${quoteIdent(stage.table)} SEMI JOIN __custom_rows USING (__row)` : null;
    const typed = custom.map((c) => `TRY_CAST(${quoteIdent(c.rawColumn)} AS ${c.type}) AS ${quoteIdent(c.name)}`);
    await conn.run(
      rows && custom.length > 0
        ? `CREATE OR REPLACE TABLE ${wide} AS SELECT trim(${key}) AS ${key}, ${typed.join(', ')} FROM (${rows}) ORDER BY 1`
        : `CREATE OR REPLACE TABLE ${wide} (${key} VARCHAR)`,
    );
    const names = featureNames(
      custom.map((c) => c.name),
      FEATURE_PREFIX[entity],
    );
    if (rows && custom.length > 0) {
      // One set-based statement per table, whatever the number of columns: time in proportion to the cells.
      const registry = custom.map(
        (c, i) =>
          `(${quoteLiteral(entity)}, ${quoteLiteral(c.name)}, ${quoteLiteral(names[i]!)}, ${quoteLiteral(c.type)}, ${isNumeric(c)}, ${quoteLiteral(c.rawColumn)})`,
      );
      await conn.run(
        `CREATE OR REPLACE TEMP TABLE __custom_columns AS SELECT * FROM (VALUES ${registry.join(', ')}) AS t(entity, name, feature_name, type, is_numeric, raw)`,
      );
      await conn.run(
        `INSERT INTO custom_attribute_columns SELECT entity, name, feature_name, type, is_numeric FROM __custom_columns`,
      );
      // Staged custom columns are text; UNPIVOT leaves out the empty ones (NULL), as nothing is there to keep.
      const raws = custom.map((c) => quoteIdent(c.rawColumn)).join(', ');
      await conn.run(`INSERT INTO custom_attributes
        SELECT c.entity, u.record_id, c.name, c.type, u.value
        FROM (UNPIVOT (SELECT trim(${key}) AS record_id, ${raws} FROM (${rows})) ON ${raws} INTO NAME raw VALUE value) AS u
        JOIN __custom_columns AS c USING (raw)`);
      await conn.run(`DROP TABLE __custom_columns`);
      await conn.run(`DROP TABLE __custom_rows`);
      result[entity].push(...custom.map((c) => c.name));
    }
  }
  await createFeatureView(conn, {
    opportunities: staged.opportunities?.custom ?? [],
    accounts: staged.accounts?.custom ?? [],
  });
  return result;
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
