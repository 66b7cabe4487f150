/**
 * The central configuration file (`wuwei.config.yaml`, or JSON): one strict, typed object for every
 * command. Unknown keys and wrong types are user mistakes, reported in one line with the key path.
 * Every key has a default, so no file at all is a valid configuration. `wuwei.config.example.yaml`
 * documents each key.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { isIsoDate } from '../base/dates.ts';
import { WuweiError } from '../base/errors.ts';
import { configWriteFolder } from './write-folders.ts';

const isoDate = z.string().refine(isIsoDate, 'expected a date YYYY-MM-DD');
const share = z.number().min(0).max(1);
const positiveInt = z.number().int().min(1);

const sourcesSchema = z.strictObject({
  /** Export folder; `--source` overrides it. */
  dir: z.string().optional(),
  /** Canonical layout name, or a mapping file (filled in by the loading work). */
  layout: z.string().optional(),
  mapping: z.string().optional(),
});

const fiscalSchema = z.strictObject({
  /** Month (1-12) in which the fiscal year starts; quarters start every three months from it. */
  yearStartMonth: z.number().int().min(1).max(12).default(1),
});

const gradesSchema = z
  .strictObject({
    /** Lowest score (0-100) of each grade; below C is D. */
    A: z.number().min(0).max(100).default(70),
    B: z.number().min(0).max(100).default(45),
    C: z.number().min(0).max(100).default(20),
  })
  .refine((g) => g.A > g.B && g.B > g.C, { message: 'grade thresholds must fall: A > B > C' });

const scoresSchema = z.strictObject({
  /** A score change of at least this many points (0-100) is a trend; smaller is steady. */
  trendThreshold: z.number().min(0).max(100).default(5),
  /** How many top positive and negative factors to write per deal. */
  factors: z.number().int().min(0).max(10).default(3),
  /** The period of the rep's close date that slip risk refers to. */
  slipPeriod: z.enum(['month', 'quarter']).default('quarter'),
});

const retrainSchema = z.strictObject({
  /** Retrain when the active model is at least this many days older than the as-of date. */
  everyDays: positiveInt.default(15),
  /** Retrain when won or lost closed deals have grown by more than this share since the active model. */
  closedDealsGrowth: share.default(0.2),
  /** Retrain when a feature's mean over the open deals moved by more than this many training standard deviations. */
  featureMeanShift: z.number().min(0).default(0.5),
});

const forecastSchema = z.strictObject({
  /** Months forecast: the current one and the next ones. */
  months: z.number().int().min(1).max(24).default(3),
  /** Quarters forecast: the current one and the next ones. */
  quarters: z.number().int().min(1).max(8).default(2),
  /** Monte Carlo draws for the P10/P50/P90 range. */
  simulations: z.number().int().min(100).max(100_000).default(2000),
  seed: z.number().int().default(20240101),
  /**
   * Shared uncertainty of the win-probability level in the simulation (log-scale sd of a factor on
   * every deal's probability). 0.06: over 18 backtested quarter starts (10k, seeds 7, 31, 59) the log
   * ratio of the open deals' bookings to their forecast varied by 0.094 (rms), of which an exact
   * forecast's own noise explains 0.073: the level's share is sqrt(0.094^2 - 0.073^2) = 0.06 (per seed
   * 0.056, 0.051, 0.071). At 0.1 the ranges held 17 of those 18 actuals, wider than an 80% range.
   */
  levelUncertainty: z.number().min(0).max(2).default(0.06),
  /** Add bookings expected from deals not yet created (the historical run rate of such deals). */
  newDeals: z.boolean().default(true),
  /** How many past periods the run rate of not-yet-created deals is fitted on (a trend needs several). */
  newDealsLookback: positiveInt.default(8),
  /**
   * Multiply the open deals' win probabilities by their stage's factor, won / expected over the deals
   * past nights scored that have closed since (pipeline/forecast/stage-correction.ts). The scores stay the model's.
   */
  stageCorrection: z.boolean().default(true),
  /** Optional targets file (CSV: period_start, segment_type, segment, target). */
  targets: z.string().optional(),
});

const backtestSchema = z.strictObject({
  /** How many past quarters to recompute (the most recent complete ones that have enough history). */
  quarters: positiveInt.default(8),
  /** A quarter is backtested only if the export has this much history before it (models need closed deals). */
  minHistoryDays: positiveInt.default(365),
  /** Training epochs for the backtest's models; unset: the nightly's (models.epochs), so the backtest judges the model that runs. */
  epochs: positiveInt.optional(),
  /** Also forecast as of every this many weeks into each backtested quarter (as a night without training would); 0: quarter starts only. */
  weekStep: z.number().int().min(0).max(13).default(1),
});

const reportSchema = z.strictObject({
  /** Show names of people (contacts, employees) in published reports. Off: identifiers only. */
  showPersonalData: z.boolean().default(false),
  /** Site folder; default site/ beside the database. */
  site: z.string().optional(),
});

const writebackSchema = z.strictObject({
  /** Which CRM import files to write after scoring (scores.csv, the generic export, is always written). */
  formats: z.array(z.enum(['salesforce', 'dynamics', 'hubspot', 'parquet'])).default([]),
});

/**
 * Feature settings (pipeline/features/config.ts documents each one as FeatureConfig): how closed
 * deals are observed for training, how relationship strength is weighed, how similar past projects
 * are found. A record or list given here replaces the default one as a whole.
 */
const featuresSchema = z.strictObject({
  /** Open stages in order, with the CRM's default probability (the baseline). */
  stages: z
    .array(z.strictObject({ name: z.string(), probability: share }))
    .min(1, 'list at least one open stage')
    .default([
      { name: 'Prospecting', probability: 0.1 },
      { name: 'Qualification', probability: 0.2 },
      { name: 'Discovery', probability: 0.4 },
      { name: 'Proposal', probability: 0.6 },
      { name: 'Negotiation', probability: 0.8 },
    ]),
  wonStages: z.array(z.string()).default(['Closed Won']),
  lostStages: z.array(z.string()).default(['Closed Lost']),
  firstLookDays: z.number().int().min(0).default(7),
  stageEntries: z.boolean().default(true),
  spacingDays: positiveInt.default(30),
  halfLifeDays: z.number().positive().default(45),
  inboundWeight: z.number().positive().default(1.5),
  activityWeights: z.record(z.string(), z.number().min(0)).default({ email: 1, call: 2, meeting: 3, demo: 3 }),
  otherActivityWeight: z.number().min(0).default(1),
  seniorityWeights: z
    .record(z.string(), z.number().min(0))
    .default({ c_level: 2, vp: 1.6, director: 1.3, manager: 1, staff: 0.8 }),
  seniorityRanks: z.record(z.string(), z.number()).default({ c_level: 5, vp: 4, director: 3, manager: 2, staff: 1 }),
  requiredRoles: z
    .array(z.string())
    .default(['decision_maker', 'economic_buyer', 'champion', 'technical_evaluator', 'user', 'influencer']),
  blockerRoles: z.array(z.string()).default(['blocker']),
  executiveRole: z.string().default('executive'),
  engineerRole: z.string().default('sales_engineer'),
  similar: z.strictObject({ k: positiveInt.default(20), candidatePool: positiveInt.default(100) }).prefault({}),
});

const modelsSchema = z.strictObject({
  /** Fewest won and fewest lost closed deals needed to train. */
  minWon: positiveInt.default(40),
  minLost: positiveInt.default(40),
  /** A new model becomes active only if its holdout AUC is at least this share of the active one's. */
  promotionRatio: z.number().positive().default(0.95),
  /** Seed of training (weights, shuffles, dropout); `--seed` overrides it. */
  seed: z.number().int().default(42),
  /** Most training epochs (early stopping usually ends sooner). */
  epochs: positiveInt.default(100),
  /** Train on at most this many closed deals, sampled by deal over the whole history: bounds training memory. */
  maxTrainingDeals: positiveInt.default(150_000),
});

const loadSchema = z.strictObject({
  /** Stop the load when more than this share of an entity's rows is rejected. */
  maxRejectShare: share.optional(),
  /** Dates before this one (creation, close, activity, change dates) are row rejects (default 1990-01-01). */
  earliestDate: isoDate.optional(),
  /** Dates more than this many years after the as-of date are row rejects (default 10). */
  maxYearsAhead: positiveInt.optional(),
});

/** DuckDB's resources for every command's database connection (see pipeline/base/db.ts). */
const duckdbSchema = z.strictObject({
  /** Most memory DuckDB's buffers may take before spilling to tempDirectory, e.g. '4GB'; null: DuckDB's default (80% of RAM). */
  memoryLimit: z
    .string()
    .regex(/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i, "expected a size such as '4GB' or '512MB'")
    .nullable()
    .default('4GB'),
  /** Worker threads; null: one per core. */
  threads: positiveInt.nullable().default(null),
  /** Where DuckDB spills what does not fit; null: DuckDB's default (`<database>.tmp` beside the database). */
  tempDirectory: z.string().nullable().default(null),
});

/** The moves stage (pipeline/moves/): what would move each deal, and who of our scarce people makes which move. */
const movesSchema = z.strictObject({
  /** Moves per open deal in next_moves.csv, best first by the model's expected-value gain. */
  perDeal: positiveInt.default(3),
  /** Moves an executive / a solutions engineer can make per week; unset: each one's own deals per week over the last 13 weeks. */
  executiveCapacity: z.number().int().min(0).optional(),
  engineerCapacity: z.number().int().min(0).optional(),
  /** A key person's tie is quiet (a re-engage move) when nobody of ours has interacted with them for this many days. */
  quietDays: positiveInt.default(30),
  /**
   * Open deals whose moves are priced each night, largest expected value first (win probability × expected
   * amount): each one is rebuilt and scored once per move, so this bounds the stage at 100k deals and more.
   */
  maxDeals: positiveInt.default(1000),
});

export const configSchema = z.strictObject({
  sources: sourcesSchema.prefault({}),
  fiscal: fiscalSchema.prefault({}),
  grades: gradesSchema.prefault({}),
  scores: scoresSchema.prefault({}),
  retrain: retrainSchema.prefault({}),
  forecast: forecastSchema.prefault({}),
  backtest: backtestSchema.prefault({}),
  report: reportSchema.prefault({}),
  writeback: writebackSchema.prefault({}),
  moves: movesSchema.prefault({}),
  /** Output folder for scores.csv, forecast.csv and write-back files; default out/ beside the database. */
  output: z.string().optional(),
  features: featuresSchema.prefault({}),
  models: modelsSchema.prefault({}),
  load: loadSchema.prefault({}),
  duckdb: duckdbSchema.prefault({}),
});

export type WuweiConfig = z.infer<typeof configSchema>;
export type GradeBands = WuweiConfig['grades'];
export type DuckDBConfig = WuweiConfig['duckdb'];

export const CONFIG_FILE_NAME = 'wuwei.config.yaml';

/** The configuration with every default: what runs when there is no file. */
export function defaultConfig(): WuweiConfig {
  return configSchema.parse({});
}

/** The defaults, for code that runs without a config (library calls, tests); read only. */
export const DEFAULTS: WuweiConfig = defaultConfig();

/** Validates a parsed object; any problem becomes one WuweiError line naming each key path. */
export function parseConfig(raw: unknown, origin = 'config'): WuweiConfig {
  const result = configSchema.safeParse(raw ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => `${keyPath([...issue.path, key])}: unknown key`).join('; ');
    }
    return `${keyPath(issue.path) || '(top level)'}: ${issue.message.replace(/^Invalid input: /, '')}`;
  });
  throw new WuweiError('bad_option', `${origin}: ${problems.join('; ')}`);
}

/**
 * Reads the configuration: `--config FILE` when given (it must exist), else `wuwei.config.yaml`
 * beside the database when present, else the defaults. Relative paths in the file are taken from
 * the file's folder.
 */
export function loadConfig(options: { file?: string; db: string }): { config: WuweiConfig; file: string | null } {
  const file = options.file ? resolve(options.file) : join(dirname(resolve(options.db)), CONFIG_FILE_NAME);
  if (!existsSync(file)) {
    if (options.file) throw new WuweiError('missing_input', `${options.file}: config file not found`);
    return { config: defaultConfig(), file: null };
  }
  let raw: unknown;
  try {
    const text = readFileSync(file, 'utf8');
    raw = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    throw new WuweiError('bad_input', `${file}: not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${reason}`);
  }
  const config = parseConfig(raw, file);
  const base = dirname(file);
  const within = (path: string | undefined) => (path === undefined ? undefined : resolve(base, path));
  return {
    file,
    config: {
      ...config,
      output: config.output === undefined ? undefined : configWriteFolder(base, config.output, `${file}: output`),
      sources: { ...config.sources, dir: within(config.sources.dir), mapping: within(config.sources.mapping) },
      forecast: { ...config.forecast, targets: within(config.forecast.targets) },
      report: {
        ...config.report,
        site:
          config.report.site === undefined
            ? undefined
            : configWriteFolder(base, config.report.site, `${file}: report.site`),
      },
      duckdb: {
        ...config.duckdb,
        tempDirectory:
          config.duckdb.tempDirectory === null
            ? null
            : configWriteFolder(base, config.duckdb.tempDirectory, `${file}: duckdb.tempDirectory`),
      },
    },
  };
}

function keyPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i > 0 ? '.' : ''}${String(part)}`))
    .join('');
}
