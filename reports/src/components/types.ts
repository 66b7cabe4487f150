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
