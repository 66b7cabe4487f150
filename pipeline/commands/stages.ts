/**
 * The pipeline's stages as the CLI and the nightly run call them: each opens what it needs,
 * does one step of exports -> DuckDB -> features -> model -> scores -> report, and returns a summary.
 */
import { withDatabase } from '../base/db.ts';
import type { Logger } from '../base/log.ts';
import type { RunPaths } from '../config/paths.ts';
import { loadedAsOf } from '../load/index.ts';
import { buildFeatures, type FeatureSummary } from '../features/build.ts';
import { writeScores, type ScoreSummary } from '../score/index.ts';
import { dealOutlook, outlookFromScores } from '../outlook/deal-outlook.ts';
import { writeBack, type WritebackFormat } from '../score/writeback.ts';
import { writeMoves, type MovesSummary } from '../moves/index.ts';
import { writeForecast, type ForecastSummary } from '../forecast/index.ts';
import { runBacktest, type BacktestSummary } from '../forecast/backtest.ts';
import { writeReportTables, type ReportTablesSummary } from '../report-tables/index.ts';
import { DEFAULTS, defaultConfig, type GradeBands, type WuweiConfig } from '../config/config.ts';
import { decideRetrain, recordTrainingSnapshot, type RetrainDecision } from './retrain.ts';
import {
  activateModel,
  featureBuildOptions,
  listModels,
  predictOpenDeals,
  trainModels,
  trainOptions,
  type ModelListing,
  type TrainOutcome,
} from '../../models/index.ts';
import { buildReport } from '../../reports/build.ts';

export { generateStage } from './generate-stage.ts';
export { loadStage, type LoadStageSummary } from './load-stage.ts';

/** Builds the feature tables; with `training: false` only the open deals' (the training table is kept unless there is none). */
export async function featuresStage(
  paths: RunPaths,
  options: { asOf?: string; training?: boolean; log: Logger; config?: WuweiConfig },
): Promise<FeatureSummary> {
  const config = options.config ?? defaultConfig();
  return withDatabase(paths.db, async (conn) =>
    buildFeatures(conn, {
      asOf: options.asOf ?? (await loadedAsOf(conn)),
      ...featureBuildOptions(config),
      log: options.log,
      ...(options.training !== undefined ? { training: options.training } : {}),
    }),
  );
}

export async function trainStage(
  paths: RunPaths,
  options: { seed?: number; force?: boolean; log: Logger; config?: WuweiConfig },
): Promise<TrainOutcome> {
  const config = options.config ?? defaultConfig();
  return withDatabase(paths.db, async (conn) => {
    const outcome = await trainModels(
      conn,
      await trainOptions(conn, config, {
        modelsDir: paths.models,
        force: options.force === true,
        log: options.log,
        ...(options.seed !== undefined ? { seed: options.seed } : {}),
      }),
    );
    if (outcome.status === 'trained') await recordTrainingSnapshot(conn, outcome.version, await loadedAsOf(conn));
    return outcome;
  });
}

export async function modelsListStage(paths: RunPaths): Promise<ModelListing[]> {
  return withDatabase(paths.db, (conn) => listModels(conn));
}

export async function modelsActivateStage(
  paths: RunPaths,
  options: { version: string; log: Logger },
): Promise<{ active: string }> {
  await withDatabase(paths.db, (conn) => activateModel(conn, options.version, paths.models));
  options.log.info(`model ${options.version} is now active`);
  return { active: options.version };
}

/** Whether the nightly run should train tonight (see ./retrain.ts). */
export async function retrainDecisionStage(
  paths: RunPaths,
  options: { asOf: string; force: boolean; config: WuweiConfig },
): Promise<RetrainDecision> {
  return withDatabase(paths.db, (conn) =>
    decideRetrain(conn, { asOf: options.asOf, policy: options.config.retrain, force: options.force }),
  );
}

export async function scoreStage(
  paths: RunPaths,
  options: { log: Logger; config?: WuweiConfig },
): Promise<ScoreSummary & { reportTables: ReportTablesSummary }> {
  const config = options.config ?? defaultConfig();
  return withDatabase(paths.db, async (conn) => {
    const asOf = await loadedAsOf(conn);
    const predictions = await predictOpenDeals(conn, { modelsDir: paths.models, log: options.log });
    const outlook = await dealOutlook(conn, predictions, { asOf, factors: config.scores.factors });
    const summary = await writeScores(conn, outlook, { outDir: paths.out, config, log: options.log });
    if (config.writeback.formats.length > 0)
      await writeBack(conn, { asOf, formats: config.writeback.formats, outDir: paths.out, log: options.log });
    // here, not in a step of its own: every way scores get written (the night, `wuwei score`, the
    // benchmark's stage-by-stage runs) then leaves the pages' tables current (pipeline/report-tables)
    return { ...summary, reportTables: await writeReportTables(conn, { log: options.log }) };
  });
}

/** After scoring: each open deal's moves priced by the model, and the allocation of our executives and solutions engineers. */
export async function movesStage(
  paths: RunPaths,
  options: { log: Logger; config?: WuweiConfig },
): Promise<MovesSummary> {
  const config = options.config ?? defaultConfig();
  return withDatabase(paths.db, async (conn) =>
    writeMoves(conn, {
      asOf: await loadedAsOf(conn),
      config,
      modelsDir: paths.models,
      outDir: paths.out,
      log: options.log,
    }),
  );
}

export async function forecastStage(
  paths: RunPaths,
  options: { log: Logger; config?: WuweiConfig },
): Promise<ForecastSummary> {
  const config = options.config ?? defaultConfig();
  return withDatabase(paths.db, async (conn) => {
    const asOf = await loadedAsOf(conn);
    return writeForecast(conn, await outlookFromScores(conn, asOf), { config, outDir: paths.out, log: options.log });
  });
}

export async function backtestStage(
  paths: RunPaths,
  options: { log: Logger; config?: WuweiConfig; seed?: number },
): Promise<BacktestSummary> {
  const config = options.config ?? defaultConfig();
  return runBacktest({ dbPath: paths.db, config, log: options.log, seed: options.seed ?? config.models.seed });
}

export async function writebackStage(paths: RunPaths, options: { log: Logger; formats: WritebackFormat[] }) {
  return withDatabase(paths.db, async (conn) =>
    writeBack(conn, { asOf: await loadedAsOf(conn), formats: options.formats, outDir: paths.out, log: options.log }),
  );
}

export async function reportStage(
  paths: RunPaths,
  options: { log: Logger; showPersonalData?: boolean; grades?: GradeBands },
) {
  const grades = options.grades ?? DEFAULTS.grades;
  return buildReport({
    dbPath: paths.db,
    siteDir: paths.site,
    runsDir: paths.runs,
    showPersonalData: options.showPersonalData ?? false,
    grades,
    log: options.log,
  });
}
