import { requireIsoDate } from '../base/dates.ts';
import { queryRows, quoteIdent, quoteLiteral, type DuckDBConnection } from '../base/db.ts';
import { DEFAULTS } from '../config/config.ts';
import { WuweiError } from '../base/errors.ts';
import type { Logger } from '../base/log.ts';
import { outputTable } from '../contract/output-tables.ts';
import { createTableSql } from '../contract/table-spec.ts';
import { ENTITY_NAMES } from '../load/schema.ts';
import { FAMILY_LABELS, FEATURES, type FeatureFamily } from './catalog.ts';
import { resolveFeatureConfig, type FeatureConfig, type FeatureOptions } from './config.ts';
import { runDataTests } from './data-tests.ts';
import { readSqlModels, type SqlModel } from './sql-models.ts';
import { FEATURE_MART, familySlice } from './family-sql.ts';
import { addExportColumns, type ExportColumnSummary } from './export-columns.ts';
import { checkFeatureHealth } from './feature-health.ts';
import { checkTrainServeSkew, type SkewSummary } from './train-serve-skew.ts';
import { tableExists } from '../base/db.ts';

export interface FamilySummary {
  features: number;
  /** Features the export supports; the others are NULL in the marts. */
  supported: number;
}

export interface FeatureSummary {
  asOf: string;
  /** Whether `features_train` was rebuilt (false: scoring only, the training table is the last full build's). */
  training: boolean;
  trainingRows: number;
  trainingDeals: number;
  scoringRows: number;
  featuresPerFamily: Record<string, FamilySummary>;
  /** Families none of whose features the export supports, with the empty exports they need. */
  unsupportedFamilies: Record<string, string[]>;
  /** Features set to NULL (not zero) because an export they need is empty, with the empty exports. */
  unsupportedFeatures: Record<string, string[]>;
  /** Rows in `rel_who_knows_whom`: (our employee, contact) ties as of the date. */
  whoKnowsWhomTies: number;
  seconds: number;
  /** Seconds per SQL model, in the order they ran: where the feature build spends its time. */
  modelSeconds: Record<string, number>;
  /** Where observations' stage, amount and expected close came from (see int_deal_state.sql). */
  dealState: 'history' | 'flat export: amount as exported, no stage or expected close for any row';
  /** Closed deals of the training sample with no training observation (closed the day they were created). */
  closedDealsNotObserved: number;
  /** Columns of the export beyond the contract: used by the models, or left out and why. */
  exportColumns: ExportColumnSummary;
  /** Model inputs empty or constant on the training rows, with the export field each needs. */
  deadFeatures: Record<string, string>;
  /** Inputs distributed differently in training and scoring rows. */
  skew: SkewSummary;
}

/**
 * Builds the feature marts as of `asOf`: the SQL models run in dependency order (staging and
 * intermediate as temporary tables), then `features_train` (closed deals observed during their
 * life) and `features_score` (open deals at `asOf`) are split from the one mart. Features whose
 * exports are empty are set to NULL and listed in `feature_support`, so that no model mistakes a
 * missing export for a real zero.
 */
export async function buildFeatures(
  conn: DuckDBConnection,
  options: { asOf: string; config?: FeatureOptions; log: Logger; training?: boolean; maxTrainingDeals?: number },
): Promise<FeatureSummary> {
  const start = performance.now();
  const config = resolveFeatureConfig(options.config);
  // Without training observations the models run over the open deals only: a fraction of the work on a night that does not retrain.
  const training = options.training !== false || !(await tableExists(conn, 'features_train'));
  const maxTrainingDeals = options.maxTrainingDeals ?? DEFAULTS.models.maxTrainingDeals;
  await setVariables(conn, options.asOf, config, training, maxTrainingDeals);
  await createSeeds(conn, config);

  const modelSeconds: Record<string, number> = {};
  const models = readSqlModels();
  for (const model of models) {
    const kind = model.layer === 'marts' ? 'TABLE' : 'TEMP TABLE';
    const modelStart = performance.now();
    try {
      await conn.run(`CREATE OR REPLACE ${kind} ${quoteIdent(model.name)} AS ${model.sql}`);
      modelSeconds[model.name] = Math.round(performance.now() - modelStart) / 1000;
      options.log.debug?.(`feature model ${model.layer}/${model.name}: ${modelSeconds[model.name]!.toFixed(2)} s`);
    } catch (error) {
      throw await modelFailure(conn, model, error);
    }
  }
  await checkMartMatchesCatalog(conn);
  await runDataTests(
    conn,
    models.map((model) => model.name),
  );

  const unsupportedFeatures = await findUnsupportedFeatures(conn);
  const blanked = Object.keys(unsupportedFeatures).map((name) => `NULL::DOUBLE AS ${quoteIdent(name)}`);
  const replace = blanked.length > 0 ? ` REPLACE (${blanked.join(', ')})` : '';
  const keys = 'opportunity_id, as_of';
  for (const [table, purpose] of [
    ['features_train', 'train'],
    ['features_score', 'score'],
  ] as const) {
    if (purpose === 'train' && !training) continue;
    await conn.run(
      `CREATE OR REPLACE TABLE ${table} AS SELECT * EXCLUDE (purpose)${replace} FROM fct_opportunity_features WHERE purpose = '${purpose}' ORDER BY ${keys}`,
    );
  }
  const exportColumns = await addExportColumns(conn, { training, log: options.log });
  await writeFeatureSupport(conn, unsupportedFeatures);
  await recordBuild(conn, training, maxTrainingDeals);
  const supportedNames = FEATURES.filter((feature) => !(feature.name in unsupportedFeatures)).map(
    (feature) => feature.name,
  );
  const health = await checkFeatureHealth(conn, options.log);
  const skew = await checkTrainServeSkew(conn, supportedNames, options.log);
  const [state] = await queryRows<{ flat: boolean | null }>(
    conn,
    `SELECT bool_or(flat_history) AS flat FROM int_deal_state`,
  );
  if (state?.flat)
    options.log.warn(
      'the history does not show closed deals while they were open (a flat export): every observation, training and scoring, takes the amount as exported, and no stage or expected close',
    );

  const [counts] = await queryRows<{ train: number; deals: number; score: number; ties: number; closed: number }>(
    conn,
    `SELECT (SELECT count(*) FROM features_train)::INTEGER AS train,
            (SELECT count(DISTINCT opportunity_id) FROM features_train)::INTEGER AS deals,
            (SELECT count(*) FROM features_score)::INTEGER AS score,
            (SELECT count(*) FROM rel_who_knows_whom)::INTEGER AS ties,
            (SELECT least(closed_won + closed_lost, max_training_deals) FROM feature_build)::INTEGER AS closed`,
  );
  const featuresPerFamily: Record<string, FamilySummary> = {};
  const unsupportedFamilies: Record<string, string[]> = {};
  for (const family of Object.keys(FAMILY_LABELS) as FeatureFamily[]) {
    const features = FEATURES.filter((feature) => feature.family === family);
    const unsupported = features.filter((feature) => feature.name in unsupportedFeatures);
    featuresPerFamily[family] = { features: features.length, supported: features.length - unsupported.length };
    if (features.length > 0 && unsupported.length === features.length) {
      unsupportedFamilies[family] = [...new Set(unsupported.flatMap((feature) => unsupportedFeatures[feature.name]!))];
      options.log.warn(
        `${FAMILY_LABELS[family]}: cannot be computed without ${unsupportedFamilies[family]!.join(', ')} (its features are empty, not zero)`,
      );
    } else if (unsupported.length > 0) {
      options.log.warn(
        `${FAMILY_LABELS[family]}: ${unsupported.map((feature) => feature.name).join(', ')} left empty (no ${[...new Set(unsupported.flatMap((feature) => unsupportedFeatures[feature.name]!))].join(', ')})`,
      );
    }
  }
  const summary: FeatureSummary = {
    asOf: options.asOf,
    training,
    trainingRows: counts!.train,
    trainingDeals: counts!.deals,
    scoringRows: counts!.score,
    featuresPerFamily,
    unsupportedFamilies,
    unsupportedFeatures,
    whoKnowsWhomTies: counts!.ties,
    seconds: (performance.now() - start) / 1000,
    modelSeconds,
    dealState: state?.flat ? 'flat export: amount as exported, no stage or expected close for any row' : 'history',
    closedDealsNotObserved: training ? Math.max(0, counts!.closed - counts!.deals) : 0,
    exportColumns,
    deadFeatures: Object.fromEntries(
      health
        .filter((h) => h.status !== 'ok')
        .map((h) => [h.feature, `${h.status}${h.needs ? `; needs ${h.needs}` : ''}`]),
    ),
    skew,
  };
  const supported = FEATURES.length - Object.keys(unsupportedFeatures).length;
  options.log.info(
    `features as of ${options.asOf}: ${training ? `${summary.trainingRows} training observations of ${summary.trainingDeals} closed deals` : 'scoring only (training table kept from the last full build)'}, ${summary.scoringRows} open deals to score, ${supported} of ${FEATURES.length} features supported (${summary.seconds.toFixed(1)} s)`,
  );
  return summary;
}

/** The features the models may use: those the last build could compute (read from `feature_support`). */
export async function supportedFeatureNames(conn: DuckDBConnection): Promise<string[]> {
  const [built] = await queryRows<{ n: number }>(
    conn,
    `SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE table_name = 'feature_support'`,
  );
  if (built!.n === 0) throw new WuweiError('not_enough_data', 'no features built yet: run `wuwei features` first');
  const rows = await queryRows<{ feature: string }>(
    conn,
    `SELECT feature FROM feature_support WHERE supported ORDER BY position`,
  );
  return rows.map((row) => row.feature);
}

export async function setVariables(
  conn: DuckDBConnection,
  asOf: string,
  config: FeatureConfig,
  training = true,
  maxTrainingDeals = DEFAULTS.models.maxTrainingDeals,
): Promise<void> {
  requireIsoDate(asOf, '--as-of');
  const list = (values: string[]) => `[${values.map(quoteLiteral).join(', ')}]::VARCHAR[]`;
  const variables: Record<string, string> = {
    as_of: `DATE ${quoteLiteral(asOf)}`,
    with_training: String(training),
    max_training_deals: String(Math.max(1, Math.trunc(maxTrainingDeals))),
    first_look_days: String(Math.trunc(config.firstLookDays)),
    stage_entries: String(config.stageEntries),
    spacing_days: String(Math.max(1, Math.trunc(config.spacingDays))),
    half_life_days: `${Number(config.halfLifeDays)}::DOUBLE`,
    inbound_weight: `${Number(config.inboundWeight)}::DOUBLE`,
    other_activity_weight: `${Number(config.otherActivityWeight)}::DOUBLE`,
    executive_role: quoteLiteral(config.executiveRole),
    engineer_role: quoteLiteral(config.engineerRole),
    blocker_roles: list(config.blockerRoles),
    similar_k: String(Math.max(1, Math.trunc(config.similar.k))),
    similar_pool: String(Math.max(1, Math.trunc(config.similar.candidatePool))),
  };
  for (const [name, value] of Object.entries(variables)) await conn.run(`SET VARIABLE ${name} = ${value}`);
}

/** Small lookup tables from the config, read by the SQL models like any other table. */
export async function createSeeds(conn: DuckDBConnection, config: FeatureConfig): Promise<void> {
  const insert = async (table: string, columns: string, rows: unknown[][]) => {
    await conn.run(`CREATE OR REPLACE TEMP TABLE ${table} (${columns})`);
    if (rows.length === 0) return;
    const values = rows
      .map((row) => `(${row.map((v) => (typeof v === 'string' ? quoteLiteral(v) : String(v))).join(', ')})`)
      .join(', ');
    await conn.run(`INSERT INTO ${table} VALUES ${values}`);
  };
  await insert(
    'seed_stages',
    'stage VARCHAR, stage_index INTEGER, probability DOUBLE, is_closed BOOLEAN, is_won BOOLEAN',
    [
      ...config.stages.map((s, i) => [s.name, i + 1, s.probability, false, false]),
      ...config.wonStages.map((name) => [name, config.stages.length + 1, 1, true, true]),
      ...config.lostStages.map((name) => [name, config.stages.length + 1, 0, true, false]),
    ],
  );
  // The load's stage list (the export's own stages, pipeline/load/mapping/stage-list.ts) when there is one.
  const [loaded] = await queryRows<{ n: number }>(
    conn,
    `SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE table_name = 'crm_stages'`,
  );
  if (loaded!.n > 0) {
    await conn.run(
      `CREATE OR REPLACE TEMP TABLE seed_stages AS SELECT stage, min(stage_index) AS stage_index, any_value(probability) AS probability, bool_or(is_closed) AS is_closed, bool_or(is_won) AS is_won FROM crm_stages GROUP BY stage`,
    );
  }
  await insert('seed_activity_weights', 'type VARCHAR, weight DOUBLE', Object.entries(config.activityWeights));
  await insert(
    'seed_seniority',
    'seniority VARCHAR, weight DOUBLE, rank INTEGER',
    // every seniority named by either setting: an unlisted weight is 1, an unlisted rank 0
    [...new Set([...Object.keys(config.seniorityWeights), ...Object.keys(config.seniorityRanks)])].map((s) => [
      s,
      config.seniorityWeights[s] ?? 1,
      config.seniorityRanks[s] ?? 0,
    ]),
  );
  await insert(
    'seed_required_roles',
    'role VARCHAR',
    config.requiredRoles.map((r) => [r]),
  );
}

async function checkMartMatchesCatalog(conn: DuckDBConnection): Promise<void> {
  const columns = new Set(
    (await queryRows<{ column_name: string }>(conn, `DESCRIBE fct_opportunity_features`)).map((r) => r.column_name),
  );
  const missing = FEATURES.filter((feature) => !columns.has(feature.name)).map((feature) => feature.name);
  if (missing.length > 0) throw new Error(`features in the catalog but not in the mart: ${missing.join(', ')}`);
}

/** A feature is unsupported when an export it needs is empty; maps each to the empty exports. */
export async function findUnsupportedFeatures(conn: DuckDBConnection): Promise<Record<string, string[]>> {
  const counts = await queryRows<{ entity: string; n: number }>(
    conn,
    ENTITY_NAMES.map(
      (entity) =>
        `SELECT ${quoteLiteral(entity)} AS entity, (SELECT count(*) FROM ${quoteIdent(entity)})::INTEGER AS n`,
    ).join(' UNION ALL '),
  );
  const empty = new Set(counts.filter((row) => row.n === 0).map((row) => row.entity));
  const unsupported: Record<string, string[]> = {};
  for (const feature of FEATURES) {
    const missing = feature.needs.filter((need) => empty.has(need));
    if (missing.length > 0) unsupported[feature.name] = missing;
  }
  return unsupported;
}

/**
 * `feature_build`: the last build's date, whether it rebuilt the training table and on how many
 * closed deals at most, and the closed deals as of that date (read by the retraining rule, which
 * must not need the training table).
 */
async function recordBuild(conn: DuckDBConnection, training: boolean, maxTrainingDeals: number): Promise<void> {
  await conn.run(createTableSql(outputTable('feature_build'), 'or replace'));
  await conn.run(`
    INSERT INTO feature_build BY NAME
    SELECT getvariable('as_of')::DATE AS as_of, ${training} AS training, ${Math.trunc(maxTrainingDeals)} AS max_training_deals,
           count(*) FILTER (WHERE closes.won = 1)::INTEGER AS closed_won,
           count(*) FILTER (WHERE closes.won = 0)::INTEGER AS closed_lost
    FROM int_deal_closes AS closes JOIN opportunities USING (opportunity_id)
    WHERE opportunities.created_date <= getvariable('as_of') AND closes.closed_on <= getvariable('as_of')`);
}

/** `feature_support`: one row per catalog feature, whether this build could compute it and, if not, why. */
async function writeFeatureSupport(conn: DuckDBConnection, unsupported: Record<string, string[]>): Promise<void> {
  await conn.run(createTableSql(outputTable('feature_support'), 'or replace'));
  const rows = FEATURES.map((feature, i) => {
    const missing = unsupported[feature.name] ?? [];
    return `(${i + 1}, ${quoteLiteral(feature.name)}, ${quoteLiteral(feature.family)}, ${missing.length === 0}, [${missing.map(quoteLiteral).join(', ')}]::VARCHAR[])`;
  });
  await conn.run(`INSERT INTO feature_support VALUES ${rows.join(', ')}`);
}

/**
 * A failed SQL model as one line: the model and, for the mart, the first feature column whose
 * expression fails on its own over the same rows.
 */
async function modelFailure(conn: DuckDBConnection, model: SqlModel, error: unknown): Promise<WuweiError> {
  const message = String(error instanceof Error ? error.message : error).split('\n')[0]!;
  const failing = model.name === FEATURE_MART ? await failingColumn(conn) : null;
  return new WuweiError(
    'bad_input',
    `feature model ${model.layer}/${model.name}.sql${failing ? `, column ${failing}` : ''} failed: ${message}`,
    { cause: error },
  );
}

async function failingColumn(conn: DuckDBConnection): Promise<string | null> {
  const models = readSqlModels();
  for (const feature of FEATURES) {
    try {
      await conn.run(`SELECT count(${feature.name}) FROM (${familySlice(feature.family, models, [feature.name]).sql})`);
    } catch {
      return feature.name;
    }
  }
  return null;
}
