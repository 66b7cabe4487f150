/**
 * The load command's stage. Its own module, so `wuwei load` starts without the models' and the
 * report's modules (TensorFlow.js alone took about 0.2 s of each load's start).
 */
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { withDatabase } from '../base/db.ts';
import type { RunPaths } from '../config/paths.ts';
import { loadExports, type LoadOptions, type LoadSummary } from '../load/index.ts';
import { describeUnsupported, unsupportedFamilies } from '../features/coverage.ts';
import { DEFAULTS, defaultConfig, type WuweiConfig } from '../config/config.ts';

export async function loadStage(
  paths: RunPaths,
  options: Omit<LoadOptions, 'asOf' | 'rejectsFileOnFailure' | 'configuredStages'> & {
    asOf?: string | undefined;
    config?: WuweiConfig;
  },
): Promise<LoadStageSummary> {
  const { asOf, config = defaultConfig(), ...rest } = options;
  const stages = configuredStages(config);
  const summary = await withDatabase(paths.db, (conn) =>
    loadExports(conn, {
      ...rest,
      rejectsFileOnFailure: join(paths.out, 'load_rejects.csv'),
      ...(asOf ? { asOf } : {}),
      ...(stages ? { configuredStages: stages } : {}),
      closedStages: [...config.features.wonStages, ...config.features.lostStages],
      showPersonalData: config.report.showPersonalData,
      plausibleDates: config.load,
    }),
  );
  // said at load time, before the features stage blanks them: the load itself knows no features
  const families = unsupportedFamilies(summary.emptyEntities);
  for (const line of describeUnsupported(families)) options.log.warn(line);
  return { ...summary, unsupportedFamilies: families };
}

/** The load's summary, with the feature families this export cannot support and the entities each lacks. */
export type LoadStageSummary = LoadSummary & { unsupportedFamilies: Record<string, string[]> };

/**
 * The stage list the config file declares, when it declares its own (else the export's own is used, see
 * load/mapping/stage-list.ts): the normalised config always holds a list, so the built-in one counts as none.
 */
function configuredStages(config: WuweiConfig): LoadOptions['configuredStages'] {
  const { stages, wonStages, lostStages } = config.features;
  const declared = { stages, wonStages, lostStages };
  const builtIn = {
    stages: DEFAULTS.features.stages,
    wonStages: DEFAULTS.features.wonStages,
    lostStages: DEFAULTS.features.lostStages,
  };
  return isDeepStrictEqual(declared, builtIn) ? undefined : declared;
}
