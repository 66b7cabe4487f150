/**
 * The table contract: every persistent table (and view) Wuwei keeps in its DuckDB file, declared
 * once with its columns, types, owning stage, key, personal-data flags and meaning. The loaded
 * entities come from the export contract (pipeline/load/schema.ts), the stages' tables from
 * ./output-tables.ts, and the feature tables hold one DOUBLE column per feature of the catalog
 * (pipeline/features/catalog.ts, passed in by the caller): nothing is written twice.
 * docs/data-contract.md is rendered from it, and a test runs the real stages and fails when one
 * writes a table not declared or a declared column is missing or of another type.
 */
import { queryRows, quoteIdent, tableExists, type DuckDBConnection } from '../base/db.ts';
import { ENTITY_NAMES, SCHEMA, type ColumnSpec } from '../load/schema.ts';
import { OUTPUT_TABLES } from './output-tables.ts';
import { col, type TableColumn, type TableSpec } from './table-spec.ts';

export type { OwningStage, TableColumn, TableColumnType, TableSpec } from './table-spec.ts';

/** Columns of the loaded entities that hold people's names or e-mail addresses. */
const PERSONAL_ENTITY_COLUMNS: Record<string, string[]> = {
  users: ['name'],
  contacts: ['first_name', 'last_name', 'email'],
};

function entityColumns(entity: (typeof ENTITY_NAMES)[number]): TableColumn[] {
  return (Object.entries(SCHEMA[entity].columns) as [string, ColumnSpec][]).map(([name, spec]) =>
    col(name, spec.type, spec.description, PERSONAL_ENTITY_COLUMNS[entity]?.includes(name) ?? false),
  );
}

const ENTITY_TABLES: TableSpec[] = ENTITY_NAMES.map((entity) => ({
  name: entity,
  stage: 'load',
  kind: 'table',
  description: `${SCHEMA[entity].description} The export's \`${SCHEMA[entity].file}\` file, typed and validated.`,
  key: SCHEMA[entity].key,
  columns: entityColumns(entity),
}));

/** Every persistent table and view, in the order of the flow. */
export const TABLES: readonly TableSpec[] = [
  ...ENTITY_TABLES,
  {
    name: 'snapshot_opportunities',
    stage: 'load',
    kind: 'table',
    key: ['as_of', 'opportunity_id'],
    description: 'The deals of every loaded snapshot, from which history is derived when the export has none.',
    columns: [col('as_of', 'DATE', "The snapshot's as-of date."), ...entityColumns('opportunities')],
  },
  ...OUTPUT_TABLES,
];

const BY_NAME = new Map(TABLES.map((table) => [table.name, table]));

/** A table's columns with the feature columns its declaration calls for (`featureNames`: the catalog's, in order). */
export function columnsWithFeatures(spec: TableSpec, featureNames: readonly string[]): TableColumn[] {
  if (!spec.featureColumns) return spec.columns;
  return [
    ...spec.columns,
    ...featureNames.map((name) => ({
      name,
      type: 'DOUBLE' as const,
      description: 'A feature (docs/features.md).',
      feature: true,
    })),
  ];
}

/**
 * Where the database breaks the contract: a persistent table or view not declared, a declared
 * column missing or of another type, or a column the declaration does not allow. Empty when it holds.
 * `featureNames` are the catalog's features, the columns of the feature tables beyond the declared ones.
 */
export async function contractViolations(conn: DuckDBConnection, featureNames: readonly string[]): Promise<string[]> {
  const found = await queryRows<{ name: string; kind: string }>(
    conn,
    `SELECT table_name AS name, 'table' AS kind FROM duckdb_tables() WHERE NOT temporary AND schema_name = 'main'
     UNION ALL
     SELECT view_name, 'view' FROM duckdb_views() WHERE NOT temporary AND NOT internal AND schema_name = 'main'
     ORDER BY name`,
  );
  const problems: string[] = [];
  for (const { name, kind } of found) {
    const spec = BY_NAME.get(name);
    if (!spec) {
      problems.push(`${kind} ${name} is not declared`);
      continue;
    }
    if (spec.kind !== kind) problems.push(`${name} is a ${kind}, declared a ${spec.kind}`);
    const actual = new Map(
      (
        await queryRows<{ name: string; type: string }>(
          conn,
          `SELECT column_name AS name, data_type AS type FROM duckdb_columns()
         WHERE table_name = $1 AND database_name = current_database() AND schema_name = 'main'`,
          [name],
        )
      ).map((column) => [column.name, column.type]),
    );
    const columns = columnsWithFeatures(spec, featureNames);
    for (const column of columns) {
      const type = actual.get(column.name);
      if (type === undefined) problems.push(`${name}.${column.name} is missing`);
      else if (type !== column.type) problems.push(`${name}.${column.name} is ${type}, declared ${column.type}`);
    }
    if (spec.extraColumns === undefined) {
      const declared = new Set(columns.map((column) => column.name));
      for (const column of actual.keys()) if (!declared.has(column)) problems.push(`${name}.${column} is not declared`);
    }
  }
  return problems;
}

/** Declared keys that the data breaks: `table (key): n duplicated` for each table where some key value repeats. */
export async function keyViolations(conn: DuckDBConnection): Promise<string[]> {
  const problems: string[] = [];
  for (const table of TABLES) {
    if (table.key.length === 0 || !(await tableExists(conn, table.name))) continue;
    const key = table.key.map(quoteIdent).join(', ');
    const [row] = await queryRows<{ n: number }>(
      conn,
      `SELECT count(*)::INTEGER AS n
       FROM (SELECT ${key} FROM ${quoteIdent(table.name)} GROUP BY ALL HAVING count(*) > 1)`,
    );
    if (row!.n > 0) problems.push(`${table.name} (${table.key.join(', ')}): ${row!.n} key values repeat`);
  }
  return problems;
}
