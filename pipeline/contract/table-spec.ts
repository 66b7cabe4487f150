/**
 * How a table of the contract is declared and created. Stages create their tables through these
 * helpers from the declarations in ./output-tables.ts; ./tables.ts holds the whole contract.
 */
import { quoteIdent, type DuckDBConnection } from '../base/db.ts';

export type TableColumnType =
  | 'VARCHAR'
  | 'DOUBLE'
  | 'INTEGER'
  | 'BIGINT'
  | 'BOOLEAN'
  | 'DATE'
  | 'TIMESTAMP'
  | 'VARCHAR[]';

/** The stage whose code writes a table (the nightly flow: load -> features -> train -> score -> forecast). */
export type OwningStage = 'load' | 'features' | 'train' | 'score' | 'moves' | 'forecast' | 'backtest';

export interface TableColumn {
  name: string;
  type: TableColumnType;
  description: string;
  /** Names or e-mail addresses of people: never in a published report unless configured. */
  personal?: boolean;
  /** A feature of the catalog (docs/features.md documents it). */
  feature?: boolean;
}

export interface TableSpec {
  name: string;
  stage: OwningStage;
  kind: 'table' | 'view';
  description: string;
  /** Columns that identify a row (empty: none). */
  key: string[];
  columns: TableColumn[];
  /** Columns beyond the declared ones the table may hold, in words (e.g. one per custom attribute); absent: none. */
  extraColumns?: string;
  /** Followed by one DOUBLE column per feature of the catalog (see columnsWithFeatures in ./tables.ts). */
  featureColumns?: boolean;
}

export const col = (name: string, type: TableColumnType, description: string, personal = false): TableColumn => ({
  name,
  type,
  description,
  ...(personal ? { personal: true } : {}),
});

/** `CREATE TABLE` for a declared table, its columns in order (feature columns are the features build's to add). */
export function createTableSql(spec: TableSpec, mode: 'if not exists' | 'or replace' = 'if not exists'): string {
  const columns = spec.columns.map((column) => `${quoteIdent(column.name)} ${column.type}`).join(', ');
  const table = quoteIdent(spec.name);
  return mode === 'or replace'
    ? `CREATE OR REPLACE TABLE ${table} (${columns})`
    : `CREATE TABLE IF NOT EXISTS ${table} (${columns})`;
}

/**
 * Creates a declared table that keeps rows across runs, or migrates one an older version made:
 * the declared columns it lacks are added (empty for the old rows).
 */
export async function ensureTable(conn: DuckDBConnection, spec: TableSpec): Promise<void> {
  await conn.run(createTableSql(spec));
  for (const column of spec.columns) {
    await conn.run(
      `ALTER TABLE ${quoteIdent(spec.name)} ADD COLUMN IF NOT EXISTS ${quoteIdent(column.name)} ${column.type}`,
    );
  }
}
