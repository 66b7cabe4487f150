import { queryRows, quoteIdent, quoteLiteral, type DuckDBConnection } from '../db.ts';
import { WuweiError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { ENTITY_NAMES } from '../load/schema.ts';
import { FAMILY_LABELS, FEATURES, type FeatureFamily } from './catalog.ts';
import { DEFAULT_FEATURE_CONFIG, type FeatureConfig } from './config.ts';
import { readSqlModels } from './sql-models.ts';

export interface FeatureSummary {
  asOf: string;
  trainingRows: number;
  trainingDeals: number;
  scoringRows: number;
  featuresPerFamily: Record<string, number>;
  /** Families the export cannot support, with the missing exports, instead of silent zeros. */
  unsupportedFamilies: Record<string, string[]>;
  seconds: number;
}

/**
 * Builds the feature marts as of `asOf`: the SQL models run in dependency order (staging and
 * intermediate as temporary tables), then `features_train` (closed deals observed during their
 * life) and `features_score` (open deals at `asOf`) are split from the one mart.
 */
export async function buildFeatures(conn: DuckDBConnection, options: { asOf: string; config?: FeatureConfig; log: Logger }): Promise<FeatureSummary> {
  const start = performance.now();
  const config = options.config ?? DEFAULT_FEATURE_CONFIG;
  await setVariables(conn, options.asOf, config);
  await createSeeds(conn, config);

  for (const model of readSqlModels()) {
    const kind = model.layer === 'marts' ? 'TABLE' : 'TEMP TABLE';
    try {
      await conn.run(`CREATE OR REPLACE ${kind} ${quoteIdent(model.name)} AS ${model.sql}`);
    } catch (error) {
      const message = String(error instanceof Error ? error.message : error).split('\n').slice(0, 3).join(' ');
      throw new Error(`feature model ${model.layer}/${model.name}.sql failed: ${message}`, { cause: error });
    }
  }
  await checkMartMatchesCatalog(conn);

  const keys = 'opportunity_id, as_of';
  await conn.run(`CREATE OR REPLACE TABLE features_train AS SELECT * EXCLUDE (purpose) FROM fct_opportunity_features WHERE purpose = 'train' ORDER BY ${keys}`);
  await conn.run(`CREATE OR REPLACE TABLE features_score AS SELECT * EXCLUDE (purpose) FROM fct_opportunity_features WHERE purpose = 'score' ORDER BY ${keys}`);

  const [counts] = await queryRows<{ train: number; deals: number; score: number }>(
    conn,
    `SELECT (SELECT count(*) FROM features_train)::INTEGER AS train,
            (SELECT count(DISTINCT opportunity_id) FROM features_train)::INTEGER AS deals,
            (SELECT count(*) FROM features_score)::INTEGER AS score`,
  );
  const unsupportedFamilies = await findUnsupportedFamilies(conn);
  const featuresPerFamily: Record<string, number> = {};
  for (const feature of FEATURES) featuresPerFamily[feature.family] = (featuresPerFamily[feature.family] ?? 0) + 1;
  for (const [family, missing] of Object.entries(unsupportedFamilies)) {
    options.log.warn(`${FAMILY_LABELS[family as FeatureFamily]}: cannot be computed without ${missing.join(', ')}`);
  }
  const summary: FeatureSummary = {
    asOf: options.asOf,
    trainingRows: counts!.train,
    trainingDeals: counts!.deals,
    scoringRows: counts!.score,
    featuresPerFamily,
    unsupportedFamilies,
    seconds: (performance.now() - start) / 1000,
  };
  options.log.info(`features as of ${options.asOf}: ${summary.trainingRows} training observations of ${summary.trainingDeals} closed deals, ${summary.scoringRows} open deals to score, ${FEATURES.length} features`);
  return summary;
}

async function setVariables(conn: DuckDBConnection, asOf: string, config: FeatureConfig): Promise<void> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf)) throw new WuweiError('bad_option', `--as-of must be a date YYYY-MM-DD, got '${asOf}'`);
  await conn.run(`SET VARIABLE as_of = DATE ${quoteLiteral(asOf)}`);
  await conn.run(`SET VARIABLE first_look_days = ${Math.trunc(config.firstLookDays)}`);
  await conn.run(`SET VARIABLE spacing_days = ${Math.trunc(config.spacingDays)}`);
  await conn.run(`SET VARIABLE half_life_days = ${Number(config.halfLifeDays)}`);
  await conn.run(`SET VARIABLE inbound_weight = ${Number(config.inboundWeight)}`);
}

/** Small lookup tables from the config, read by the SQL models like any other table. */
async function createSeeds(conn: DuckDBConnection, config: FeatureConfig): Promise<void> {
  const values = (rows: unknown[][]) => rows.map((row) => `(${row.map((v) => (typeof v === 'string' ? quoteLiteral(v) : String(v))).join(', ')})`).join(', ');
  const stages = [
    ...config.stages.map((s, i) => [s.name, i + 1, s.probability, false, false]),
    ...config.wonStages.map((name) => [name, config.stages.length + 1, 1, true, true]),
    ...config.lostStages.map((name) => [name, config.stages.length + 1, 0, true, false]),
  ];
  await conn.run(`CREATE OR REPLACE TEMP TABLE seed_stages (stage VARCHAR, stage_index INTEGER, probability DOUBLE, is_closed BOOLEAN, is_won BOOLEAN)`);
  await conn.run(`INSERT INTO seed_stages VALUES ${values(stages)}`);
  await conn.run(`CREATE OR REPLACE TEMP TABLE seed_activity_weights (type VARCHAR, weight DOUBLE)`);
  await conn.run(`INSERT INTO seed_activity_weights VALUES ${values(Object.entries(config.activityWeights))}`);
  await conn.run(`CREATE OR REPLACE TEMP TABLE seed_seniority (seniority VARCHAR, weight DOUBLE, rank INTEGER)`);
  await conn.run(`INSERT INTO seed_seniority VALUES ${values(Object.entries(config.seniorityWeights).map(([s, w]) => [s, w, config.seniorityRanks[s] ?? 0]))}`);
  await conn.run(`CREATE OR REPLACE TEMP TABLE seed_required_roles (role VARCHAR)`);
  await conn.run(`INSERT INTO seed_required_roles VALUES ${values(config.requiredRoles.map((r) => [r]))}`);
}

async function checkMartMatchesCatalog(conn: DuckDBConnection): Promise<void> {
  const columns = new Set((await queryRows<{ column_name: string }>(conn, `DESCRIBE fct_opportunity_features`)).map((r) => r.column_name));
  const missing = FEATURES.filter((feature) => !columns.has(feature.name)).map((feature) => feature.name);
  if (missing.length > 0) throw new Error(`features in the catalog but not in the mart: ${missing.join(', ')}`);
}

/** A family is unsupported when every one of its features needs an export that is empty. */
async function findUnsupportedFamilies(conn: DuckDBConnection): Promise<Record<string, string[]>> {
  const empty = new Set<string>();
  for (const entity of ENTITY_NAMES) {
    const [row] = await queryRows<{ n: number }>(conn, `SELECT count(*)::INTEGER AS n FROM ${quoteIdent(entity)}`);
    if (row!.n === 0) empty.add(entity);
  }
  const unsupported: Record<string, string[]> = {};
  for (const family of Object.keys(FAMILY_LABELS)) {
    const features = FEATURES.filter((feature) => feature.family === family);
    const blocked = features.map((feature) => feature.needs.filter((need) => empty.has(need)));
    if (blocked.every((missing) => missing.length > 0)) unsupported[family] = [...new Set(blocked.flat())];
  }
  return unsupported;
}
