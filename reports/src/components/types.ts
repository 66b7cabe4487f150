/**
 * The JSON shapes the data loaders write and the pages read: the contract between
 * `reports/src/data/*.json.ts` and the chart builders. Names of deals, accounts and owners are CRM
 * records; contacts' and employees' names and e-mails leave only with personal data allowed.
 */

// A stage's correction is the forecast stage's own type (a type only: nothing of the pipeline reaches the browser).
import type { AppliedStageFactor } from '../../../pipeline/forecast/stage-correction.ts';

export type { AppliedStageFactor };

export interface StageSummary {
  stage: string;
  stageProbability: number;
  deals: number;
  amount: number;
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
  name:
    | 'AUC'
    | 'PR AUC'
    | 'Log loss'
    | 'Brier score'
    | 'Calibration error (ECE)'
    | 'Deal-size WAPE'
    | 'Deal-size median APE';
  wuwei: number;
  baseline: number;
  higherIsBetter: boolean;
}

/** The forecast figures every page shares, read from the forecast stage's tables (forecastFigures.ts). */
export interface ForecastFigures {
  /** Every period of the latest forecast, company total: quarters then months. */
  periods: Maybe<{ asOf: string; rows: RangeForecast[] }>;
  /** The quarter the first screen is about: the first still open on the run date. */
  quarter: RangeForecast | null;
  /** Accuracy of past forecasts per method (backtest_summary) and per period (backtest). */
  accuracy: Maybe<{ rows: BacktestRow[]; summary: BacktestSummary[]; convergence: ConvergencePoint[] }>;
  /** The factors by stage the latest forecast multiplied the open deals' win probabilities by, with how many open deals each (none: no correction). */
  stageCorrection: Maybe<{ factors: AppliedStageFactor[] }>;
}

export interface Overview {
  asOf: string;
  scoredAt: string;
  scoresModelVersion: string;
  currency: string;
  openDeals: number;
  openAmount: number;
  forecast: ForecastFigures;
  byStage: StageSummary[];
  model: (Pick<ModelSummary, 'version' | 'trainedAt' | 'backend'> & { auc: number; baselineAuc: number }) | null;
  /** Tonight against the previous night: new, won, lost, slipped, re-scored deals; a retrain; the forecast's move. */
  night: Maybe<NightChanges>;
  /** The few deals that matter most: largest expected value, with the change since the previous night. */
  keyDeals: {
    opportunityId: string;
    name: string | null;
    accountName: string | null;
    stage: string;
    amount: number;
    winProbability: number;
    expectedValue: number;
    change: number | null;
  }[];
  /** The accounts with the most open pipeline. */
  keyAccounts: { accountId: string; name: string | null; deals: number; amount: number; meanWinProbability: number }[];
}

export interface Forecast {
  asOf: string;
  currency: string;
  forecast: ForecastFigures;
  /** The headline quarter per owner, team, region and product line. */
  segments: SegmentPeriodForecast[];
  night: Maybe<NightChanges>;
}

export interface RangeForecast {
  /** 'quarter' or 'month' (the forecast stage's period_type). */
  periodType: string;
  periodStart: string;
  periodEnd: string;
  label: string;
  /** The period has ended by the run date: its bookings are actuals (won to date), not a forecast. */
  closed: boolean;
  wonToDate: number;
  expected: number;
  p10: number;
  p50: number;
  p90: number;
  /** The CRM's numbers for the period's open deals: stage-weighted, the rep's commit and best case, all open. */
  weightedPipeline: number;
  repCommit: number;
  repBestCase: number;
  repPipeline: number;
  openDeals: number;
  /** From forecast.targets; null when no target is set for the period. */
  target: number | null;
  /** Won to date / target, and the forecast (expected) / target. */
  attainment: number | null;
  forecastAttainment: number | null;
}

/** One period's forecast for one segment (owner, team, region, product line) from `forecasts`. */
export interface SegmentPeriodForecast {
  segmentType: string;
  segment: string;
  /** The owner's name for owners, else the segment itself. */
  label: string;
  wonToDate: number;
  expected: number;
  p10: number;
  p50: number;
  p90: number;
  weightedPipeline: number;
  openDeals: number;
}

export interface BacktestRow {
  periodStart: string;
  label: string;
  method: string;
  forecast: number;
  actual: number;
  /** 1 - |actual - forecast| / actual */
  accuracy: number | null;
  /** (forecast - actual) / actual: above zero is over-forecast. */
  bias: number | null;
  /** The actual fell inside P10–P90 (null when the method has no range). */
  inRange: boolean | null;
}

/** One method's accuracy over the backtested periods, as `backtest_summary` holds it. */
export interface BacktestSummary {
  method: string;
  periods: number;
  meanAccuracy: number | null;
  meanBias: number | null;
  wape: number | null;
  /** Share of periods forecast within ±10% of the actual. */
  hitRate10: number | null;
  /** Share of periods with the actual inside P10–P90. */
  coverage: number | null;
}

/** A past period forecast at several dates within it (weekly as-of rows, where the backtest has them). */
export interface ConvergencePoint {
  label: string;
  asOf: string;
  /** Days from the period's start to the as-of date. */
  day: number;
  method: string;
  accuracy: number | null;
}

/** One kind of change between the previous night of scores and tonight, with the deals behind it. */
export interface NightChange {
  kind: 'new' | 'won' | 'lost' | 'slipped' | 'rescored' | 'dropped';
  label: string;
  deals: number;
  /** Rep amount of those deals. */
  amount: number;
  /** Change of their expected value (win probability × expected amount if won) since the previous night. */
  valueChange: number;
  ids: string[];
}

export interface NightChanges {
  previousAsOf: string;
  changes: NightChange[];
  /** Set when tonight's scores come from another model than last night's. */
  retrain: { version: string; previousVersion: string | null; trainedAt: string | null } | null;
  /** The headline quarter's P50 in the previous night's forecast and tonight's. */
  forecast: { before: number; now: number } | null;
  /** What moved the number, in one or two sentences. */
  reason: string;
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
  /** Lift by depth (share of holdout deals, best-scored first): stored by the model stage, or derived from the ROC curve and the base rate. */
  lift: Maybe<{ source: 'stored' | 'derived'; baseRate: number | null; points: LiftPoint[] }>;
  families: FamilyImportance[];
  catalog: CatalogEntry[];
  /** Deal-size model error against the rep-entered amount, when the model stage measured it. */
  amountError: Maybe<{ metrics: ModelMetric[]; closeTiming: { maeDays: number; baselineMaeDays: number } | null }>;
}

export interface LiftPoint {
  model: ModelName;
  /** Share of holdout deals taken, best-scored first (0.1 = top decile). */
  depth: number;
  /** Win rate of those deals over the overall win rate. */
  lift: number;
}

export interface FamilyImportance {
  family: string;
  dimension: string;
  /** Sum of the positive permutation importances of the family's features. */
  importance: number;
  features: number;
}

export interface CatalogEntry {
  name: string;
  dimension: string;
  family: string;
  definition: string;
  unit: string;
  direction: string;
  /** Holdout AUC drop in the active model; null if the model did not report it. */
  importance: number | null;
}

/** A panel whose data this run does not have (a table another stage adds): the page says so. */
export interface Unavailable {
  available: false;
  /** One sentence for the reader: what is missing and why. */
  reason: string;
}

export type Available<T> = { available: true } & T;
export type Maybe<T> = Available<T> | Unavailable;

// ---- Next moves on the visible lines (data/moveLists.ts) ----

/** A key account's uncovered buying-group role and the move the model values most for closing it (ESP+). */
export interface CoverageGapMove {
  accountId: string;
  /** The account's open expected value: what makes it key. */
  potential: number;
  opportunityId: string;
  gap: string | null;
  move: string;
  deltaWin: number;
  valueAtStake: number;
}

/** A stalled open deal and the move the model expects to raise it most (TAS+). */
export interface StalledDealMove {
  opportunityId: string;
  accountId: string;
  stage: string;
  winProbability: number;
  bestMove: string;
  deltaWin: number;
  valueAtStake: number;
}

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
  /** The Deals page's "stalled" list (data/dealLists.ts): the same deals the count links to. */
  stalled: { deals: number; amount: number; rule: string };
  /** The stalled deals with the move that would most raise them. */
  stalledMoves: Maybe<{ rows: StalledDealMove[] }>;
}

// ---- Relationship coverage (ECM) ----

/** One buying role on one key deal. */
export interface CoverageCell {
  opportunityId: string;
  /** The deal's name in the CRM (its id when it has none). */
  dealName?: string;
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

// ---- Deals ----

/** One open deal as the Deals page lists it; the optional parts come from richer scores when the run has them. */
/** One of a deal's top factors, in a sales manager's words with the deal's value. */
export interface DealFactor {
  text: string;
  /** Effect on the win probability in percentage points (+ helps), as the scoring stage measured it. */
  points: number | null;
  /** The catalog feature behind it, when the label names one. */
  feature: string | null;
}

/** The lists to act on: a deal can be on several. */
export type DealList = 'stalled' | 'single-threaded' | 'slipping' | 'at-risk';

export interface DealRow {
  opportunityId: string;
  /** Deal, account and owner names: CRM records, not personal data. */
  name: string | null;
  accountId: string;
  accountName: string | null;
  ownerId: string;
  ownerName: string | null;
  team: string | null;
  region: string | null;
  segment: string;
  /** 'open' for tonight's open deals; 'won' / 'lost' for deals that closed since the previous night. */
  status: 'open' | 'won' | 'lost';
  stage: string;
  forecastCategory: string | null;
  amount: number;
  /** The rep's close date and its fiscal quarter (from the forecast's periods where it has them). */
  expectedCloseDate: string | null;
  closeQuarter: string | null;
  stageProbability: number;
  winProbability: number;
  score: number;
  /** Win probability × the amount expected if won. */
  expectedValue: number;
  /** Change in win probability since the previous night (null for a deal new tonight or a first run). */
  change: number | null;
  grade: string | null;
  trend: string | null;
  /** Amount if won, from the deal-size model. */
  expectedAmount: number | null;
  /** The model's expected close date (scores.predicted_close_date); the rep's stays in expectedCloseDate. */
  modelCloseDate: string | null;
  /** Chance the deal does not close in the rep's period. */
  slipRisk: number | null;
  lists: DealList[];
  positiveFactors: DealFactor[];
  negativeFactors: DealFactor[];
  /** The relationship picture (ECM) from the deal's features. */
  relationships: { label: string; value: string }[];
}

/** One grade and its lowest score (0–100). */
export interface GradeBand {
  grade: string;
  from: number;
}

export interface DealsReport {
  asOf: string;
  currency: string;
  totalOpenDeals: number;
  /** At most this many deals are listed (by expected value); the page says so when there are more. */
  limit: number;
  deals: DealRow[];
  /** How each list is defined, in words, for the page. */
  listRules: Record<DealList, string>;
  /** Which optional columns this run's scores carry. */
  columns: {
    grade: boolean;
    trend: boolean;
    expectedAmount: boolean;
    modelCloseDate: boolean;
    slipRisk: boolean;
    factors: boolean;
  };
  /** Grade bands (lower score bound per grade) as configured (`grades` in the config), best first. */
  grades: GradeBand[];
  /** What changed since the previous night, by deal id, for the lists the first screen links to. */
  changes: Record<string, string[]>;
  /** The nights of score history, oldest first, and each listed deal's win probability on them. */
  nights: string[];
  history: Record<string, (number | null)[]>;
}

// ---- Key accounts (ESP+) ----

export type AccountTier = 'Strategic' | 'Grow' | 'Maintain' | 'Monitor';

export interface AccountRow {
  accountId: string;
  label: string;
  segment: string;
  tier: AccountTier;
  /** Revenue won from the account in the last 24 months. */
  value: number;
  /** Expected value of the account's open deals: win probability × amount (rep amount if the deal has no score). */
  potential: number;
  openDeals: number;
  openAmount: number;
  /** Our people who interacted with the account in the last 90 days. */
  ourPeople: number;
  /** Their contacts who took part in an interaction in the last 90 days. */
  theirContacts: number;
  executiveInvolved: boolean;
  /** Decayed relationship strength as of the run date (catalog weights). */
  strength: number;
}

export interface AccountsReport {
  asOf: string;
  currency: string;
  totalAccounts: number;
  /** Accounts with any value or potential: the ones the tier thresholds are taken over. */
  activeAccounts: number;
  /** Thresholds (80th percentile among accounts with any value or potential) that define the tiers. */
  valueThreshold: number;
  potentialThreshold: number;
  limit: number;
  accounts: AccountRow[];
  tiers: { tier: AccountTier; accounts: number; value: number; potential: number; openAmount: number }[];
  /** The key accounts' coverage gaps with the moves that close them. */
  gapMoves: Maybe<{ rows: CoverageGapMove[] }>;
}

// ---- Data quality ----

export interface EntityLoad {
  entity: string;
  /** Rows in the table now. */
  loaded: number;
  rejected: number;
  /** The export file the rows came from, when any row was rejected (load_rejects names it). */
  file: string | null;
}

export interface RejectReason {
  entity: string;
  column: string;
  reason: string;
  rows: number;
}

export interface RejectExample {
  entity: string;
  line: number;
  column: string;
  reason: string;
  /** The offending value, unless it may identify a person (pipeline/load/personal-data.ts) and personal data is not shown. */
  value: string | null;
}

export interface RunHistoryEntry {
  startedAt: string;
  outcome: string;
  /** Seconds per stage, in the run's order. */
  stages: { stage: string; seconds: number }[];
  loaded: number | null;
  rejected: number | null;
}

export interface DataQualityReport {
  asOf: string;
  source: string | null;
  loadedAt: string | null;
  entities: EntityLoad[];
  reasons: RejectReason[];
  examples: RejectExample[];
  runs: RunHistoryEntry[];
}
