/**
 * What the models hand to scoring and forecasting for each open deal: the contract between `models/`
 * and `pipeline/score` + `pipeline/forecast`. Arrays are parallel, one entry per deal, in
 * `opportunityIds` order. Optional parts are absent when no model for them is trained yet; the
 * consumer then falls back to what the CRM says (rep amount, rep close date) and marks it so.
 */
export interface DealPredictions {
  opportunityIds: string[];
  /** Calibrated probability that the deal is won. */
  winProbabilities: ArrayLike<number>;
  /** Amount the deal closes at if won, in the reporting currency. */
  expectedAmounts?: ArrayLike<number>;
  /**
   * When the deal closes if it is won, as days from the as-of date: a log-normal with this median
   * and log-scale sigma, so the probability of closing within any period can be computed.
   */
  closeDays?: { median: ArrayLike<number>; logSigma: ArrayLike<number> };
  /** The top factors for each deal, strongest first. */
  factors?: DealFactors[];
  modelVersion: string;
  /** 'model' normally; 'stage_baseline' when too little history to train, so scores are the stage probabilities. */
  source: 'model' | 'stage_baseline';
}

export interface DealFactors {
  positive: Factor[];
  negative: Factor[];
}

export interface Factor {
  /** Feature name from the catalog (pipeline/features/catalog.ts). */
  feature: string;
  /** Plain words for the feature, from the catalog. */
  label: string;
  /** The deal's value and the typical value (median over the training deals). */
  value: number | null;
  typical: number | null;
  /** For a categorical feature (e.g. stage), value and typical are null and these hold the levels. */
  valueLabel?: string;
  typicalLabel?: string;
  /** Change in win probability attributed to this feature (positive helps). */
  effect: number;
}
