/**
 * Rows to columns: reads a feature table (`features_train` / `features_score`, see the contract)
 * into typed arrays, one per column, ordered so that the same table always gives the same arrays.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows, quoteIdent } from '../../pipeline/base/db.ts';
import { WuweiError } from '../../pipeline/base/errors.ts';
import { readColumns } from '../../pipeline/base/columns.ts';
import { tableColumns, tableExists } from '../../pipeline/base/db.ts';

export interface Observations {
  rowCount: number;
  opportunityIds: string[];
  /** One Float32Array per numeric feature, in `featureNames` order; NULL is NaN. */
  features: Float32Array[];
  featureNames: string[];
  /** One array per categorical feature, in `categoricalNames` order; NULL is null. */
  categories: (string | null)[][];
  categoricalNames: string[];
  /** The CRM's view as of the observation: stage probability, rep amount, rep days to the expected close (NULL is NaN). */
  stageProbability: Float32Array;
  repAmount: Float32Array;
  repCloseDays: Float32Array;
  /** The export's own inputs (`custom_*`) the table lacks, read as missing (scoring only: see readObservations). */
  missingInputs?: string[];
}

export interface ClosedObservations extends Observations {
  /** 1 won, 0 lost. */
  labels: Float32Array;
  /** final_close_date as days since 1970-01-01: the clock of the time split. */
  closeDays: Float64Array;
  /** Days from the observation's as_of to the final close. */
  daysToClose: Float32Array;
  /** The amount the deal closed at (NaN when unknown). */
  finalAmount: Float32Array;
}

export interface FeatureSelection {
  numeric: readonly string[];
  categorical?: readonly string[];
}

export interface HistorySample {
  /** Closed deals in the table. */
  closedDeals: number;
  /** Closed deals read: all of them, or `maxDeals` drawn by a hash of their id. */
  sampledDeals: number;
}

/**
 * Closed-deal observations with a label and a close date, oldest close first. With `maxDeals`, a
 * longer history is sampled by deal (every observation of a drawn deal, none of the others): the
 * draw is by an MD5 of the id, so it is the same every night, spans the whole history evenly, and
 * bounds the memory training needs whatever the export's size.
 */
export async function readClosedObservations(
  conn: DuckDBConnection,
  table: string,
  features: readonly string[] | FeatureSelection,
  options: { maxDeals?: number } = {},
): Promise<ClosedObservations & { sample: HistorySample }> {
  const selection = asSelection(features);
  const present = await checkTable(conn, table, [
    'opportunity_id',
    'as_of',
    'label_won',
    'final_close_date',
    'stage_probability',
    ...selection.numeric,
    ...(selection.categorical ?? []),
  ]);
  const finalAmount = present.has('final_amount') ? 'final_amount::DOUBLE' : 'NULL::DOUBLE';
  const closed = `FROM ${quoteIdent(table)} WHERE label_won IS NOT NULL AND final_close_date IS NOT NULL`;
  const [{ deals: closedDeals }] = (await queryRows<{ deals: number }>(
    conn,
    `SELECT count(DISTINCT opportunity_id)::INTEGER AS deals ${closed}`,
  )) as [{ deals: number }];
  const maxDeals = options.maxDeals ?? Number.POSITIVE_INFINITY;
  const sampled = closedDeals > maxDeals;
  const drawn = sampled
    ? `AND opportunity_id IN (SELECT opportunity_id FROM (SELECT DISTINCT opportunity_id ${closed}) ORDER BY md5(opportunity_id), opportunity_id LIMIT ${Math.trunc(maxDeals)})`
    : '';
  const { rowCount, columns } = await readColumns(
    conn,
    `SELECT
        opportunity_id,
        label_won::DOUBLE AS label_won,
        date_diff('day', DATE '1970-01-01', final_close_date)::DOUBLE AS close_day,
        date_diff('day', as_of, final_close_date)::DOUBLE AS days_to_close,
        ${finalAmount} AS final_amount,
        ${crmSelect(present)},
        ${featureSelect(selection)}
    ${closed} ${drawn}
    ORDER BY final_close_date, opportunity_id, as_of`,
    {
      opportunity_id: 'text',
      label_won: 'float32',
      close_day: 'float64',
      days_to_close: 'float32',
      final_amount: 'float32',
      ...crmSchema,
      ...featureSchema(selection),
    },
  );
  return {
    ...observationsOf(rowCount, columns, selection),
    labels: columns.label_won,
    closeDays: columns.close_day,
    daysToClose: columns.days_to_close,
    finalAmount: columns.final_amount,
    sample: { closedDeals, sampledDeals: sampled ? Math.trunc(maxDeals) : closedDeals },
  };
}

/** Observations to score (any label), ordered by opportunity and date. */
export async function readObservations(
  conn: DuckDBConnection,
  table: string,
  features: readonly string[] | FeatureSelection,
): Promise<Observations> {
  const selection = asSelection(features);
  // An export column the model was trained on that tonight's export no longer has (a CRM field
  // removed) is missing on every deal, as a value the export left empty is: the night still scores.
  const columnsNow = new Set((await tableExists(conn, table)) ? await tableColumns(conn, table) : []);
  const inputs = [...selection.numeric, ...(selection.categorical ?? [])];
  const missingInputs = inputs.filter((name) => name.startsWith('custom_') && !columnsNow.has(name));
  const present = await checkTable(conn, table, [
    'opportunity_id',
    'as_of',
    ...inputs.filter((name) => !missingInputs.includes(name)),
  ]);
  const { rowCount, columns } = await readColumns(
    conn,
    `SELECT opportunity_id, ${crmSelect(present)}, ${featureSelect(selection, present)} FROM ${quoteIdent(table)} ORDER BY opportunity_id, as_of`,
    { opportunity_id: 'text', ...crmSchema, ...featureSchema(selection) },
  );
  return { ...observationsOf(rowCount, columns, selection), ...(missingInputs.length > 0 ? { missingInputs } : {}) };
}

const crmSchema = { stage_probability: 'float32', rep_amount: 'float32', rep_close_days: 'float32' } as const;

/** The CRM's own columns, NULL where the table lacks them. */
function crmSelect(present: Set<string>): string {
  return [
    present.has('stage_probability')
      ? 'stage_probability::DOUBLE AS stage_probability'
      : 'NULL::DOUBLE AS stage_probability',
    present.has('amount') ? 'amount::DOUBLE AS rep_amount' : 'NULL::DOUBLE AS rep_amount',
    present.has('expected_close_date')
      ? `date_diff('day', as_of, expected_close_date)::DOUBLE AS rep_close_days`
      : 'NULL::DOUBLE AS rep_close_days',
  ].join(', ');
}

function observationsOf(rowCount: number, columns: object, selection: FeatureSelection): Observations {
  const byName = columns as Record<string, unknown>;
  const categorical = selection.categorical ?? [];
  return {
    rowCount,
    opportunityIds: byName['opportunity_id'] as string[],
    features: selection.numeric.map((_, j) => byName[`f${j}`] as Float32Array),
    featureNames: [...selection.numeric],
    categories: categorical.map((_, k) => byName[`c${k}`] as (string | null)[]),
    categoricalNames: [...categorical],
    stageProbability: byName['stage_probability'] as Float32Array,
    repAmount: byName['rep_amount'] as Float32Array,
    repCloseDays: byName['rep_close_days'] as Float32Array,
  };
}

function asSelection(features: readonly string[] | FeatureSelection): FeatureSelection {
  return Array.isArray(features)
    ? { numeric: features as readonly string[], categorical: [] }
    : (features as FeatureSelection);
}

// Features are aliased f0, f1, ... (text ones c0, c1, ...) so that any column name (quotes, case, clashes with our own aliases) reads back safely.
function featureSelect(selection: FeatureSelection, present?: Set<string>): string {
  const column = (name: string) => (present && !present.has(name) ? 'NULL' : quoteIdent(name));
  return [
    ...selection.numeric.map((name, j) => `${column(name)}::DOUBLE AS f${j}`),
    ...(selection.categorical ?? []).map((name, k) => `${column(name)}::VARCHAR AS c${k}`),
  ].join(',\n        ');
}

function featureSchema(selection: FeatureSelection): Record<string, 'float32' | 'text'> {
  return {
    ...Object.fromEntries(selection.numeric.map((_, j) => [`f${j}`, 'float32' as const])),
    ...Object.fromEntries((selection.categorical ?? []).map((_, k) => [`c${k}`, 'text' as const])),
  };
}

async function checkTable(conn: DuckDBConnection, table: string, needed: readonly string[]): Promise<Set<string>> {
  if (!(await tableExists(conn, table))) {
    throw new WuweiError(
      'not_enough_data',
      `table ${table} does not exist: build the features first (\`wuwei features\`)`,
    );
  }
  const present = new Set(await tableColumns(conn, table));
  const missing = needed.filter((name) => !present.has(name));
  if (missing.length > 0) throw new WuweiError('bad_input', `table ${table} lacks column(s) ${missing.join(', ')}`);
  return present;
}
