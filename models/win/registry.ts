/**
 * The model registry in DuckDB: `model_versions` (one row per trained model, the newest active),
 * `model_curves` (ROC and calibration points, model and baseline) and `model_feature_importance`,
 * as the reports read them (see the contract). The model files themselves live in the models folder.
 */
import { existsSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { outputTable } from '../../pipeline/contract/output-tables.ts';
import { ensureTable } from '../../pipeline/contract/table-spec.ts';
import { quoteLiteral, rollback } from '../../pipeline/base/db.ts';
import { quietLogger, type Logger } from '../../pipeline/base/log.ts';
import { readColumns } from '../../pipeline/base/columns.ts';
import { tableExists } from '../../pipeline/base/db.ts';
import type { ClassificationMetrics } from '../../pipeline/base/metrics.ts';
import { WuweiError } from '../../pipeline/base/errors.ts';
import type { AmountEvaluation } from '../heads/amount.ts';
import type { CloseEvaluation } from '../heads/close.ts';
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
  /** Deal-size and close-timing holdout metrics, when those models were trained. */
  amount?: AmountEvaluation | null;
  close?: CloseEvaluation | null;
}

/** Creates the registry tables from the contract (pipeline/contract/output-tables.ts); older databases gain the columns added since. */
export async function createModelTables(conn: DuckDBConnection): Promise<void> {
  for (const table of ['model_versions', 'model_curves', 'model_feature_importance'])
    await ensureTable(conn, outputTable(table));
}

/** Records a new version with its curves and importances and, when `active`, makes it the active one, all in one transaction. */
export async function registerModelVersion(
  conn: DuckDBConnection,
  row: ModelVersionRow,
  curves: CurveRow[],
  importances: FeatureImportance[],
  active = true,
): Promise<void> {
  await createModelTables(conn);
  const version = quoteLiteral(row.version);
  const m = row.model;
  const b = row.baseline;
  await conn.run('BEGIN TRANSACTION');
  try {
    for (const table of ['model_versions', 'model_curves', 'model_feature_importance'])
      await conn.run(`DELETE FROM ${table} WHERE version = ${version}`);
    if (active) await conn.run('UPDATE model_versions SET active = false WHERE active');
    const amount = row.amount;
    const close = row.close;
    await conn.run(`
      INSERT INTO model_versions (
        version, trained_at, backend, seed, n_train_obs, n_train_deals, n_holdout_obs, n_holdout_deals,
        train_from, train_to, holdout_from, holdout_to,
        auc, pr_auc, log_loss, brier, ece, baseline_auc, baseline_pr_auc, baseline_log_loss, baseline_brier, baseline_ece,
        train_seconds, path, active,
        amount_wape, amount_baseline_wape, amount_median_ape, amount_baseline_median_ape, close_mae_days, close_baseline_mae_days)
      VALUES (
        ${version}, ${quoteLiteral(row.trainedAt.replace('T', ' ').replace('Z', ''))}::TIMESTAMP, ${quoteLiteral(row.backend)}, ${row.seed},
        ${row.nTrainObs}, ${row.nTrainDeals}, ${row.nHoldoutObs}, ${row.nHoldoutDeals},
        ${date(row.trainFrom)}, ${date(row.trainTo)}, ${date(row.holdoutFrom)}, ${date(row.holdoutTo)},
        ${[m.auc, m.prAuc, m.logLoss, m.brier, m.ece].map(num).join(', ')},
        ${[b.auc, b.prAuc, b.logLoss, b.brier, b.ece].map(num).join(', ')},
        ${num(row.trainSeconds)}, ${quoteLiteral(row.path)}, ${active},
        ${[amount?.model.wape, amount?.baseline.wape, amount?.model.medianApe, amount?.baseline.medianApe, close?.model.maeDays, close?.baseline.maeDays].map((v) => num(v ?? Number.NaN)).join(', ')})`);
    if (curves.length > 0) {
      const values = curves.map(
        (c) =>
          `(${version}, ${quoteLiteral(c.model)}, ${quoteLiteral(c.curve)}, ${num(c.x)}, ${num(c.y)}, ${c.n === null ? 'NULL' : Math.round(c.n)})`,
      );
      await conn.run(`INSERT INTO model_curves VALUES ${values.join(',\n')}`);
    }
    if (importances.length > 0) {
      const values = importances.map((f) => `(${version}, ${quoteLiteral(f.feature)}, ${num(f.importance)})`);
      await conn.run(`INSERT INTO model_feature_importance VALUES ${values.join(',\n')}`);
    }
    await conn.run('COMMIT');
  } catch (error) {
    await rollback(conn);
    throw error;
  }
}

/**
 * The active model, or null when none was trained yet. Its files are looked up under `modelsDir`
 * when given (so a moved data folder still works), else at the path recorded when it was trained.
 */
export async function loadActiveModel(
  conn: DuckDBConnection,
  modelsDir?: string,
  log: Logger = quietLogger,
): Promise<WinModel | null> {
  if (!(await tableExists(conn, 'model_versions'))) return null;
  const { rowCount, columns } = await readColumns(
    conn,
    `SELECT version, path FROM model_versions WHERE active ORDER BY trained_at DESC, rowid DESC LIMIT 1`,
    { version: 'text', path: 'text' },
  );
  if (rowCount === 0) return null;
  const version = columns.version[0]!;
  const recorded = columns.path[0] ?? '';
  const inModelsDir = modelsDir ? versionFolder(modelsDir, version) : undefined;
  return loadModel(inModelsDir && existsSync(inModelsDir) ? inModelsDir : recorded || (inModelsDir ?? version), log);
}

/** The active version and its holdout AUC, or null when there is none. */
export async function activeModelAuc(conn: DuckDBConnection): Promise<{ version: string; auc: number } | null> {
  if (!(await tableExists(conn, 'model_versions'))) return null;
  const { rowCount, columns } = await readColumns(
    conn,
    `SELECT version, coalesce(auc, 0)::DOUBLE AS auc FROM model_versions WHERE active ORDER BY trained_at DESC, rowid DESC LIMIT 1`,
    {
      version: 'text',
      auc: 'float64',
    },
  );
  return rowCount === 0 ? null : { version: columns.version[0]!, auc: columns.auc[0]! };
}

export interface ModelListing {
  version: string;
  trainedAt: string;
  active: boolean;
  backend: string;
  auc: number;
  baselineAuc: number;
  ece: number;
  amountWape: number | null;
  closeMaeDays: number | null;
  nTrainDeals: number;
}

/** Every registered version, newest first. */
export async function listModels(conn: DuckDBConnection): Promise<ModelListing[]> {
  if (!(await tableExists(conn, 'model_versions'))) return [];
  await createModelTables(conn);
  const { rowCount, columns } = await readColumns(
    conn,
    `SELECT version, strftime(trained_at, '%Y-%m-%dT%H:%M:%SZ') AS trained_at, active::DOUBLE AS active, backend,
            auc::DOUBLE AS auc, baseline_auc::DOUBLE AS baseline_auc, ece::DOUBLE AS ece,
            amount_wape::DOUBLE AS amount_wape, close_mae_days::DOUBLE AS close_mae_days, n_train_deals::DOUBLE AS n_train_deals
     FROM model_versions ORDER BY trained_at DESC, rowid DESC`,
    {
      version: 'text',
      trained_at: 'text',
      active: 'float64',
      backend: 'text',
      auc: 'float64',
      baseline_auc: 'float64',
      ece: 'float64',
      amount_wape: 'float64',
      close_mae_days: 'float64',
      n_train_deals: 'float64',
    },
  );
  const orNull = (x: number) => (Number.isNaN(x) ? null : x);
  return Array.from({ length: rowCount }, (_, i) => ({
    version: columns.version[i]!,
    trainedAt: columns.trained_at[i]!,
    active: columns.active[i] === 1,
    backend: columns.backend[i] ?? '',
    auc: columns.auc[i]!,
    baselineAuc: columns.baseline_auc[i]!,
    ece: columns.ece[i]!,
    amountWape: orNull(columns.amount_wape[i]!),
    closeMaeDays: orNull(columns.close_mae_days[i]!),
    nTrainDeals: columns.n_train_deals[i]!,
  }));
}

/** Makes `version` the active one (a rollback or a manual promotion); its files must still exist. */
export async function activateModel(conn: DuckDBConnection, version: string, modelsDir?: string): Promise<void> {
  const known = await listModels(conn);
  if (!known.some((model) => model.version === version)) {
    throw new WuweiError(
      'bad_option',
      `no model version ${version}; \`wuwei models list\` shows ${known.length === 0 ? 'none yet' : known.map((m) => m.version).join(', ')}`,
    );
  }
  const { columns } = await readColumns(
    conn,
    `SELECT path FROM model_versions WHERE version = ${quoteLiteral(version)}`,
    { path: 'text' },
  );
  const inModelsDir = modelsDir ? versionFolder(modelsDir, version) : undefined;
  if (!(inModelsDir && existsSync(inModelsDir)) && !existsSync(columns.path[0] ?? '')) {
    throw new WuweiError(
      'no_model',
      `the files of model ${version} are gone (${inModelsDir ?? columns.path[0]}): it cannot be activated`,
    );
  }
  await conn.run('BEGIN TRANSACTION');
  try {
    await conn.run(`UPDATE model_versions SET active = (version = ${quoteLiteral(version)})`);
    await conn.run('COMMIT');
  } catch (error) {
    await rollback(conn);
    throw error;
  }
}

/** A number as SQL: NaN and infinities (an undefined metric) become NULL. */
function num(value: number): string {
  return Number.isFinite(value) ? String(value) : 'NULL';
}

function date(value: string | null): string {
  return value === null ? 'NULL' : `DATE ${quoteLiteral(value)}`;
}
