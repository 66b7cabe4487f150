/**
 * A small DuckDB file with exactly the tables the report reads (`scores`, `model_versions`,
 * `model_curves`, `model_feature_importance`), filled by SQL with realistic values, so the
 * report can be built and checked without running the pipeline.
 */
import { withDatabase } from '../../pipeline/db.ts';
import { FEATURE_NAMES } from '../../pipeline/features/catalog.ts';

export const FIXTURE_AS_OF = '2026-06-30';
export const FIXTURE_VERSION = 'win-20260630-0100';
export const FIXTURE_OPEN_DEALS = 120;

export async function createReportFixture(dbPath: string): Promise<void> {
  await withDatabase(dbPath, async (conn) => {
    // A stable pseudo-random number in [0, 1) per deal and purpose, so the fixture never changes.
    await conn.run(`CREATE MACRO rnd(i, salt) AS (hash(i * 7919 + salt) % 10000) / 10000.0`);
    await conn.run(`
      CREATE TABLE scores AS
      WITH nights AS (SELECT * FROM (VALUES (DATE '2026-06-29'), (DATE '${FIXTURE_AS_OF}')) AS t(as_of)),
      deals AS (
          SELECT i,
                 (i % 5) AS stage_index,
                 ['Prospecting', 'Qualification', 'Discovery', 'Proposal', 'Negotiation'][1 + i % 5] AS stage,
                 [0.1, 0.2, 0.4, 0.6, 0.8][1 + i % 5] AS stage_probability,
                 round(20000 + 480000 * rnd(i, 1) * rnd(i, 2), -2) AS amount,
                 (-45 + floor(rnd(i, 3) * 300))::INTEGER AS close_in_days
          FROM range(1, ${FIXTURE_OPEN_DEALS + 1}) AS r(i)
      )
      SELECT printf('O%07d', i) AS opportunity_id,
             nights.as_of,
             printf('A%06d', 1 + i % 37) AS account_id,
             printf('U%05d', 1 + i % 9) AS owner_id,
             stage, stage_probability, amount,
             (DATE '${FIXTURE_AS_OF}' + close_in_days) AS expected_close_date,
             least(0.97, greatest(0.02, stage_probability * (0.45 + rnd(i, 4) * 1.1))) AS win_probability,
             round(100 * least(0.97, greatest(0.02, stage_probability * (0.45 + rnd(i, 4) * 1.1))))::INTEGER AS score,
             '${FIXTURE_VERSION}' AS model_version,
             (nights.as_of + INTERVAL 1 DAY + INTERVAL 2 HOUR)::TIMESTAMP AS scored_at
      FROM deals CROSS JOIN nights
      -- the older night misses some deals: the report must show the latest night only
      WHERE nights.as_of = DATE '${FIXTURE_AS_OF}' OR i % 3 = 0`);

    await conn.run(`
      CREATE TABLE model_versions (
          version VARCHAR, trained_at TIMESTAMP, backend VARCHAR, seed INTEGER,
          n_train_obs INTEGER, n_train_deals INTEGER, n_holdout_obs INTEGER, n_holdout_deals INTEGER,
          train_from DATE, train_to DATE, holdout_from DATE, holdout_to DATE,
          auc DOUBLE, pr_auc DOUBLE, log_loss DOUBLE, brier DOUBLE, ece DOUBLE,
          baseline_auc DOUBLE, baseline_pr_auc DOUBLE, baseline_log_loss DOUBLE, baseline_brier DOUBLE, baseline_ece DOUBLE,
          train_seconds DOUBLE, path VARCHAR, active BOOLEAN)`);
    await conn.run(`
      INSERT INTO model_versions VALUES
      ('win-20260629-0100', TIMESTAMP '2026-06-30 01:00:00', 'wasm', 42, 14800, 2950, 3600, 720,
       DATE '2024-01-01', DATE '2025-11-30', DATE '2025-12-01', DATE '2026-06-29',
       0.79, 0.70, 0.52, 0.175, 0.04, 0.71, 0.59, 0.60, 0.205, 0.09, 11.2, 'models/win-20260629-0100', false),
      ('${FIXTURE_VERSION}', TIMESTAMP '2026-07-01 01:00:00', 'wasm', 42, 15240, 3012, 3710, 745,
       DATE '2024-01-01', DATE '2025-11-30', DATE '2025-12-01', DATE '${FIXTURE_AS_OF}',
       0.812, 0.726, 0.498, 0.168, 0.031, 0.714, 0.588, 0.601, 0.204, 0.087, 12.6, 'models/${FIXTURE_VERSION}', true)`);

    await conn.run(`CREATE TABLE model_curves (version VARCHAR, model VARCHAR, curve VARCHAR, x DOUBLE, y DOUBLE, n INTEGER)`);
    // ROC: y = x^k is a proper concave curve; a smaller k ranks better (Wuwei above the stage baseline).
    await conn.run(`
      INSERT INTO model_curves
      SELECT '${FIXTURE_VERSION}', model, 'roc', step / 50.0, pow(step / 50.0, k), NULL
      FROM (VALUES ('wuwei', 0.36), ('stage_baseline', 0.58)) AS m(model, k), range(0, 51) AS r(step)`);
    // Calibration: 10 bins; Wuwei close to the diagonal, the stage probability over-confident at the top.
    await conn.run(`
      INSERT INTO model_curves
      SELECT '${FIXTURE_VERSION}', 'wuwei', 'calibration', (b + 0.5) / 10.0,
             least(1, greatest(0, (b + 0.5) / 10.0 + (rnd(b, 5) - 0.5) * 0.06)), (480 - 38 * b)::INTEGER
      FROM range(0, 10) AS r(b)`);
    await conn.run(`
      INSERT INTO model_curves
      SELECT '${FIXTURE_VERSION}', 'stage_baseline', 'calibration', p, p * 0.72, n
      FROM (VALUES (0.1, 1300), (0.2, 900), (0.4, 700), (0.6, 500), (0.8, 310)) AS t(p, n)`);

    await conn.run(`CREATE TABLE model_feature_importance (version VARCHAR, feature VARCHAR, importance DOUBLE)`);
    const features = FEATURE_NAMES.filter((_, index) => index % 2 === 0).map((name, index) => `('${FIXTURE_VERSION}', '${name}', ${(((index * 37) % 25) * 0.0024 - 0.003).toFixed(4)})`);
    await conn.run(`INSERT INTO model_feature_importance VALUES ${features.join(', ')}`);
  });
}
