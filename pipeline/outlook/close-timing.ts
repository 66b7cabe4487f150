/**
 * When a deal closes, as a log-normal number of days after the as-of date (median, log-scale sigma):
 * the probability of closing inside a period, and the fallback used when the models give no timing,
 * which reads the rep's close date through a regression fitted on closed deals (point in time).
 */
import type { DuckDBConnection } from '../base/db.ts';
import { readColumns } from '../base/columns.ts';
import { logNormalSurvival } from '../base/random.ts';

/**
 * Probability that a deal closes on a day in [fromDay, toDay] (days after the as-of date, inclusive),
 * when its close time T is log-normal and it closes on day ceil(T).
 */
export function probabilityCloseBetween(median: number, logSigma: number, fromDay: number, toDay: number): number {
  if (toDay < 1 || toDay < fromDay) return 0;
  const mu = Math.log(Math.max(median, 1e-9));
  const sigma = Math.max(logSigma, 1e-9);
  const cdf = (t: number) => (t <= 0 ? 0 : 1 - logNormalSurvival(t, mu, sigma));
  return Math.max(0, cdf(toDay) - cdf(Math.max(fromDay, 1) - 1));
}

/**
 * How the rep's close date maps to when a deal that is won actually closes, per stage:
 * log(actual days) = intercept + slope * log(max(rep days, MIN_REP_DAYS)) + noise with sd
 * `logSigma`. Reps' dates are optimistic for early-stage and far deals; the fit learns that from
 * won deals observed during their life (point in time: only deals closed by the as-of date). Won
 * deals only, because the forecast needs when bookings land: lost deals close sooner.
 */
export interface TimingFit {
  intercept: number;
  slope: number;
  logSigma: number;
  /** Observations it was fitted on; 0 means the documented defaults. */
  fittedOn: number;
}

export interface RepDateTiming {
  pooled: TimingFit;
  byStage: Record<string, TimingFit>;
}

/** Rep dates already due (or nearly) count as this many days out. */
export const MIN_REP_DAYS = 7;

/**
 * Used with fewer than MIN_FIT_OBSERVATIONS: the rep's date is the median, with the log-scale
 * spread measured on the generated demo data (about 0.9: a deal the rep dates 60 days out closes
 * between 19 and 190 days in four cases out of five).
 */
export const DEFAULT_TIMING: TimingFit = { intercept: 0, slope: 1, logSigma: 0.9, fittedOn: 0 };
const MIN_FIT_OBSERVATIONS = 100;

/**
 * Fits the rep-date timing on `features_train` (closed deals observed before they closed). The sums
 * run here in a fixed row order, not in DuckDB's parallel aggregates, so the same data always gives
 * bit-identical fits (and the same night's forecast twice).
 */
export async function fitRepDateTiming(conn: DuckDBConnection, table = 'features_train'): Promise<RepDateTiming> {
  const { rowCount, columns } = await readColumns(
    conn,
    `SELECT coalesce(stage, '') AS stage,
            ln(greatest(datediff('day', as_of, expected_close_date), ${MIN_REP_DAYS}))::DOUBLE AS x,
            ln(greatest(datediff('day', as_of, final_close_date), 1))::DOUBLE AS y
     FROM ${table}
     WHERE label_won = 1 AND expected_close_date IS NOT NULL AND final_close_date IS NOT NULL
     ORDER BY opportunity_id, as_of`,
    { stage: 'text', x: 'float64', y: 'float64' },
  );
  const all = Array.from({ length: rowCount }, (_, i) => i);
  const byStage = new Map<string, number[]>();
  for (let i = 0; i < rowCount; i++) {
    const stage = columns.stage[i]!;
    if (!byStage.has(stage)) byStage.set(stage, []);
    byStage.get(stage)!.push(i);
  }
  const fits: Record<string, TimingFit> = {};
  for (const [stage, rows] of [...byStage].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const stageFit = leastSquares(columns.x, columns.y, rows);
    if (stageFit) fits[stage] = stageFit;
  }
  return { pooled: leastSquares(columns.x, columns.y, all) ?? DEFAULT_TIMING, byStage: fits };
}

/** Ordinary least squares of y on x over `rows`, with the residuals' sample sd; null below MIN_FIT_OBSERVATIONS. */
function leastSquares(x: Float64Array, y: Float64Array, rows: number[]): TimingFit | null {
  const n = rows.length;
  if (n < MIN_FIT_OBSERVATIONS) return null;
  let meanX = 0;
  let meanY = 0;
  for (const i of rows) {
    meanX += x[i]!;
    meanY += y[i]!;
  }
  meanX /= n;
  meanY /= n;
  let sxx = 0;
  let sxy = 0;
  for (const i of rows) {
    sxx += (x[i]! - meanX) ** 2;
    sxy += (x[i]! - meanX) * (y[i]! - meanY);
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  const intercept = meanY - slope * meanX;
  let squares = 0;
  for (const i of rows) squares += (y[i]! - intercept - slope * x[i]!) ** 2;
  return { intercept, slope, logSigma: Math.sqrt(squares / (n - 1)), fittedOn: n };
}

/** The timing fit of a stage (the pooled one when the stage had too few won deals). */
export function timingFor(timing: RepDateTiming, stage: string | null): TimingFit {
  return (stage !== null ? timing.byStage[stage] : undefined) ?? timing.pooled;
}

/** Median days to close for a deal the rep dates `repDays` after the as-of date (null: no date). */
export function medianDaysFromRepDate(fit: TimingFit, repDays: number | null): number {
  const x = Math.log(Math.max(repDays ?? 90, MIN_REP_DAYS));
  return Math.exp(fit.intercept + fit.slope * x);
}
