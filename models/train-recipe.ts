/**
 * The nightly model recipe in one place: which features and settings the feature build and the
 * training use, read from the normalised config. The train stage and the backtest both call these,
 * so that the backtest judges the very model the nightly run trains (same feature set, same
 * settings, same seed).
 */
import type { DuckDBConnection } from '../pipeline/base/db.ts';
import type { Logger } from '../pipeline/base/log.ts';
import type { WuweiConfig } from '../pipeline/config/config.ts';
import { supportedFeatureNames } from '../pipeline/features/build.ts';
import type { FeatureOptions } from '../pipeline/features/config.ts';
import type { TrainWinOptions } from './win/train.ts';

/** The seed training uses: the command line's when given, else the config's `models.seed`, else 42. */
export function trainingSeed(config: WuweiConfig, seed?: number): number {
  return seed ?? config.models.seed ?? 42;
}

/** The feature build's settings from the config (its optional keys that are set). */
export function featureBuildOptions(config: WuweiConfig): { config: FeatureOptions; maxTrainingDeals?: number } {
  const overrides = Object.fromEntries(
    Object.entries(config.features).filter(([, value]) => value !== undefined),
  ) as FeatureOptions;
  return {
    config: overrides,
    ...(config.models.maxTrainingDeals !== undefined ? { maxTrainingDeals: config.models.maxTrainingDeals } : {}),
  };
}

/** The training options of the nightly run, on the features the loaded export supports. */
export async function trainOptions(
  conn: DuckDBConnection,
  config: WuweiConfig,
  options: { modelsDir: string; seed?: number; force?: boolean; epochs?: number; log: Logger },
): Promise<TrainWinOptions> {
  const models = config.models;
  const epochs = options.epochs ?? models.epochs;
  return {
    // only the features this export supports: an empty export's features are NULL, not evidence
    featureNames: await supportedFeatureNames(conn),
    modelsDir: options.modelsDir,
    seed: trainingSeed(config, options.seed),
    force: options.force === true,
    log: options.log,
    ...(epochs !== undefined ? { epochs } : {}),
    ...(models.maxTrainingDeals !== undefined ? { maxTrainingDeals: models.maxTrainingDeals } : {}),
    ...(models.promotionRatio !== undefined ? { promoteRatio: models.promotionRatio } : {}),
    ...(models.minWon !== undefined || models.minLost !== undefined
      ? { minClassDeals: Math.max(models.minWon ?? 0, models.minLost ?? 0) }
      : {}),
  };
}
