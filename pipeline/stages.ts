/**
 * The pipeline's stages as the CLI and the nightly run call them: each opens what it needs,
 * does one step of exports -> DuckDB -> features -> model -> scores -> report, and returns a summary.
 */
import { withDatabase } from './db.ts';
import type { Logger } from './log.ts';
import type { RunPaths } from './paths.ts';
import { generate, GENERATE_DEFAULTS, type GenerateSummary } from './generate/index.ts';
import { loadedAsOf, loadExports, type LoadSummary } from './load/index.ts';
import { buildFeatures, type FeatureSummary } from './features/build.ts';
import { FEATURE_NAMES } from './features/catalog.ts';
import { writeScores, type ScoreSummary } from './score/index.ts';
import { activateModel, listModels, predictOpenDeals, trainModels, type ModelListing, type TrainOutcome } from '../models/index.ts';
import { buildReport } from '../reports/build.ts';

export async function generateStage(options: { out: string; opportunities?: number; seed?: number; asOf?: string; log: Logger }): Promise<GenerateSummary> {
  return generate({
    out: options.out,
    opportunities: options.opportunities ?? GENERATE_DEFAULTS.opportunities,
    seed: options.seed ?? GENERATE_DEFAULTS.seed,
    asOf: options.asOf ?? GENERATE_DEFAULTS.asOf,
    start: GENERATE_DEFAULTS.start,
    log: options.log,
  });
}

export async function loadStage(paths: RunPaths, options: { source: string; asOf?: string; log: Logger }): Promise<LoadSummary> {
  return withDatabase(paths.db, (conn) => loadExports(conn, { source: options.source, log: options.log, ...(options.asOf ? { asOf: options.asOf } : {}) }));
}

export async function featuresStage(paths: RunPaths, options: { asOf?: string; log: Logger }): Promise<FeatureSummary> {
  return withDatabase(paths.db, async (conn) => buildFeatures(conn, { asOf: options.asOf ?? (await loadedAsOf(conn)), log: options.log }));
}

export async function trainStage(paths: RunPaths, options: { seed?: number; force?: boolean; log: Logger }): Promise<TrainOutcome> {
  return withDatabase(paths.db, (conn) =>
    trainModels(conn, { featureNames: FEATURE_NAMES, modelsDir: paths.models, seed: options.seed ?? 42, force: options.force === true, log: options.log }),
  );
}

export async function modelsListStage(paths: RunPaths): Promise<ModelListing[]> {
  return withDatabase(paths.db, (conn) => listModels(conn));
}

export async function modelsActivateStage(paths: RunPaths, options: { version: string; log: Logger }): Promise<{ active: string }> {
  await withDatabase(paths.db, (conn) => activateModel(conn, options.version, paths.models));
  options.log.info(`model ${options.version} is now active`);
  return { active: options.version };
}

export async function scoreStage(paths: RunPaths, options: { log: Logger }): Promise<ScoreSummary> {
  return withDatabase(paths.db, async (conn) => {
    const predictions = await predictOpenDeals(conn, { modelsDir: paths.models, log: options.log });
    return writeScores(
      conn,
      { opportunityIds: predictions.opportunityIds, probabilities: predictions.winProbabilities, modelVersion: predictions.modelVersion },
      { asOf: await loadedAsOf(conn), outDir: paths.out, log: options.log },
    );
  });
}

export async function reportStage(paths: RunPaths, options: { log: Logger }) {
  return buildReport({ dbPath: paths.db, siteDir: paths.site, log: options.log });
}
