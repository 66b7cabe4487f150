/**
 * `wuwei iterate --family F`: the analyst's loop on one feature family. Rebuilds only that family's
 * features (see features/rebuild-family.ts; `custom`, the export's own columns, is taken as built),
 * then judges them: their univariate AUC, and a quick win
 * model trained on the same time split with and without the family, beside the active model's stored
 * holdout metrics. Analysis only: no model is saved, registered or activated, no scores or site change.
 */
import { queryRows, withDatabase, type DuckDBConnection } from '../base/db.ts';
import { defaultConfig, type WuweiConfig } from '../config/config.ts';
import type { Logger } from '../base/log.ts';
import type { RunPaths } from '../config/paths.ts';
import { supportedFeatureNames } from '../features/build.ts';
import type { FeatureOptions } from '../features/config.ts';
import { parseFamily } from '../features/family-sql.ts';
import { EXPORT_FAMILY, exportColumnsFamily, rebuildFamily, type FamilyRebuild } from '../features/rebuild-family.ts';
import { featureColumnsOf } from '../features/feature-columns.ts';
import { univariateAuc, type UnivariateAuc } from '../features/univariate-auc.ts';
import { tableExists } from '../base/db.ts';
import { quickEvaluate, type ClassificationMetrics, type QuickEvaluationResult } from '../../models/index.ts';

export interface IterateOptions {
  family: string;
  seed?: number;
  epochs?: number;
  rowsPerEpoch?: number;
  /** Quick models per feature set, with consecutive seeds (default 1): more runs tell a real difference from seed noise. */
  repeats?: number;
  /** Also train without the family, to measure what it adds (default true). */
  ablation?: boolean;
  config?: WuweiConfig;
  log: Logger;
}

type Metrics = Pick<ClassificationMetrics, 'auc' | 'logLoss' | 'ece'>;

export interface IterateSummary {
  rebuild: FamilyRebuild;
  /** Each feature of the family alone against the outcome, on every closed-deal observation. */
  univariate: UnivariateAuc[];
  /** The active registered model's stored holdout metrics (full training), if one is registered. */
  activeModel: (Metrics & { version: string }) | null;
  quick: QuickEvaluationResult;
  withFamily: Metrics;
  withoutFamily: Metrics | null;
  /** With minus without: what the family adds (AUC up, log loss and ECE down is better). */
  contribution: Metrics | null;
  /** Smallest and largest AUC the family adds over the seeds (each seed trained with and without it). */
  contributionAucRange: [number, number] | null;
  /** Quick AUC minus the active model's; beyond ±0.01 the quick model is a rougher yardstick. */
  quickVsActiveAuc: number | null;
  registered: false;
  seconds: number;
}

/** Above this gap between the quick and the full model's AUC, the output says so. */
export const QUICK_AUC_TOLERANCE = 0.01;

export async function iterateStage(paths: RunPaths, options: IterateOptions): Promise<IterateSummary> {
  if (options.family !== EXPORT_FAMILY) parseFamily(options.family);
  const config = options.config ?? defaultConfig();
  const features = Object.fromEntries(
    Object.entries(config.features).filter(([, value]) => value !== undefined),
  ) as FeatureOptions;
  return withDatabase(paths.db, (conn) =>
    iterate(conn, { ...options, features, seed: options.seed ?? config.models.seed }),
  );
}

export async function iterate(
  conn: DuckDBConnection,
  options: Omit<IterateOptions, 'family' | 'config'> & { family: string; features?: FeatureOptions; seed: number },
): Promise<IterateSummary> {
  const start = performance.now();
  const rebuild =
    options.family === EXPORT_FAMILY
      ? await exportColumnsFamily(conn)
      : await rebuildFamily(conn, {
          family: parseFamily(options.family),
          ...(options.features ? { config: options.features } : {}),
          log: options.log,
        });
  const family = rebuild.family;
  // univariate AUC orders numbers; categories are judged by the quick models only
  const categorical = new Set((await featureColumnsOf(conn, 'features_train', [])).categorical);
  const univariate = await univariateAuc(
    conn,
    'features_train',
    'label_won',
    rebuild.features.filter((name) => !categorical.has(name)),
  );
  const activeModel = await activeModelMetrics(conn);

  const supported = await supportedFeatureNames(conn);
  const ablation = options.ablation !== false;
  const quick = await quickEvaluate(conn, {
    featureNames: supported,
    sets: [
      { name: 'all features', without: [] },
      ...(ablation ? [{ name: `without ${family}`, without: rebuild.features }] : []),
    ],
    seeds: Array.from({ length: Math.max(1, Math.trunc(options.repeats ?? 1)) }, (_, k) => options.seed + k),
    ...(options.epochs !== undefined ? { epochs: options.epochs } : {}),
    ...(options.rowsPerEpoch !== undefined ? { maxRowsPerEpoch: options.rowsPerEpoch } : {}),
    log: options.log,
  });
  const pick = (m: ClassificationMetrics): Metrics => ({ auc: m.auc, logLoss: m.logLoss, ece: m.ece });
  const withFamily = pick(quick.sets[0]!.holdout);
  const withoutFamily = quick.sets[1] ? pick(quick.sets[1].holdout) : null;
  const pairedAuc = quick.sets[1]
    ? quick.sets[0]!.runs.map((run, k) => run.holdout.auc - quick.sets[1]!.runs[k]!.holdout.auc)
    : [];
  const quickVsActiveAuc = activeModel ? withFamily.auc - activeModel.auc : null;
  if (quickVsActiveAuc !== null && Math.abs(quickVsActiveAuc) > QUICK_AUC_TOLERANCE) {
    options.log.warn(
      `the quick model's holdout AUC (${withFamily.auc.toFixed(3)}) is ${Math.abs(quickVsActiveAuc).toFixed(3)} from the active model's (${activeModel!.auc.toFixed(3)}): compare quick runs with each other, and confirm with \`wuwei train\``,
    );
  }
  return {
    rebuild,
    univariate,
    activeModel,
    quick,
    withFamily,
    withoutFamily,
    contribution: withoutFamily
      ? {
          auc: withFamily.auc - withoutFamily.auc,
          logLoss: withFamily.logLoss - withoutFamily.logLoss,
          ece: withFamily.ece - withoutFamily.ece,
        }
      : null,
    contributionAucRange: pairedAuc.length > 0 ? [Math.min(...pairedAuc), Math.max(...pairedAuc)] : null,
    quickVsActiveAuc,
    registered: false,
    seconds: (performance.now() - start) / 1000,
  };
}

async function activeModelMetrics(conn: DuckDBConnection): Promise<IterateSummary['activeModel']> {
  if (!(await tableExists(conn, 'model_versions'))) return null;
  const [row] = await queryRows<{ version: string; auc: number; log_loss: number; ece: number }>(
    conn,
    `SELECT version, auc, log_loss, ece FROM model_versions WHERE active ORDER BY trained_at DESC LIMIT 1`,
  );
  return row ? { version: row.version, auc: row.auc, logLoss: row.log_loss, ece: row.ece } : null;
}

/** The comparison as a small table for the terminal. */
export function formatIterate(summary: IterateSummary): string {
  const { rebuild, quick } = summary;
  const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '  -  ');
  const signed = (x: number) => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${x.toFixed(3)}` : '  -  ');
  const row = (name: string, m: Metrics, format = f3) =>
    `  ${name.padEnd(44)} ${format(m.auc).padStart(7)} ${format(m.logLoss).padStart(9)} ${format(m.ece).padStart(7)}`;
  const lines = [
    `${rebuild.label} (${rebuild.family}): ${rebuild.features.length} features rebuilt as of ${rebuild.asOf} from ${rebuild.models.length} SQL models in ${rebuild.seconds.toFixed(1)} s`,
    '',
    `  univariate AUC (closed-deal observations; 0.5 = no signal, below 0.5 = higher loses)`,
    ...summary.univariate.map(
      (u) =>
        `  ${u.feature.padEnd(44)} ${f3(u.auc).padStart(7)}${u.coverage < 1 ? `  (${(u.coverage * 100).toFixed(0)}% have a value)` : ''}`,
    ),
    '',
    `  holdout (${quick.split.holdoutDeals} deals closed last)${' '.repeat(Math.max(0, 21 - String(quick.split.holdoutDeals).length))}     AUC  log loss     ECE`,
    ...(summary.activeModel
      ? [row(`active model ${summary.activeModel.version}`, summary.activeModel)]
      : [`  (no active model registered)`]),
    row('stage probability (CRM baseline)', quick.baseline),
    ...quick.sets.map((set) => row(`quick model, ${set.name}`, set.holdout)),
    ...(summary.contribution ? [row(`${rebuild.family} adds`, summary.contribution, signed)] : []),
    ...(summary.contributionAucRange && quick.fit.seeds.length > 1
      ? [
          `  ${''.padEnd(44)} AUC added per seed: ${signed(summary.contributionAucRange[0])} to ${signed(summary.contributionAucRange[1])}`,
        ]
      : []),
    '',
    `  quick model: ${quick.fit.epochs} epochs at most of ${quick.fit.maxRowsPerEpoch} rows, ${quick.fit.seeds.length > 1 ? `mean of seeds ${quick.fit.seeds.join(', ')}` : `seed ${quick.fit.seeds[0]}`}, no deal-size/close heads, no importance (${quick.backend})`,
    ...(quick.fit.seeds.length === 1 && summary.contribution
      ? [`  one seed: a difference of a few thousandths of AUC may be noise; --repeats 3 trains each set with 3 seeds`]
      : []),
    ...(summary.quickVsActiveAuc !== null && Math.abs(summary.quickVsActiveAuc) > QUICK_AUC_TOLERANCE
      ? [
          `  note: the quick AUC is ${signed(summary.quickVsActiveAuc)} from the active model's: compare quick runs with each other, confirm with \`wuwei train\``,
        ]
      : []),
    `  nothing registered or activated; scores and site unchanged (${summary.seconds.toFixed(1)} s)`,
  ];
  return `${lines.join('\n')}\n`;
}
