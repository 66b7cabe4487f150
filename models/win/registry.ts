/**
 * The model registry in DuckDB: `model_versions` (one row per trained model, the newest active),
 * `model_curves` (ROC and calibration points, model and baseline) and `model_feature_importance`,
 * as the reports read them (see the contract). The model files themselves live in the models folder.
 */
import { existsSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteLiteral } from '../../pipeline/db.ts';
import { quietLogger, type Logger } from '../../pipeline/log.ts';
import { readColumns, tableExists } from '../columns.ts';
import type { ClassificationMetrics } from '../metrics.ts';
import { loadModel, versionFolder, type WinModel } from './artifacts.ts';
import type { CurveRow } from './evaluate.ts';
import type { FeatureImportance } from './importance.ts';

export interface ModelVersionRow {
  version: string;
  /** ISO timestamp (UTC). */
  trainedAt: string;
  backend: string;
  seed: number;
  nTrainObs: number;
  nTrainDeals: number;
  nHoldoutObs: number;
  nHoldoutDeals: number;
  trainFrom: string | null;
  trainTo: string | null;
  holdoutFrom: string | null;
  holdoutTo: string | null;
  model: ClassificationMetrics;
  baseline: ClassificationMetrics;
  trainSeconds: number;
  path: string;
}

export async function createModelTables(conn: DuckDBConnection): Promise<void> {
  await conn.run(`
    CREATE TABLE IF NOT EXISTS model_versions (
      version VARCHAR, trained_at TIMESTAMP, backend VARCHAR, seed INTEGER,
      n_train_obs INTEGER, n_train_deals INTEGER, n_holdout_obs INTEGER, n_holdout_deals INTEGER,
      train_from DATE, train_to DATE, holdout_from DATE, holdout_to DATE,
      auc DOUBLE, pr_auc DOUBLE, log_loss DOUBLE, brier DOUBLE, ece DOUBLE,
      baseline_auc DOUBLE, baseline_pr_auc DOUBLE, baseline_log_loss DOUBLE, baseline_brier DOUBLE, baseline_ece DOUBLE,
      train_seconds DOUBLE, path VARCHAR, active BOOLEAN)`);
  await conn.run(`CREATE TABLE IF NOT EXISTS model_curves (version VARCHAR, model VARCHAR, curve VARCHAR, x DOUBLE, y DOUBLE, n INTEGER)`);
  await conn.run(`CREATE TABLE IF NOT EXISTS model_feature_importance (version VARCHAR, feature VARCHAR, importance DOUBLE)`);
}

/** Records a new version with its curves and importances, makes it the active one, all in one transaction. */
export async function registerModelVersion(conn: DuckDBConnection, row: ModelVersionRow, curves: CurveRow[], importances: FeatureImportance[]): Promise<void> {
  await createModelTables(conn);
  const version = quoteLiteral(row.version);
  const m = row.model;
  const b = row.baseline;
  await conn.run('BEGIN TRANSACTION');
  try {
    for (const table of ['model_versions', 'model_curves', 'model_feature_importance']) await conn.run(`DELETE FROM ${table} WHERE version = ${version}`);
    await conn.run('UPDATE model_versions SET active = false WHERE active');
    await conn.run(`
      INSERT INTO model_versions VALUES (
        ${version}, ${quoteLiteral(row.trainedAt.replace('T', ' ').replace('Z', ''))}::TIMESTAMP, ${quoteLiteral(row.backend)}, ${row.seed},
        ${row.nTrainObs}, ${row.nTrainDeals}, ${row.nHoldoutObs}, ${row.nHoldoutDeals},
        ${date(row.trainFrom)}, ${date(row.trainTo)}, ${date(row.holdoutFrom)}, ${date(row.holdoutTo)},
        ${[m.auc, m.prAuc, m.logLoss, m.brier, m.ece].map(num).join(', ')},
        ${[b.auc, b.prAuc, b.logLoss, b.brier, b.ece].map(num).join(', ')},
        ${num(row.trainSeconds)}, ${quoteLiteral(row.path)}, true)`);
    if (curves.length > 0) {
      const values = curves.map((c) => `(${version}, ${quoteLiteral(c.model)}, ${quoteLiteral(c.curve)}, ${num(c.x)}, ${num(c.y)}, ${c.n === null ? 'NULL' : Math.round(c.n)})`);
      await conn.run(`INSERT INTO model_curves VALUES ${values.join(',\n')}`);
    }
    if (importances.length > 0) {
      const values = importances.map((f) => `(${version}, ${quoteLiteral(f.feature)}, ${num(f.importance)})`);
      await conn.run(`INSERT INTO model_feature_importance VALUES ${values.join(',\n')}`);
    }
    await conn.run('COMMIT');
  } catch (error) {
    await conn.run('ROLLBACK');
    throw error;
  }
}

/**
 * The active model, or null when none was trained yet. Its files are looked up under `modelsDir`
 * when given (so a moved data folder still works), else at the path recorded when it was trained.
 */
export async function loadActiveModel(conn: DuckDBConnection, modelsDir?: string, log: Logger = quietLogger): Promise<WinModel | null> {
  if (!(await tableExists(conn, 'model_versions'))) return null;
  const { rowCount, columns } = await readColumns(
    conn,
    `SELECT version, path FROM model_versions WHERE active ORDER BY trained_at DESC, version DESC LIMIT 1`,
    { version: 'text', path: 'text' },
  );
  if (rowCount === 0) return null;
  const version = columns.version[0]!;
  const recorded = columns.path[0] ?? '';
  const inModelsDir = modelsDir ? versionFolder(modelsDir, version) : undefined;
  return loadModel(inModelsDir && existsSync(inModelsDir) ? inModelsDir : recorded || (inModelsDir ?? version), log);
}

/** A number as SQL: NaN and infinities (an undefined metric) become NULL. */
function num(value: number): string {
  return Number.isFinite(value) ? String(value) : 'NULL';
}

function date(value: string | null): string {
  return value === null ? 'NULL' : `DATE ${quoteLiteral(value)}`;
}
