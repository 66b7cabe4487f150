/** The backtest's rows: a forecast made at a past as-of date beside what was really won, in total and deal by deal. */
import type { ForecastRow } from './index.ts';

export interface BacktestRow extends ForecastRow {
  /** Whole weeks from the day before the quarter to the as-of date (0: the quarter-start forecast). */
  weeks_into_period: number;
  /** Won in the quarter: won_to_date + actual_open + actual_new. */
  actual: number;
  /** Won in the quarter after the as-of date by deals open at it. */
  actual_open: number;
  /** Won in the quarter by deals created after the as-of date. */
  actual_new: number;
}

/** One open deal's forecast for the quarter beside how it really went: the open-deal part, deal by deal. */
export interface BacktestDeal {
  asOf: string;
  periodLabel: string;
  weeksIntoPeriod: number;
  opportunityId: string;
  /** Its stage then. */
  stage: string | null;
  /** The model's win probability then (what the next cuts' stage correction learns from). */
  winProbability: number;
  /** The win probability the forecast used: the model's times its stage's correction. */
  forecastWinProbability: number;
  expectedAmount: number;
  /** P(closes in the quarter | won). */
  closeInPeriod: number;
  /** Its close timing then (log-normal days from the as-of date, if won): what the simulation drew from. */
  closeMedianDays: number;
  closeLogSigma: number;
  /** null: still open at the end of the export. */
  won: boolean | null;
  finalAmount: number | null;
  wonInPeriod: boolean;
}
