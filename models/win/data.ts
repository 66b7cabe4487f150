/**
 * Rows to columns: reads a feature table (`features_train` / `features_score`, see the contract)
 * into typed arrays, one per column, ordered so that the same table always gives the same arrays.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdent } from '../../pipeline/db.ts';
import { WuweiError } from '../../pipeline/errors.ts';
import { readColumns, tableColumns, tableExists } from '../columns.ts';

export interface Observations {
  rowCount: number;
  opportunityIds: string[];
  /** One Float32Array per feature, in `featureNames` order; NULL is NaN. */
  features: Float32Array[];
  featureNames: string[];
}

export interface ClosedObservations extends Observations {
  /** 1 won, 0 lost. */
  labels: Float32Array;
  /** final_close_date as days since 1970-01-01: the clock of the time split. */
  closeDays: Float64Array;
  /** The CRM's stage probability (the baseline); NULL is NaN. */
  stageProbability: Float32Array;
}

/** Closed-deal observations with a label and a close date, oldest close first. */
export async function readClosedObservations(conn: DuckDBConnection, table: string, featureNames: readonly string[]): Promise<ClosedObservations> {
  await checkTable(conn, table, ['opportunity_id', 'as_of', 'label_won', 'final_close_date', 'stage_probability', ...featureNames]);
  const { rowCount, columns } = await readColumns(
    conn,
    `SELECT
        opportunity_id,
        label_won::DOUBLE AS label_won,
        date_diff('day', DATE '1970-01-01', final_close_date)::DOUBLE AS close_day,
        stage_probability::DOUBLE AS stage_probability,
        ${featureSelect(featureNames)}
    FROM ${quoteIdent(table)}
    WHERE label_won IS NOT NULL AND final_close_date IS NOT NULL
    ORDER BY final_close_date, opportunity_id, as_of`,
    { opportunity_id: 'text', label_won: 'float32', close_day: 'float64', stage_probability: 'float32', ...featureSchema(featureNames) },
  );
  return {
    rowCount,
    opportunityIds: columns.opportunity_id as string[],
    labels: columns.label_won,
    closeDays: columns.close_day,
    stageProbability: columns.stage_probability,
    features: featureColumns(columns, featureNames.length),
    featureNames: [...featureNames],
  };
}

/** Observations to score (any label), ordered by opportunity and date. */
export async function readObservations(conn: DuckDBConnection, table: string, featureNames: readonly string[]): Promise<Observations> {
  await checkTable(conn, table, ['opportunity_id', 'as_of', ...featureNames]);
  const { rowCount, columns } = await readColumns(
    conn,
    `SELECT opportunity_id, ${featureSelect(featureNames)} FROM ${quoteIdent(table)} ORDER BY opportunity_id, as_of`,
    { opportunity_id: 'text', ...featureSchema(featureNames) },
  );
  return {
    rowCount,
    opportunityIds: columns.opportunity_id as string[],
    features: featureColumns(columns, featureNames.length),
    featureNames: [...featureNames],
  };
}

// Features are aliased f0, f1, ... so that any column name (quotes, case, clashes with our own aliases) reads back safely.
function featureSelect(featureNames: readonly string[]): string {
  return featureNames.map((name, j) => `${quoteIdent(name)}::DOUBLE AS f${j}`).join(',\n        ');
}

function featureSchema(featureNames: readonly string[]): Record<string, 'float32'> {
  return Object.fromEntries(featureNames.map((_, j) => [`f${j}`, 'float32' as const]));
}

function featureColumns(columns: object, count: number): Float32Array[] {
  const byName = columns as Record<string, Float32Array>;
  return Array.from({ length: count }, (_, j) => byName[`f${j}`]!);
}

async function checkTable(conn: DuckDBConnection, table: string, needed: readonly string[]): Promise<void> {
  if (!(await tableExists(conn, table))) {
    throw new WuweiError('not_enough_data', `table ${table} does not exist: build the features first (\`wuwei features\`)`);
  }
  const present = new Set(await tableColumns(conn, table));
  const missing = needed.filter((name) => !present.has(name));
  if (missing.length > 0) throw new WuweiError('bad_input', `table ${table} lacks column(s) ${missing.join(', ')}`);
}
