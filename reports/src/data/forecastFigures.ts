/**
 * Every forecast figure the site shows, read as the forecast stage wrote it: `forecasts` (the
 * latest as-of date: per month and fiscal quarter, company total and per segment) and `backtest` /
 * `backtest_summary` (accuracy of past quarters). No page multiplies win probability by amount
 * itself: the forecast uses the deal-size and close-timing models and the run rate of new deals,
 * so a page-made sum would be a different number (issue 17).
 */
import { queryRows, quoteLiteral, type DuckDBConnection } from '../../../pipeline/base/db.ts';
import type {
  BacktestRow,
  BacktestSummary,
  ConvergencePoint,
  ForecastFigures,
  Maybe,
  RangeForecast,
  SegmentPeriodForecast,
  AppliedStageFactor,
} from '../components/types.ts';
import { ALL_STAGES } from '../../../pipeline/forecast/stage-correction.ts';
import { optionalColumns, requireColumns } from './tables.ts';

/** The declared shape of `forecasts` the pages read (the forecast stage may add more). */
export const FORECASTS_COLUMNS = [
  'as_of',
  'period_type',
  'period_label',
  'period_start',
  'period_end',
  'segment_type',
  'segment',
  'won_to_date',
  'expected',
  'p10',
  'p50',
  'p90',
  'weighted_pipeline',
  'rep_commit',
  'rep_best_case',
  'rep_pipeline',
  'open_deals',
];
/** Written by the forecast stage when a targets file is configured; the pages show "no target" without them. */
export const TARGET_COLUMNS = ['target', 'attainment', 'forecast_attainment'];
/** The declared shape of `backtest` (one row per period and segment, methods as columns) and `backtest_summary`. */
export const BACKTEST_COLUMNS = [
  'as_of',
  'period_type',
  'period_label',
  'period_start',
  'period_end',
  'segment_type',
  'segment',
  'actual',
  'expected',
  'p10',
  'p50',
  'p90',
  'weighted_pipeline',
  'rep_commit',
  'rep_best_case',
];
export const BACKTEST_SUMMARY_COLUMNS = [
  'method',
  'periods',
  'accuracy',
  'bias',
  'wape',
  'hit_rate_10',
  'range_coverage',
];
/** Each backtest method and the `backtest` column holding its forecast (as pipeline/forecast/backtest.ts judges them). */
export const METHOD_COLUMNS: Record<string, string> = {
  wuwei: 'expected',
  weighted_pipeline: 'weighted_pipeline',
  rep_commit: 'rep_commit',
  rep_best_case: 'rep_best_case',
};

const FORECAST_WHAT = 'The period forecast with its P10–P90 range';

/** The company total of every period of the latest forecast, months and quarters, oldest first. */
export async function forecastPeriods(conn: DuckDBConnection): Promise<Maybe<{ asOf: string; rows: RangeForecast[] }>> {
  const missing = await requireColumns(conn, 'forecasts', FORECASTS_COLUMNS, FORECAST_WHAT);
  if (missing) return missing;
  const targets = await optionalColumns(conn, 'forecasts', TARGET_COLUMNS);
  const target = (column: string) => (targets.has(column) ? `${column}::DOUBLE` : 'NULL::DOUBLE');
  const rows = await queryRows<RangeForecast & { asOf: string }>(
    conn,
    `SELECT strftime(as_of, '%Y-%m-%d') AS "asOf", period_type AS "periodType", period_label AS "periodLabel",
            strftime(period_start, '%Y-%m-%d') AS "periodStart", strftime(period_end, '%Y-%m-%d') AS "periodEnd",
            period_end <= as_of AS closed,
            coalesce(won_to_date, 0)::DOUBLE AS "wonToDate", expected::DOUBLE AS expected,
            p10::DOUBLE AS p10, p50::DOUBLE AS p50, p90::DOUBLE AS p90,
            coalesce(weighted_pipeline, 0)::DOUBLE AS "weightedPipeline", coalesce(rep_commit, 0)::DOUBLE AS "repCommit",
            coalesce(rep_best_case, 0)::DOUBLE AS "repBestCase", coalesce(rep_pipeline, 0)::DOUBLE AS "repPipeline",
            coalesce(open_deals, 0)::INTEGER AS "openDeals",
            ${target('target')} AS target, ${target('attainment')} AS attainment, ${target('forecast_attainment')} AS "forecastAttainment"
     FROM forecasts
     WHERE segment_type = 'all' AND as_of = (SELECT max(as_of) FROM forecasts)
     ORDER BY period_type DESC, period_start`,
  );
  if (rows.length === 0)
    return {
      available: false,
      reason:
        "The period forecast is not available in this run: the forecasts table has no company total (segment_type 'all').",
    };
  const asOf = rows[0]!.asOf;
  return {
    available: true,
    asOf,
    rows: rows.map(
      ({ asOf: _asOf, periodLabel: stored, ...row }: RangeForecast & { asOf: string; periodLabel?: string }) => ({
        ...row,
        label: stored && row.periodType === 'quarter' ? stored : periodLabel(row.periodStart, row.periodEnd),
      }),
    ),
  };
}

/** The quarter the first screen is about: the first one still open on the run date (else the last one). */
export function headlineQuarter(rows: RangeForecast[]): RangeForecast | null {
  const quarters = rows.filter((row) => row.periodType === 'quarter');
  return quarters.find((row) => !row.closed) ?? quarters.at(-1) ?? null;
}

/** One period's forecast per owner, team, region and product line, largest first. Owners by name. */
export async function segmentForecasts(
  conn: DuckDBConnection,
  periodStart: string,
  periodType: string,
): Promise<SegmentPeriodForecast[]> {
  return queryRows<SegmentPeriodForecast>(
    conn,
    `SELECT f.segment_type AS "segmentType", f.segment,
            CASE WHEN f.segment_type = 'owner' THEN coalesce(u.name, f.segment) ELSE f.segment END AS label,
            coalesce(f.won_to_date, 0)::DOUBLE AS "wonToDate", f.expected::DOUBLE AS expected,
            f.p10::DOUBLE AS p10, f.p50::DOUBLE AS p50, f.p90::DOUBLE AS p90,
            coalesce(f.weighted_pipeline, 0)::DOUBLE AS "weightedPipeline", coalesce(f.open_deals, 0)::INTEGER AS "openDeals"
     FROM forecasts AS f
     LEFT JOIN users AS u ON f.segment_type = 'owner' AND u.user_id = f.segment
     WHERE f.segment_type <> 'all' AND f.as_of = (SELECT max(as_of) FROM forecasts)
       AND f.period_type = ${quoteLiteral(periodType)} AND f.period_start = DATE ${quoteLiteral(periodStart)}
     ORDER BY f.segment_type, f.p50 DESC, f.segment`,
  );
}

const BACKTEST_WHAT = 'Forecast accuracy from the backtest';

/**
 * The backtest as the stage wrote it: per-period accuracy of each method (for the chart, from the
 * forecast made at each quarter's start), the stage's own summary per method, and, where the
 * backtest has several as-of dates in a period, how the forecast converged.
 */
export async function backtestAccuracy(
  conn: DuckDBConnection,
): Promise<Maybe<{ rows: BacktestRow[]; summary: BacktestSummary[]; convergence: ConvergencePoint[] }>> {
  const missing =
    (await requireColumns(conn, 'backtest', BACKTEST_COLUMNS, BACKTEST_WHAT)) ??
    (await requireColumns(conn, 'backtest_summary', BACKTEST_SUMMARY_COLUMNS, BACKTEST_WHAT));
  if (missing) return missing;
  const methods = Object.entries(METHOD_COLUMNS);
  const long = methods
    .map(
      ([
        method,
        column,
      ]) => `SELECT period_start, period_end, period_label, as_of, ${quoteLiteral(method)} AS method, ${column}::DOUBLE AS forecast, actual::DOUBLE AS actual,
                                      ${method === 'wuwei' ? 'p10, p90' : 'NULL::DOUBLE AS p10, NULL::DOUBLE AS p90'} FROM totals`,
    )
    .join(' UNION ALL ');
  const all = await queryRows<
    Omit<BacktestRow, 'label'> & { periodEnd: string; periodLabel: string | null; asOf: string; first: boolean }
  >(
    conn,
    `WITH totals AS (SELECT * FROM backtest WHERE segment_type = 'all'),
     long AS (${long})
     SELECT strftime(period_start, '%Y-%m-%d') AS "periodStart", strftime(period_end, '%Y-%m-%d') AS "periodEnd",
            period_label AS "periodLabel", strftime(as_of, '%Y-%m-%d') AS "asOf",
            as_of = min(as_of) OVER (PARTITION BY period_start, method) AS first,
            method, forecast, actual,
            (1 - abs(actual - forecast) / nullif(actual, 0))::DOUBLE AS accuracy,
            ((forecast - actual) / nullif(actual, 0))::DOUBLE AS bias,
            CASE WHEN p10 IS NULL OR p90 IS NULL THEN NULL ELSE actual BETWEEN p10 AND p90 END AS "inRange"
     FROM long
     ORDER BY period_start, as_of, method`,
  );
  if (all.length === 0)
    return { available: false, reason: 'Forecast accuracy is not available in this run: the backtest table is empty.' };
  const label = (row: { periodLabel: string | null; periodStart: string; periodEnd: string }) =>
    row.periodLabel ?? periodLabel(row.periodStart, row.periodEnd);
  const rows = all
    .filter((row) => row.first)
    .map(({ periodEnd, periodLabel, asOf: _asOf, first: _first, ...row }) => ({
      ...row,
      label: label({ periodLabel, periodStart: row.periodStart, periodEnd }),
    }));
  const nights = new Map<string, Set<string>>();
  for (const row of all) nights.set(row.periodStart, (nights.get(row.periodStart) ?? new Set()).add(row.asOf));
  const convergence = all
    .filter((row) => (nights.get(row.periodStart)?.size ?? 0) > 1)
    .map((row) => ({
      label: label(row),
      asOf: row.asOf,
      day: Math.round((Date.parse(row.asOf) - Date.parse(row.periodStart)) / 86_400_000),
      method: row.method,
      accuracy: row.accuracy,
    }));
  const summary = await queryRows<BacktestSummary>(
    conn,
    `SELECT method, periods::INTEGER AS periods, accuracy::DOUBLE AS "meanAccuracy", bias::DOUBLE AS "meanBias", wape::DOUBLE AS wape,
            hit_rate_10::DOUBLE AS "hitRate10", range_coverage::DOUBLE AS coverage
     FROM backtest_summary
     ORDER BY coalesce(list_position([${Object.keys(METHOD_COLUMNS).map(quoteLiteral).join(', ')}], method), 99), method`,
  );
  return { available: true, rows, summary, convergence };
}

/** "Q3 2026" for a calendar quarter, "Jul 2026" for a month, else the two dates. */
export function periodLabel(start: string, end: string | null): string {
  const from = new Date(`${start}T00:00:00Z`);
  const month = from.toLocaleDateString('en-US', { month: 'short', year: 'numeric', timeZone: 'UTC' });
  if (!end) return month;
  const days = (new Date(`${end}T00:00:00Z`).getTime() - from.getTime()) / 86_400_000;
  if (days > 80 && days < 95 && from.getUTCMonth() % 3 === 0)
    return `Q${from.getUTCMonth() / 3 + 1} ${from.getUTCFullYear()}`;
  if (days < 32) return month;
  return `${start} – ${end}`;
}

/** The figures the Overview and the Forecast page both show: one function, so they cannot differ. */
export async function forecastFigures(conn: DuckDBConnection): Promise<ForecastFigures> {
  const periods = await forecastPeriods(conn);
  return {
    periods,
    quarter: periods.available ? headlineQuarter(periods.rows) : null,
    accuracy: await backtestAccuracy(conn),
    stageCorrection: await stageCorrection(conn),
  };
}

/** The declared shape of `forecast_stage_factors`. */
export const STAGE_FACTOR_COLUMNS = ['as_of', 'stage', 'nights', 'deals', 'won', 'expected', 'factor', 'open_deals'];

/** The latest forecast's factors, stages by expected wins, the pooled factor last (no rows: no correction that night). */
export async function stageCorrection(conn: DuckDBConnection): Promise<Maybe<{ factors: AppliedStageFactor[] }>> {
  const missing = await requireColumns(
    conn,
    'forecast_stage_factors',
    STAGE_FACTOR_COLUMNS,
    "The forecast's correction by stage",
  );
  if (missing) return missing;
  const factors = await queryRows<AppliedStageFactor>(
    conn,
    `SELECT stage, nights, deals, won, expected::DOUBLE AS expected, factor::DOUBLE AS factor, open_deals AS "openDeals"
     FROM forecast_stage_factors WHERE as_of = (SELECT max(as_of) FROM forecasts)
     ORDER BY stage = ${quoteLiteral(ALL_STAGES)}, expected DESC, stage`,
  );
  return { available: true, factors };
}
