/**
 * A run's database for the report tests, from generated data: a small synthetic export (with a few
 * broken rows, so load_rejects has something to show) loaded by the real loader, then the tables the
 * later stages write (`scores` for two nights, `model_versions`, `model_curves`,
 * `model_feature_importance`) filled by SQL with realistic values, and one run record beside it.
 * It is a run whose later stages wrote little: the pages must say what they lack. A full run, made
 * by the real stages, is test/helpers/real-run.ts.
 */
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { queryRows, withDatabase } from '../../pipeline/base/db.ts';
import { FEATURE_NAMES } from '../../pipeline/features/catalog.ts';
import { generate } from '../../pipeline/generate/index.ts';
import { loadExports } from '../../pipeline/load/index.ts';
import { quietLogger } from '../../pipeline/base/log.ts';

export const FIXTURE_AS_OF = '2026-06-30';
export const FIXTURE_PREVIOUS_NIGHT = '2026-06-29';
export const FIXTURE_VERSION = 'win-20260630-0100';
export const FIXTURE_OPPORTUNITIES = 700;
/** Rows appended to the export that the loader must reject. */
export const FIXTURE_BAD_ROWS = 3;

export async function createReportFixture(dbPath: string): Promise<{ openDeals: number }> {
  const exportDir = mkdtempSync(join(tmpdir(), 'wuwei-report-export-'));
  try {
    await generate({
      out: exportDir,
      opportunities: FIXTURE_OPPORTUNITIES,
      seed: 11,
      asOf: FIXTURE_AS_OF,
      start: '2024-01-01',
      log: quietLogger,
    });
    appendFileSync(
      join(exportDir, 'opportunities.csv'),
      'O9999998,A000001,U00001,Broken date,new,outbound,Analytics,USD,2024-13-45,2024-02-01,Prospecting,0.1,pipeline,false,false,1000\n',
    );
    appendFileSync(
      join(exportDir, 'opportunities.csv'),
      'O9999999,A000001,U00001,Broken amount,new,outbound,Analytics,USD,2024-01-05,2024-02-01,Prospecting,0.1,pipeline,false,false,lots\n',
    );
    appendFileSync(
      join(exportDir, 'contacts.csv'),
      'C9999999,A000001,Broken,Row,broken.row@example.invalid,Buyer,vp,Sales,not-a-date\n',
    );
    mkdirSync(dirname(dbPath), { recursive: true });
    await withDatabase(dbPath, async (conn) => {
      await loadExports(conn, { source: exportDir, log: quietLogger });
      await createScores(conn);
      await createModelTables(conn);
    });
  } finally {
    rmSync(exportDir, { recursive: true, force: true });
  }
  writeRunRecord(dirname(dbPath));
  const openDeals = await withDatabase(
    dbPath,
    async (conn) =>
      (
        await queryRows<{ n: number }>(
          conn,
          `SELECT count(*)::INTEGER AS n FROM scores WHERE as_of = DATE '${FIXTURE_AS_OF}'`,
        )
      )[0]!.n,
    { readOnly: true },
  );
  return { openDeals };
}

type Conn = Parameters<Parameters<typeof withDatabase>[1]>[0];

/** Two nights of scores for the open deals: the earlier night misses some deals and had other close dates. */
async function createScores(conn: Conn): Promise<void> {
  // A stable pseudo-random number in [0, 1) per deal and purpose, so the fixture never changes.
  await conn.run(`CREATE MACRO rnd(id, salt) AS (hash(id || salt) % 10000) / 10000.0`);
  await conn.run(`
    CREATE TABLE scores AS
    WITH open_deals AS (
        SELECT opportunity_id, account_id, owner_id, stage, coalesce(probability, 0.1) AS stage_probability, amount, close_date
        FROM opportunities WHERE NOT is_closed
    ),
    nights AS (SELECT * FROM (VALUES (DATE '${FIXTURE_PREVIOUS_NIGHT}'), (DATE '${FIXTURE_AS_OF}')) AS t(as_of))
    SELECT d.opportunity_id, n.as_of, d.account_id, d.owner_id, d.stage, d.stage_probability, d.amount,
           CASE WHEN n.as_of < DATE '${FIXTURE_AS_OF}' AND rnd(d.opportunity_id, 'push') < 0.2 THEN d.close_date - 30 ELSE d.close_date END AS expected_close_date,
           least(0.97, greatest(0.02, d.stage_probability * (0.5 + rnd(d.opportunity_id, 'p') + (n.as_of = DATE '${FIXTURE_AS_OF}')::INTEGER * 0.05))) AS win_probability,
           0 AS score, '${FIXTURE_VERSION}' AS model_version,
           (n.as_of + INTERVAL 1 DAY + INTERVAL 2 HOUR)::TIMESTAMP AS scored_at
    FROM open_deals AS d CROSS JOIN nights AS n
    WHERE n.as_of = DATE '${FIXTURE_AS_OF}' OR rnd(d.opportunity_id, 'old') < 0.8`);
  await conn.run(`UPDATE scores SET score = round(100 * win_probability)::INTEGER`);
  // Deals scored the night before that have closed since: the deal flow shows them as won or lost.
  await conn.run(`
    INSERT INTO scores
    SELECT opportunity_id, DATE '${FIXTURE_PREVIOUS_NIGHT}', account_id, owner_id, 'Negotiation', 0.8, amount, close_date, 0.7, 70, '${FIXTURE_VERSION}', TIMESTAMP '2026-06-30 02:00:00'
    FROM opportunities WHERE is_closed AND close_date = (SELECT max(close_date) FROM opportunities WHERE is_closed AND close_date <= DATE '${FIXTURE_AS_OF}')`);
}

async function createModelTables(conn: Conn): Promise<void> {
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

  await conn.run(
    `CREATE TABLE model_curves (version VARCHAR, model VARCHAR, curve VARCHAR, x DOUBLE, y DOUBLE, n INTEGER)`,
  );
  // ROC: y = x^k is a proper concave curve; a smaller k ranks better (Wuwei above the stage baseline).
  await conn.run(`
    INSERT INTO model_curves
    SELECT '${FIXTURE_VERSION}', model, 'roc', step / 50.0, pow(step / 50.0, k), NULL
    FROM (VALUES ('wuwei', 0.36), ('stage_baseline', 0.58)) AS m(model, k), range(0, 51) AS r(step)`);
  // Calibration: 10 bins; Wuwei close to the diagonal, the stage probability over-confident at the top.
  await conn.run(`
    INSERT INTO model_curves
    SELECT '${FIXTURE_VERSION}', 'wuwei', 'calibration', (b + 0.5) / 10.0,
           least(1, greatest(0, (b + 0.5) / 10.0 + ((hash(b) % 100) / 100.0 - 0.5) * 0.06)), (480 - 38 * b)::INTEGER
    FROM range(0, 10) AS r(b)`);
  await conn.run(`
    INSERT INTO model_curves
    SELECT '${FIXTURE_VERSION}', 'stage_baseline', 'calibration', p, p * 0.72, n
    FROM (VALUES (0.1, 1300), (0.2, 900), (0.4, 700), (0.6, 500), (0.8, 310)) AS t(p, n)`);

  await conn.run(`CREATE TABLE model_feature_importance (version VARCHAR, feature VARCHAR, importance DOUBLE)`);
  const features = FEATURE_NAMES.filter((_, index) => index % 2 === 0).map(
    (name, index) => `('${FIXTURE_VERSION}', '${name}', ${(((index * 37) % 25) * 0.0024 - 0.003).toFixed(4)})`,
  );
  await conn.run(`INSERT INTO model_feature_importance VALUES ${features.join(', ')}`);
}

/** The record `wuwei run` writes at the end of a night (pipeline/commands/run.ts), for the Data quality page. */
function writeRunRecord(root: string): void {
  const runs = join(root, 'runs');
  mkdirSync(runs, { recursive: true });
  const stage = (seconds: number, summary: unknown = {}) => ({ seconds, summary });
  writeFileSync(
    join(runs, '2026-06-30T01-00-00.000Z.json'),
    JSON.stringify({
      startedAt: '2026-06-30T01:00:00.000Z',
      finishedAt: '2026-06-30T01:00:31.000Z',
      outcome: 'succeeded',
      stages: {
        load: stage(1.9, {
          entities: { opportunities: { loaded: 700, rejected: 2 }, contacts: { loaded: 1200, rejected: 1 } },
        }),
        features: stage(1.7),
        train: stage(14.5),
        score: stage(0.4),
        report: stage(12.1),
      },
    }),
  );
}
