/**
 * Which columns of a feature table the models use, by a simple rule so that new columns need no
 * code: the catalog's features (pipeline/features/catalog.ts) that the table has; the CRM's `stage`
 * (and any of CATEGORICAL_COLUMNS) as a categorical feature; and every column whose name starts with `custom_` (custom attributes
 * from the export), numeric ones as numeric features and text ones as categorical. Deal attributes
 * such as segment or product line are used as categorical features when the table has them.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteLiteral } from '../base/db.ts';
import { readColumns } from '../base/columns.ts';

export const CUSTOM_PREFIX = 'custom_';
/** Text columns that are features in their own right (one-hot encoded) wherever a feature table carries them. */
export const CATEGORICAL_COLUMNS = [
  'stage',
  'segment',
  'product_line',
  'lead_source',
  'type',
  'industry',
  'region',
] as const;

export interface FeatureColumnSpec {
  numeric: string[];
  categorical: string[];
}

const NUMERIC_TYPES =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL.*|BOOLEAN)$/;
const TEXT_TYPES = /^(VARCHAR|ENUM.*)$/;

export async function featureColumnsOf(
  conn: DuckDBConnection,
  table: string,
  catalogFeatures: readonly string[],
): Promise<FeatureColumnSpec> {
  const { columns } = await readColumns(
    conn,
    `SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ${quoteLiteral(table)} ORDER BY column_index`,
    { column_name: 'text', data_type: 'text' },
  );
  const types = new Map(columns.column_name.map((name, i) => [name!, columns.data_type[i] ?? '']));
  const numeric = catalogFeatures.filter((name) => types.has(name));
  const categorical: string[] = CATEGORICAL_COLUMNS.filter((name) => types.has(name));
  for (const [name, type] of types) {
    if (!name.startsWith(CUSTOM_PREFIX)) continue;
    if (NUMERIC_TYPES.test(type)) numeric.push(name);
    else if (TEXT_TYPES.test(type)) categorical.push(name);
  }
  return { numeric, categorical };
}
