/**
 * The load command's stage. Its own module, so `wuwei load` starts without the models' and the
 * report's modules (TensorFlow.js alone took about 0.2 s of each load's start).
 */
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { queryRows, quoteLiteral, withDatabase, type DuckDBConnection } from '../base/db.ts';
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
  const summary = await withDatabase(paths.db, async (conn) => {
    const loaded = await loadExports(conn, {
      ...rest,
      rejectsFileOnFailure: join(paths.out, 'load_rejects.csv'),
      ...(asOf ? { asOf } : {}),
      ...(stages ? { configuredStages: stages } : {}),
      closedStages: [...config.features.wonStages, ...config.features.lostStages],
      showPersonalData: config.report.showPersonalData,
      plausibleDates: config.load,
    });
    const later = await dealsCreatedAfter(conn, loaded.asOf);
    if (later) options.log.warn(later);
    return loaded;
  });
  // said at load time, before the features stage blanks them: the load itself knows no features
  const families = unsupportedFamilies(summary.emptyEntities);
  for (const line of describeUnsupported(families)) options.log.warn(line);
  return { ...summary, unsupportedFamilies: families };
}

/**
 * Deals created after the as-of date are left out of the night (features, scores and forecast look at
 * the deals of the date): a few are an export cut later than it says, or a wrong --as-of, so said.
 */
async function dealsCreatedAfter(conn: DuckDBConnection, asOf: string): Promise<string | null> {
  const [row] = await queryRows<{ n: number; open: number; first: string | null }>(
    conn,
    `SELECT count(*)::INTEGER AS n, count(*) FILTER (WHERE NOT coalesce(is_closed, false))::INTEGER AS open,
            strftime(min(created_date), '%Y-%m-%d') AS first
     FROM opportunities WHERE created_date > DATE ${quoteLiteral(asOf)}`,
  );
  if (!row || row.n === 0) return null;
  return `${row.n} deal${row.n === 1 ? ' was' : 's were'} created after the as-of date ${asOf} (${row.open} open, the first on ${row.first}): left out of tonight's features, scores and forecast; if the export was cut later, pass --as-of`;
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
