/**
 * Rebuilds one feature family in place: runs only the SQL models its columns depend on, with the
 * same as-of date, variables and seeds as the full build, and replaces only that family's columns
 * in the mart and in `features_train` / `features_score`. The analyst's loop: edit the family's SQL,
 * re-run, compare. The nightly `wuwei features` still rebuilds everything.
 */
import { queryRows, quoteIdent, quoteLiteral, rollback, type DuckDBConnection } from '../base/db.ts';
import { WuweiError } from '../base/errors.ts';
import { loadedAsOf } from '../load/index.ts';
import type { Logger } from '../base/log.ts';
import { createSeeds, findUnsupportedFeatures, setVariables } from './build.ts';
import { FAMILY_LABELS, type FeatureFamily } from './catalog.ts';
import { resolveFeatureConfig, type FeatureOptions } from './config.ts';
import { FEATURE_MART, familySlice } from './family-sql.ts';
import { readSqlModels } from './sql-models.ts';
import { tableExists } from '../base/db.ts';
import { featureColumnsOf } from './feature-columns.ts';

export interface FamilyRebuild {
  family: FeatureFamily | typeof EXPORT_FAMILY;
  label: string;
  asOf: string;
  features: string[];
  /** The staging and intermediate models that ran, in order. */
  models: string[];
  /** The family's features left NULL because an export they need is empty. */
  unsupported: string[];
  rows: { train: number; score: number };
  /** Where the time went: running the SQL models, computing the family's columns, writing them. */
  timings: { modelsSeconds: number; familySeconds: number; writeSeconds: number };
  seconds: number;
}

const FAMILY_TABLE = 'family_rebuild';

/**
 * `wuwei iterate --family custom`: the inputs that come from the export itself rather than the
 * catalog: its columns beyond the contract (`custom_*`, as the last full build decided them) and the
 * deal attributes (segment, industry, region, product line, lead source, type). Nothing is rebuilt:
 * they are read straight from the export, so the family is judged as the last build left it.
 */
export const EXPORT_FAMILY = 'custom';

export async function exportColumnsFamily(conn: DuckDBConnection): Promise<FamilyRebuild> {
  const start = performance.now();
  const asOf = await builtAsOf(conn);
  const inputs = await featureColumnsOf(conn, 'features_train', []);
  const features = [...inputs.numeric, ...inputs.categorical.filter((name) => name !== 'stage')];
  const [rows] = await queryRows<{ train: number; score: number }>(
    conn,
    `SELECT (SELECT count(*) FROM features_train)::INTEGER AS train, (SELECT count(*) FROM features_score)::INTEGER AS score`,
  );
  const seconds = (performance.now() - start) / 1000;
  return {
    family: EXPORT_FAMILY,
    label: 'Export columns and deal attributes',
    asOf,
    features,
    models: [],
    unsupported: [],
    rows: rows!,
    timings: { modelsSeconds: 0, familySeconds: 0, writeSeconds: 0 },
    seconds,
  };
}
const KEYS = 'opportunity_id, as_of';

export async function rebuildFamily(
  conn: DuckDBConnection,
  options: { family: FeatureFamily; config?: FeatureOptions; log: Logger },
): Promise<FamilyRebuild> {
  const start = performance.now();
  const config = resolveFeatureConfig(options.config);
  const slice = familySlice(options.family, readSqlModels());
  const asOf = await builtAsOf(conn);
  const maxTrainingDeals = await fullBuildTrainingSample(conn);
  const lap = stopwatch();

  // the same session state as buildFeatures: variables, then seeds, then the models in order
  await setVariables(conn, asOf, config, true, maxTrainingDeals);
  await createSeeds(conn, config);
  for (const model of slice.models) {
    try {
      await conn.run(`CREATE OR REPLACE TEMP TABLE ${quoteIdent(model.name)} AS ${model.sql}`);
    } catch (error) {
      throw new WuweiError('bad_input', `feature model ${model.layer}/${model.name}.sql failed: ${firstLines(error)}`, {
        cause: error,
      });
    }
  }
  const modelsSeconds = lap();
  try {
    // in key order, the order of features_train and features_score: the UPDATEs below then write
    // their rows in sequence whichever side of the join DuckDB builds (in any other order, ~20x slower at 100k)
    await conn.run(`CREATE OR REPLACE TEMP TABLE ${FAMILY_TABLE} AS SELECT * FROM (${slice.sql}) ORDER BY ${KEYS}`);
  } catch (error) {
    throw new WuweiError(
      'bad_input',
      `${FEATURE_MART}.sql, the ${options.family} columns, failed: ${firstLines(error)}`,
      { cause: error },
    );
  }
  await checkSameRows(conn);

  const familySeconds = lap();
  await checkColumnsExist(conn, slice.features);
  const missing = await findUnsupportedFeatures(conn);
  const unsupported = slice.features.filter((name) => name in missing);
  const assignments = (blank: boolean) =>
    slice.features
      .map(
        (name) =>
          `${quoteIdent(name)} = ${blank && unsupported.includes(name) ? 'NULL' : `${FAMILY_TABLE}.${quoteIdent(name)}`}`,
      )
      .join(', ');
  await conn.run('BEGIN TRANSACTION');
  try {
    // UPDATE writes only the family's columns (CREATE TABLE AS would copy every column).
    // The mart keeps every value, as the full build leaves it; the model tables blank unsupported features.
    for (const [table, blank] of [
      [FEATURE_MART, false],
      ['features_train', true],
      ['features_score', true],
    ] as const) {
      await conn.run(
        `UPDATE ${table} SET ${assignments(blank)} FROM ${FAMILY_TABLE} WHERE ${table}.opportunity_id = ${FAMILY_TABLE}.opportunity_id AND ${table}.as_of = ${FAMILY_TABLE}.as_of`,
      );
    }
    for (const name of slice.features) {
      const needs = missing[name] ?? [];
      await conn.run(
        `UPDATE feature_support SET supported = ${needs.length === 0}, missing_exports = [${needs.map(quoteLiteral).join(', ')}]::VARCHAR[] WHERE feature = ${quoteLiteral(name)}`,
      );
    }
    await conn.run('COMMIT');
  } catch (error) {
    await rollback(conn);
    throw error;
  }
  await conn.run(`DROP TABLE ${FAMILY_TABLE}`);
  const writeSeconds = lap();

  const [rows] = await queryRows<{ train: number; score: number }>(
    conn,
    `SELECT (SELECT count(*) FROM features_train)::INTEGER AS train, (SELECT count(*) FROM features_score)::INTEGER AS score`,
  );
  const summary: FamilyRebuild = {
    family: options.family,
    label: FAMILY_LABELS[options.family],
    asOf,
    features: slice.features,
    models: slice.models.map((model) => model.name),
    unsupported,
    rows: rows!,
    timings: { modelsSeconds, familySeconds, writeSeconds },
    seconds: (performance.now() - start) / 1000,
  };
  options.log.info(
    `${summary.label}: ${slice.features.length} features rebuilt as of ${asOf} from ${summary.models.length} SQL models (${summary.models.join(', ')}) in ${summary.seconds.toFixed(1)} s ` +
      `(models ${modelsSeconds.toFixed(1)} s, family columns ${familySeconds.toFixed(1)} s, writing them ${writeSeconds.toFixed(1)} s)`,
  );
  if (unsupported.length > 0)
    options.log.warn(`${summary.label}: ${unsupported.join(', ')} left empty (an export they need is empty)`);
  return summary;
}

/** The as-of date the feature tables were built for: that of the open deals' rows, else the loaded export's. */
async function builtAsOf(conn: DuckDBConnection): Promise<string> {
  const [built] = await queryRows<{ n: number }>(
    conn,
    `SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE table_name IN ('${FEATURE_MART}', 'features_train', 'features_score', 'feature_support') AND NOT temporary`,
  );
  if (built!.n < 4) throw new WuweiError('not_enough_data', 'no features built yet: run `wuwei features` first');
  const [score] = await queryRows<{ as_of: string | null; dates: number }>(
    conn,
    `SELECT strftime(min(as_of), '%Y-%m-%d') AS as_of, count(DISTINCT as_of)::INTEGER AS dates FROM features_score`,
  );
  if (score!.dates > 1) throw new Error('features_score holds more than one as-of date');
  return score!.as_of ?? (await loadedAsOf(conn));
}

/** The family's rows must be the mart's rows: otherwise the data or the as-of changed since the full build. */
async function checkSameRows(conn: DuckDBConnection): Promise<void> {
  const [check] = await queryRows<{ mart: number; family: number; distinct_keys: number; matched: number }>(
    conn,
    `SELECT (SELECT count(*) FROM ${FEATURE_MART})::INTEGER AS mart,
            (SELECT count(*) FROM ${FAMILY_TABLE})::INTEGER AS family,
            (SELECT count(*) FROM (SELECT DISTINCT ${KEYS} FROM ${FAMILY_TABLE}))::INTEGER AS distinct_keys,
            (SELECT count(*) FROM ${FEATURE_MART} JOIN ${FAMILY_TABLE} USING (${KEYS}))::INTEGER AS matched`,
  );
  if (check!.distinct_keys !== check!.family)
    throw new WuweiError(
      'bad_input',
      `${FEATURE_MART}.sql: the ${check!.family} rebuilt rows repeat an (opportunity_id, as_of): a join in the family's models is not one row per observation`,
    );
  if (check!.mart !== check!.family || check!.matched !== check!.mart) {
    throw new WuweiError(
      'bad_input',
      `the rebuilt family has ${check!.family} observations, the feature tables ${check!.mart} (${check!.matched} in both): the loaded data changed since the last full build, run \`wuwei features\` first`,
    );
  }
}

/** A feature new to the catalog has no column yet: only the full build adds columns. */
async function checkColumnsExist(conn: DuckDBConnection, features: string[]): Promise<void> {
  for (const table of [FEATURE_MART, 'features_train', 'features_score']) {
    const columns = new Set(
      (await queryRows<{ column_name: string }>(conn, `DESCRIBE ${table}`)).map((row) => row.column_name),
    );
    const absent = features.filter((name) => !columns.has(name));
    if (absent.length > 0)
      throw new WuweiError(
        'bad_input',
        `${table} has no column ${absent.join(', ')} yet: run \`wuwei features\` once to add new features`,
      );
  }
}

/** Seconds since the last call (or since it was made). */
function stopwatch(): () => number {
  let last = performance.now();
  return () => {
    const now = performance.now();
    const seconds = (now - last) / 1000;
    last = now;
    return seconds;
  };
}

function firstLines(error: unknown): string {
  return String(error instanceof Error ? error.message : error)
    .split('\n')
    .slice(0, 3)
    .join(' ');
}

/**
 * A night without retraining leaves the training table of an earlier date: a family rebuilt over
 * tonight's observations would not match it. Returns the training sample size the last full build drew.
 */
async function fullBuildTrainingSample(conn: DuckDBConnection): Promise<number | undefined> {
  if (!(await tableExists(conn, 'feature_build'))) return undefined;
  const [build] = await queryRows<{ training: boolean; max_training_deals: number }>(
    conn,
    'SELECT training, max_training_deals FROM feature_build',
  );
  if (build && !build.training)
    throw new WuweiError(
      'not_enough_data',
      'the last feature build was for scoring only (a night without retraining): run `wuwei features` first',
    );
  return build?.max_training_deals;
}
