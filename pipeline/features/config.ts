/**
 * Feature settings: how deals are observed for training, how relationship strength is weighed, and
 * how similar past projects are found. `DEFAULT_FEATURE_CONFIG` holds the defaults; callers pass
 * overrides (a partial object, e.g. from the project's config file) to `resolveFeatureConfig`, and
 * `buildFeatures` hands the result to SQL as DuckDB variables and small seed tables.
 *
 * Relationship strength (documented in docs/features.md):
 *   strength(a contact, as of T) = seniority weight of the contact
 *     x sum over two-way interactions a (our person and the contact both took part, dated <= T) of
 *       activity-type weight(a) x (inboundWeight if the customer initiated a, else 1) x 0.5^((T - date(a)) / halfLifeDays)
 * Per (our employee, contact) the sum runs over every interaction the two shared (any deal or
 * none); per (deal, contact) over the deal's interactions with that contact, whoever of us took part.
 */
import { DEFAULTS } from '../config/config.ts';
import { WuweiError } from '../base/errors.ts';

export interface FeatureConfig {
  /** Open stages in order, with the CRM's default probability (the baseline). */
  stages: { name: string; probability: number }[];
  wonStages: string[];
  lostStages: string[];
  /** Training observations of each closed deal: creation + `firstLookDays`, each stage entry (if `stageEntries`), then every `spacingDays`. */
  firstLookDays: number;
  stageEntries: boolean;
  spacingDays: number;
  /** Relationship strength: an interaction's weight halves every `halfLifeDays`. */
  halfLifeDays: number;
  /** Customer-initiated interactions show a two-way tie: their weight is multiplied by this. */
  inboundWeight: number;
  /** Weight of an interaction by activity type; a type not listed weighs `otherActivityWeight`. */
  activityWeights: Record<string, number>;
  otherActivityWeight: number;
  /** Weight of a contact's tie by the contact's seniority; a seniority not listed weighs 1. */
  seniorityWeights: Record<string, number>;
  /** Seniority ranks: higher reaches further up the customer's organisation. */
  seniorityRanks: Record<string, number>;
  /** Roles a complete buying committee has. */
  requiredRoles: string[];
  /** Contact roles that count as blockers whatever their stance. */
  blockerRoles: string[];
  /** Our users' roles that count as executive (sponsor) and as sales engineer. */
  executiveRole: string;
  engineerRole: string;
  /** Similar past projects: the `k` nearest closed deals among the `candidatePool` most recent closed before the date in the same segment and product line. */
  similar: { k: number; candidatePool: number };
}

/** The defaults live in the one config schema (pipeline/config/config.ts, `features`). */
export const DEFAULT_FEATURE_CONFIG: FeatureConfig = DEFAULTS.features;

/** Overrides: any field may be left out; nested records replace the default record as a whole. */
export type FeatureOptions = Partial<Omit<FeatureConfig, 'similar'>> & { similar?: Partial<FeatureConfig['similar']> };

/** Merges overrides onto the defaults and checks the few values SQL would otherwise misread. */
export function resolveFeatureConfig(overrides: FeatureOptions = {}): FeatureConfig {
  const config: FeatureConfig = {
    ...DEFAULT_FEATURE_CONFIG,
    ...withoutUndefined(overrides),
    similar: { ...DEFAULT_FEATURE_CONFIG.similar, ...withoutUndefined(overrides.similar ?? {}) },
  };
  const positive = {
    halfLifeDays: config.halfLifeDays,
    spacingDays: config.spacingDays,
    'similar.k': config.similar.k,
    'similar.candidatePool': config.similar.candidatePool,
  };
  for (const [name, value] of Object.entries(positive)) {
    if (!(Number.isFinite(value) && value > 0))
      throw new WuweiError('bad_option', `feature setting ${name} must be a positive number, got ${value}`);
  }
  if (!(Number.isInteger(config.firstLookDays) && config.firstLookDays >= 0))
    throw new WuweiError(
      'bad_option',
      `feature setting firstLookDays must be a whole number of days >= 0, got ${config.firstLookDays}`,
    );
  const weights = {
    inboundWeight: config.inboundWeight,
    otherActivityWeight: config.otherActivityWeight,
    ...prefixed('activityWeights', config.activityWeights),
    ...prefixed('seniorityWeights', config.seniorityWeights),
  };
  for (const [name, value] of Object.entries(weights)) {
    if (!(Number.isFinite(value) && value >= 0))
      throw new WuweiError('bad_option', `feature setting ${name} must be a number >= 0, got ${value}`);
  }
  if (config.stages.length === 0)
    throw new WuweiError('bad_option', 'feature setting stages must list at least one open stage');
  return config;
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function prefixed(prefix: string, record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [`${prefix}.${key}`, value]));
}
