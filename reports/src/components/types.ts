/**
 * The JSON shapes the data loaders write and the pages read: the contract between
 * `reports/src/data/*.json.ts` and the chart builders. Only ids leave the database, never names.
 */

/** One bucket of the forecast: a month of the rep's expected close date, or past due / later / no date. */
export interface ForecastBucket {
  /** -1 past due, 0 = the run's month, 1..11 the next months, 12 later, 13 no expected close date. */
  monthIndex: number;
  /** What the axis shows: "Past due", "Jul 2026", ..., "Later", "No date". */
  label: string;
  deals: number;
  /** Wuwei expected bookings: sum(win_probability * amount). */
  expected: number;
  /** Weighted pipeline: sum(stage_probability * amount), the CRM's own forecast. */
  weighted: number;
  /** Unweighted pipeline: sum(amount). */
  unweighted: number;
}

export interface StageSummary {
  stage: string;
  stageProbability: number;
  deals: number;
  amount: number;
  expected: number;
  weighted: number;
  /** Mean Wuwei win probability of the stage's open deals, 0..1. */
  meanWinProbability: number;
}

export interface ModelSummary {
  version: string;
  trainedAt: string;
  backend: string;
  seed: number;
  nTrainObs: number;
  nTrainDeals: number;
  nHoldoutObs: number;
  nHoldoutDeals: number;
  trainFrom: string;
  trainTo: string;
  holdoutFrom: string;
  holdoutTo: string;
  trainSeconds: number;
  active: boolean;
  metrics: ModelMetric[];
}

/** One holdout metric of the model next to the same metric of the stage-probability baseline. */
export interface ModelMetric {
  name: 'AUC' | 'PR AUC' | 'Log loss' | 'Brier score' | 'Calibration error (ECE)';
  wuwei: number;
  baseline: number;
  higherIsBetter: boolean;
}

export interface Overview {
  asOf: string;
  scoredAt: string;
  scoresModelVersion: string;
  currency: string;
  openDeals: number;
  openAmount: number;
  expected: number;
  weighted: number;
  pastDue: ForecastBucket | null;
  thisMonth: ForecastBucket;
  nextMonth: ForecastBucket;
  months: ForecastBucket[];
  byStage: StageSummary[];
  model: Pick<ModelSummary, 'version' | 'trainedAt' | 'backend'> & { auc: number; baselineAuc: number } | null;
}

export interface Forecast {
  asOf: string;
  currency: string;
  buckets: ForecastBucket[];
}

export interface OpenDeal {
  opportunityId: string;
  accountId: string;
  ownerId: string;
  stage: string;
  amount: number;
  expectedCloseDate: string | null;
  stageProbability: number;
  winProbability: number;
  /** win_probability * amount */
  expectedValue: number;
}

export interface TopDeals {
  asOf: string;
  currency: string;
  totalOpenDeals: number;
  deals: OpenDeal[];
}

export type ModelName = 'wuwei' | 'stage_baseline';

export interface CurvePoint {
  model: ModelName;
  x: number;
  y: number;
  n: number;
}

export interface FeatureImportance {
  feature: string;
  /** ECM or PBM, from the feature catalog. */
  dimension: string;
  family: string;
  definition: string;
  /** Holdout AUC drop when the feature is permuted. */
  importance: number;
}

export interface ModelReport {
  model: ModelSummary | null;
  roc: CurvePoint[];
  calibration: CurvePoint[];
  importance: FeatureImportance[];
}

/** A panel whose data this run does not have (a table another stage adds): the page says so. */
export interface Unavailable {
  available: false;
  /** One sentence for the reader: what is missing and why. */
  reason: string;
}

export type Available<T> = { available: true } & T;
export type Maybe<T> = Available<T> | Unavailable;

// ---- Pipeline and cycle length ----

/** Cycle length (created to closed, days) of the closed deals of one segment and outcome. */
export interface CycleStats {
  segment: string;
  outcome: 'won' | 'lost';
  deals: number;
  p10: number;
  p25: number;
  median: number;
  p75: number;
  p90: number;
}

export interface CycleBin {
  outcome: 'won' | 'lost';
  /** Lower edge of the bin in days; the last bin holds everything above. */
  fromDays: number;
  /** Upper edge; null for the open-ended last bin. */
  toDays: number | null;
  label: string;
  deals: number;
}

export interface CycleTrendPoint {
  /** First day of the quarter the deals closed in, ISO date. */
  quarter: string;
  label: string;
  outcome: 'won' | 'lost';
  deals: number;
  medianDays: number;
}

export interface StageTime {
  stage: string;
  stageIndex: number;
  /** Median and 75th percentile of the days won deals spent in this stage. */
  wonMedianDays: number | null;
  wonP75Days: number | null;
  openDeals: number;
  /** Median days the open deals now in this stage have spent in it so far. */
  openMedianDays: number | null;
  /** Open deals in the stage longer than the won deals' 75th percentile. */
  openOverNorm: number;
  openOverNormAmount: number;
}

export interface AgeingCell {
  ageBucket: string;
  ageOrder: number;
  stage: string;
  stageIndex: number;
  deals: number;
  amount: number;
}

export interface FunnelStep {
  stage: string;
  stageIndex: number;
  /** Closed deals that reached this stage (or a later one). */
  deals: number;
  /** Share of all closed deals. */
  share: number;
  /** Share of the deals that reached the previous step. */
  conversion: number | null;
}

export interface PipelineReport {
  asOf: string;
  currency: string;
  closedDeals: number;
  cycles: CycleStats[];
  cycleBins: CycleBin[];
  cycleTrend: CycleTrendPoint[];
  stageTimes: StageTime[];
  ageing: AgeingCell[];
  funnel: FunnelStep[];
}

// ---- Relationship coverage (ECM) ----

/** One buying role on one key deal. */
export interface CoverageCell {
  opportunityId: string;
  accountId: string;
  stage: string;
  amount: number;
  role: string;
  /** 'engaged': a contact in the role took part in an activity on the deal; 'named': recorded but never engaged; 'missing'. */
  status: 'engaged' | 'named' | 'missing';
  contacts: number;
}

export interface ThreadingByStage {
  stage: string;
  stageIndex: number;
  /** Open deals with one engaged contact or none. */
  singleThreaded: number;
  multiThreaded: number;
  amountAtRisk: number;
  /** Win-probability-weighted amount of the single-threaded deals (null without scores). */
  expectedAtRisk: number | null;
}

export interface StrengthPoint {
  accountId: string;
  /** First day of the month, ISO; strength is as of the month's last day. */
  month: string;
  strength: number;
}

/** One person-to-person tie on an account: our employee and their contact, by id and role (names only if allowed). */
export interface Tie {
  accountId: string;
  userLabel: string;
  contactLabel: string;
  interactions: number;
  strength: number;
  lastInteraction: string;
}

export interface CompetitorRecord {
  competitor: string;
  openDeals: number;
  openAmount: number;
  closedDeals: number;
  won: number;
  /** won / closed; null when we never closed a deal against them. */
  winRate: number | null;
  incumbentOn: number;
}

export interface RelationshipReport {
  asOf: string;
  currency: string;
  openDeals: number;
  roles: string[];
  coverage: CoverageCell[];
  threading: ThreadingByStage[];
  keyAccounts: { accountId: string; openAmount: number; label: string }[];
  strength: StrengthPoint[];
  ties: Tie[];
  competitors: CompetitorRecord[];
  /** Overall win rate of closed deals, the reference line for the competitor chart. */
  overallWinRate: number | null;
  personalData: boolean;
}
