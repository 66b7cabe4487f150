/**
 * The pipeline's stages as the CLI and the nightly run call them: each opens what it needs,
 * does one step of exports -> DuckDB -> features -> model -> scores -> report, and returns a summary.
 */
import { join } from 'node:path';
import { withDatabase } from './db.ts';
import { WuweiError } from './errors.ts';
import type { Logger } from './log.ts';
import type { RunPaths } from './paths.ts';
import { generate, GENERATE_DEFAULTS, type GenerateSummary } from './generate/index.ts';
import { loadedAsOf, loadExports, type LoadSummary } from './load/index.ts';
import { buildFeatures, type FeatureSummary } from './features/build.ts';
import { FEATURE_NAMES } from './features/catalog.ts';
import { writeScores, type ScoreSummary } from './score/index.ts';
import { loadActiveModel, predictWin, trainWinModel, type TrainResult } from '../models/index.ts';
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

export async function loadStage(paths: RunPaths, options: { source: string; asOf?: string; maxRejectRate?: number; log: Logger }): Promise<LoadSummary> {
  return withDatabase(paths.db, (conn) =>
    loadExports(conn, {
      source: options.source,
      log: options.log,
      rejectsFileOnFailure: join(paths.out, 'load_rejects.csv'),
      ...(options.asOf ? { asOf: options.asOf } : {}),
      ...(options.maxRejectRate !== undefined ? { maxRejectRate: options.maxRejectRate } : {}),
    }),
  );
}

export async function featuresStage(paths: RunPaths, options: { asOf?: string; log: Logger }): Promise<FeatureSummary> {
  return withDatabase(paths.db, async (conn) => buildFeatures(conn, { asOf: options.asOf ?? (await loadedAsOf(conn)), log: options.log }));
}

export async function trainStage(paths: RunPaths, options: { seed?: number; log: Logger }): Promise<TrainResult> {
  return withDatabase(paths.db, (conn) =>
    trainWinModel(conn, { featureNames: FEATURE_NAMES, modelsDir: paths.models, seed: options.seed ?? 42, log: options.log }),
  );
}

export async function scoreStage(paths: RunPaths, options: { log: Logger }): Promise<ScoreSummary> {
  return withDatabase(paths.db, async (conn) => {
    const model = await loadActiveModel(conn, paths.models);
    if (!model) throw new WuweiError('no_model', 'no trained model yet: run `wuwei train` first');
    const predictions = await predictWin(model, conn, 'features_score');
    return writeScores(conn, { ...predictions, modelVersion: model.version }, { asOf: await loadedAsOf(conn), outDir: paths.out, log: options.log });
  });
}

export async function reportStage(paths: RunPaths, options: { log: Logger }) {
  return buildReport({ dbPath: paths.db, siteDir: paths.site, log: options.log });
}
