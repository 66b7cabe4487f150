/** The model the report describes: the active version (the newest if none is marked active). */
import { queryRows, type DuckDBConnection } from '../../../pipeline/base/db.ts';
import type { ModelMetric, ModelSummary } from '../components/types.ts';
import type { WinMetrics } from '../../../models/index.ts';
import { hasTable } from './tables.ts';

interface ModelRow extends Omit<ModelSummary, 'metrics'>, WinMetrics {}

export async function modelSummary(conn: DuckDBConnection): Promise<ModelSummary | null> {
  // A night that could not train (too few won or lost deals) has no registry yet: no model, not a failure.
  if (!(await hasTable(conn, 'model_versions'))) return null;
  const [row] = await queryRows<ModelRow>(
    conn,
    `SELECT version,
            strftime(trained_at, '%Y-%m-%d %H:%M') AS "trainedAt",
            backend, seed::INTEGER AS seed,
            n_train_obs::INTEGER AS "nTrainObs", n_train_deals::INTEGER AS "nTrainDeals",
            n_holdout_obs::INTEGER AS "nHoldoutObs", n_holdout_deals::INTEGER AS "nHoldoutDeals",
            strftime(train_from, '%Y-%m-%d') AS "trainFrom", strftime(train_to, '%Y-%m-%d') AS "trainTo",
            strftime(holdout_from, '%Y-%m-%d') AS "holdoutFrom", strftime(holdout_to, '%Y-%m-%d') AS "holdoutTo",
            train_seconds::DOUBLE AS "trainSeconds", coalesce(active, false) AS active,
            auc::DOUBLE AS auc, pr_auc::DOUBLE AS "prAuc", log_loss::DOUBLE AS "logLoss", brier::DOUBLE AS brier, ece::DOUBLE AS ece,
            baseline_auc::DOUBLE AS "baselineAuc", baseline_pr_auc::DOUBLE AS "baselinePrAuc", baseline_log_loss::DOUBLE AS "baselineLogLoss",
            baseline_brier::DOUBLE AS "baselineBrier", baseline_ece::DOUBLE AS "baselineEce"
     FROM model_versions
     ORDER BY coalesce(active, false) DESC, trained_at DESC
     LIMIT 1`,
  );
  if (!row) return null;
  const metrics: ModelMetric[] = [
    { name: 'AUC', wuwei: row.auc, baseline: row.baselineAuc, higherIsBetter: true },
    { name: 'PR AUC', wuwei: row.prAuc, baseline: row.baselinePrAuc, higherIsBetter: true },
    { name: 'Log loss', wuwei: row.logLoss, baseline: row.baselineLogLoss, higherIsBetter: false },
    { name: 'Brier score', wuwei: row.brier, baseline: row.baselineBrier, higherIsBetter: false },
    { name: 'Calibration error (ECE)', wuwei: row.ece, baseline: row.baselineEce, higherIsBetter: false },
  ];
  return {
    version: row.version,
    trainedAt: row.trainedAt,
    backend: row.backend,
    seed: row.seed,
    nTrainObs: row.nTrainObs,
    nTrainDeals: row.nTrainDeals,
    nHoldoutObs: row.nHoldoutObs,
    nHoldoutDeals: row.nHoldoutDeals,
    trainFrom: row.trainFrom,
    trainTo: row.trainTo,
    holdoutFrom: row.holdoutFrom,
    holdoutTo: row.holdoutTo,
    trainSeconds: row.trainSeconds,
    active: row.active,
    metrics,
  };
}
