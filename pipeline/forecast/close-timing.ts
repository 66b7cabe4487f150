/**
 * When a deal closes, as a log-normal number of days after the as-of date (median, log-scale sigma):
 * the probability of closing inside a period, and the fallback used when the models give no timing,
 * which reads the rep's close date through a regression fitted on closed deals (point in time).
 */
import { queryRows, type DuckDBConnection } from '../db.ts';
import { logNormalSurvival } from '../random.ts';

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

/** Fits the rep-date timing on `features_train` (closed deals observed before they closed). */
export async function fitRepDateTiming(conn: DuckDBConnection, table = 'features_train'): Promise<RepDateTiming> {
  const rows = await queryRows<{ stage: string | null; n: number; slope: number | null; intercept: number | null; sigma: number | null }>(
    conn,
    `WITH observed AS (
        SELECT stage,
               ln(greatest(datediff('day', as_of, expected_close_date), ${MIN_REP_DAYS})) AS x,
               ln(greatest(datediff('day', as_of, final_close_date), 1)) AS y
        FROM ${table}
        WHERE label_won = 1 AND expected_close_date IS NOT NULL AND final_close_date IS NOT NULL),
     fits AS (
        SELECT stage, count(*)::INTEGER AS n, regr_slope(y, x) AS slope, regr_intercept(y, x) AS intercept
        FROM observed GROUP BY GROUPING SETS ((stage), ()))
     SELECT fits.stage, fits.n, fits.slope, fits.intercept,
            (SELECT stddev_samp(y - (fits.intercept + fits.slope * x)) FROM observed
             WHERE fits.stage IS NULL OR observed.stage = fits.stage) AS sigma
     FROM fits`,
  );
  const fit = (row: (typeof rows)[number] | undefined): TimingFit | null =>
    row && row.n >= MIN_FIT_OBSERVATIONS && row.slope !== null && row.intercept !== null && row.sigma !== null
      ? { intercept: row.intercept, slope: row.slope, logSigma: row.sigma, fittedOn: row.n }
      : null;
  const byStage: Record<string, TimingFit> = {};
  for (const row of rows) {
    const stageFit = row.stage === null ? null : fit(row);
    if (stageFit) byStage[row.stage!] = stageFit;
  }
  return { pooled: fit(rows.find((row) => row.stage === null)) ?? DEFAULT_TIMING, byStage };
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
