/**
 * The period forecast: per month and fiscal quarter and per segment, what is already won in the
 * period plus the expected bookings of the open deals (win probability x expected amount x
 * probability of closing in the period) and of deals not yet created, with a P10/P50/P90 range from
 * a seeded simulation; beside it the CRM's own baselines (weighted pipeline, rep forecast
 * categories) and, with a targets file, attainment and coverage. History per as-of date is kept in
 * the `forecasts` table; `forecast.csv` holds the latest.
 */
import { mkdirSync, renameSync } from 'node:fs';
import { dateValue } from '@duckdb/node-api';
import { join } from 'node:path';
import { queryRows, quoteLiteral, rollback, type DuckDBConnection } from '../base/db.ts';
import type { Logger } from '../base/log.ts';
import { copyToSafeCsv } from '../base/spreadsheet-safe-csv.ts';
import type { WuweiConfig } from '../config/config.ts';
import type { DealOutlook } from '../outlook/deal-outlook.ts';
import { probabilityCloseBetween } from '../outlook/close-timing.ts';
import { createDealFacts, DEFAULT_CLOSING_STAGES, SEGMENT_TYPES, type ClosingStages } from './deal-facts.ts';
import { analogWindows, newDealRunRate } from './new-deals.ts';
import { dayNumber } from '../base/dates.ts';
import { forecastPeriods, type Period } from '../base/periods.ts';
import { simulateBookings } from './simulate.ts';
import {
  applyStageCorrection,
  correctionFromScores,
  describeStageCorrection,
  openDealStages,
  saveStageCorrection,
} from './stage-correction.ts';
import { readTargets } from './targets.ts';

export interface ForecastRow {
  as_of: string;
  period_type: string;
  period_label: string;
  period_start: string;
  period_end: string;
  segment_type: string;
  segment: string;
  won_to_date: number;
  expected_open: number;
  expected_new: number;
  expected: number;
  p10: number;
  p50: number;
  p90: number;
  weighted_pipeline: number;
  rep_commit: number;
  rep_best_case: number;
  rep_pipeline: number;
  open_deals: number;
  target: number | null;
  attainment: number | null;
  forecast_attainment: number | null;
  coverage: number | null;
  model_version: string;
  amount_source: string;
  timing_source: string;
}

/** The forecast.csv columns, in order (also the `forecasts` table's, after nothing else). */
export const FORECAST_COLUMNS: (keyof ForecastRow)[] = [
  'as_of',
  'period_type',
  'period_label',
  'period_start',
  'period_end',
  'segment_type',
  'segment',
  'won_to_date',
  'expected_open',
  'expected_new',
  'expected',
  'p10',
  'p50',
  'p90',
  'weighted_pipeline',
  'rep_commit',
  'rep_best_case',
  'rep_pipeline',
  'open_deals',
  'target',
  'attainment',
  'forecast_attainment',
  'coverage',
  'model_version',
  'amount_source',
  'timing_source',
];
const TEXT_COLUMNS = new Set<keyof ForecastRow>([
  'as_of',
  'period_type',
  'period_label',
  'period_start',
  'period_end',
  'segment_type',
  'segment',
  'model_version',
  'amount_source',
  'timing_source',
]);

export type ForecastSettings = Pick<
  WuweiConfig['forecast'],
  'simulations' | 'seed' | 'newDeals' | 'newDealsLookback' | 'levelUncertainty'
>;

export interface ForecastOptions {
  periods: Period[];
  settings: ForecastSettings;
  stages?: ClosingStages;
  targets?: Map<string, number>;
}

/**
 * Computes the forecast as of `outlook.asOf` for the given periods, with the outlook's win
 * probabilities as given (the callers apply the correction by stage). Reads `features_score` (the
 * open deals as of that date), and the loaded tables only through records stamped on or before it.
 */
export async function computeForecast(
  conn: DuckDBConnection,
  outlook: DealOutlook,
  options: ForecastOptions,
): Promise<ForecastRow[]> {
  const asOf = outlook.asOf;
  const asOfSql = `DATE ${quoteLiteral(asOf)}`;
  const periods = options.periods;
  await createDealFacts(conn, asOf, options.stages ?? DEFAULT_CLOSING_STAGES);

  // Segments: every one a deal created by the as-of date belongs to, `all` first.
  const segments = await queryRows<{ segment_type: string; segment: string }>(
    conn,
    `SELECT DISTINCT segment_type, segment FROM deal_segments
     ORDER BY list_position([${SEGMENT_TYPES.map(quoteLiteral).join(', ')}], segment_type), segment`,
  );
  if (segments.length === 0) segments.push({ segment_type: 'all', segment: 'all' });
  const segmentIndex = new Map(segments.map((s, i) => [`${s.segment_type}|${s.segment}`, i]));
  const cell = (period: number, key: string) => period * segments.length + segmentIndex.get(key)!;
  const cells = periods.length * segments.length;

  // Each open deal's segment indices, in the outlook's order.
  const dealIndex = new Map(outlook.opportunityIds.map((id, i) => [id, i]));
  const perDeal = SEGMENT_TYPES.length;
  const dealSegments = new Int32Array(outlook.opportunityIds.length * perDeal);
  const memberships = await queryRows<{ opportunity_id: string; key: string; type_index: number }>(
    conn,
    `SELECT opportunity_id, segment_type || '|' || segment AS key,
            (list_position([${SEGMENT_TYPES.map(quoteLiteral).join(', ')}], segment_type) - 1)::INTEGER AS type_index
     FROM deal_segments WHERE opportunity_id IN (SELECT opportunity_id FROM features_score)`,
  );
  for (const m of memberships) {
    const i = dealIndex.get(m.opportunity_id);
    if (i !== undefined) dealSegments[i * perDeal + m.type_index] = segmentIndex.get(m.key)!;
  }

  // The CRM's view per period x segment: won so far, weighted pipeline and rep categories by rep close date.
  // The rep's close date is the history's as of the date: the features leave it out on a flat export
  // (no model input for it, int_deal_state.sql), but the CRM's own baseline still has it.
  const periodValues = periods
    .map((p, k) => `(${k}, DATE ${quoteLiteral(p.start)}, DATE ${quoteLiteral(p.end)})`)
    .join(', ');
  const crm = await queryRows<{
    period: number;
    key: string;
    weighted: number;
    commit: number;
    best_case: number;
    pipeline: number;
    open_deals: number;
  }>(
    conn,
    `WITH periods(period, start_date, end_date) AS (VALUES ${periodValues}),
     categories AS (
        SELECT opportunity_id, arg_max(forecast_category, strftime(changed_at, '%Y-%m-%d') || coalesce(forecast_category, '')) AS forecast_category,
               arg_max_null(close_date, changed_at) AS rep_close_date
        FROM opportunity_history WHERE changed_at <= ${asOfSql} GROUP BY opportunity_id),
     open AS (
        SELECT features.opportunity_id, coalesce(features.stage_probability, 0) AS stage_probability, coalesce(features.amount, 0) AS amount,
               coalesce(features.expected_close_date, categories.rep_close_date) AS expected_close_date, categories.forecast_category
        FROM features_score AS features LEFT JOIN categories USING (opportunity_id))
     SELECT periods.period::INTEGER AS period, segments.segment_type || '|' || segments.segment AS key,
            sum(open.stage_probability * open.amount ORDER BY open.opportunity_id)::DOUBLE AS weighted,
            coalesce(sum(open.amount ORDER BY open.opportunity_id) FILTER (WHERE open.forecast_category = 'commit'), 0)::DOUBLE AS commit,
            coalesce(sum(open.amount ORDER BY open.opportunity_id) FILTER (WHERE open.forecast_category IN ('commit', 'best_case')), 0)::DOUBLE AS best_case,
            coalesce(sum(open.amount ORDER BY open.opportunity_id) FILTER (WHERE coalesce(open.forecast_category, 'pipeline') <> 'omitted'), 0)::DOUBLE AS pipeline,
            count(*)::INTEGER AS open_deals
     FROM periods
     JOIN open ON open.expected_close_date BETWEEN periods.start_date AND periods.end_date
     JOIN deal_segments AS segments USING (opportunity_id)
     GROUP BY ALL`,
  );
  const won = await queryRows<{ period: number; key: string; won: number }>(
    conn,
    `WITH periods(period, start_date, end_date) AS (VALUES ${periodValues})
     SELECT periods.period::INTEGER AS period, segments.segment_type || '|' || segments.segment AS key, sum(closes.final_amount ORDER BY closes.opportunity_id)::DOUBLE AS won
     FROM periods
     JOIN deal_closes AS closes ON closes.won AND closes.closed_on BETWEEN periods.start_date AND least(periods.end_date, ${asOfSql})
     JOIN deal_segments AS segments USING (opportunity_id)
     GROUP BY ALL`,
  );

  const wonToDate = new Float64Array(cells);
  for (const row of won) wonToDate[cell(row.period, row.key)] = row.won;
  const crmByCell = new Map(crm.map((row) => [cell(row.period, row.key), row]));

  // Open deals: expected bookings per period x segment.
  const asOfDay = dayNumber(asOf);
  const windows = periods.map((p) => ({
    fromDay: Math.max(1, dayNumber(p.start) - asOfDay),
    toDay: dayNumber(p.end) - asOfDay,
  }));
  const { winProbability } = outlook;
  const expectedOpen = new Float64Array(cells);
  for (let i = 0; i < outlook.opportunityIds.length; i++) {
    const value = winProbability[i]! * outlook.expectedAmount[i]!;
    if (value === 0) continue;
    windows.forEach((w, k) => {
      const share = probabilityCloseBetween(outlook.closeMedianDays[i]!, outlook.closeLogSigma[i]!, w.fromDay, w.toDay);
      for (let g = 0; g < perDeal; g++)
        expectedOpen[k * segments.length + dealSegments[i * perDeal + g]!]! += value * share;
    });
  }

  // Deals not created yet: their run rate on analog windows of the past.
  const [earliest] = await queryRows<{ first: string | null }>(
    conn,
    `SELECT strftime(min(created_date), '%Y-%m-%d') AS first FROM deal_segments`,
  );
  const runRate = options.settings.newDeals
    ? await newDealRunRate(
        conn,
        analogWindows(asOf, periods, options.settings.newDealsLookback, earliest?.first ?? asOf),
        segmentIndex,
        periods.length,
      )
    : { mean: new Float64Array(cells), sd: new Float64Array(cells) };

  const range = simulateBookings({
    winProbability,
    amount: outlook.expectedAmount,
    closeMedianDays: outlook.closeMedianDays,
    closeLogSigma: outlook.closeLogSigma,
    dealSegments,
    segmentsPerDeal: perDeal,
    segmentCount: segments.length,
    periods: windows,
    base: wonToDate,
    newMean: runRate.mean,
    newSd: runRate.sd,
    levelSigma: options.settings.levelUncertainty,
    simulations: options.settings.simulations,
    seed: options.settings.seed,
  });

  const rows: ForecastRow[] = [];
  periods.forEach((period, k) => {
    segments.forEach((segment, s) => {
      const c = k * segments.length + s;
      const baseline = crmByCell.get(c);
      const expected = wonToDate[c]! + expectedOpen[c]! + runRate.mean[c]!;
      if (segment.segment_type !== 'all' && expected === 0 && !baseline) return; // a segment with nothing in this period
      const target =
        options.targets?.get(`${period.type}|${period.start}|${segment.segment_type}|${segment.segment}`) ?? null;
      const remaining = target === null ? null : target - wonToDate[c]!;
      rows.push({
        as_of: asOf,
        period_type: period.type,
        period_label: period.label,
        period_start: period.start,
        period_end: period.end,
        segment_type: segment.segment_type,
        segment: segment.segment,
        won_to_date: wonToDate[c]!,
        expected_open: expectedOpen[c]!,
        expected_new: runRate.mean[c]!,
        expected,
        p10: range.p10[c]!,
        p50: range.p50[c]!,
        p90: range.p90[c]!,
        weighted_pipeline: baseline?.weighted ?? 0,
        rep_commit: baseline?.commit ?? 0,
        rep_best_case: baseline?.best_case ?? 0,
        rep_pipeline: baseline?.pipeline ?? 0,
        open_deals: baseline?.open_deals ?? 0,
        target,
        attainment: target ? wonToDate[c]! / target : null,
        forecast_attainment: target ? expected / target : null,
        coverage: remaining !== null && remaining > 0 ? (baseline?.pipeline ?? 0) / remaining : null,
        model_version: outlook.modelVersion,
        amount_source: outlook.amountSource,
        timing_source: outlook.timingSource,
      });
    });
  });
  return rows;
}

export interface ForecastSummary {
  asOf: string;
  rows: number;
  forecastCsv: string;
  /** The company total per period: expected with its range, and the weighted pipeline beside it. */
  totals: { period: string; wonToDate: number; expected: number; p10: number; p90: number; weightedPipeline: number }[];
}

/** Computes the nightly forecast, keeps it in `forecasts` (replacing that as-of date) and writes forecast.csv. */
export async function writeForecast(
  conn: DuckDBConnection,
  outlook: DealOutlook,
  options: { config: Pick<WuweiConfig, 'forecast' | 'fiscal' | 'features'>; outDir: string; log: Logger },
): Promise<ForecastSummary> {
  const { forecast, fiscal, features } = options.config;
  const stages = {
    wonStages: features.wonStages ?? DEFAULT_CLOSING_STAGES.wonStages,
    lostStages: features.lostStages ?? DEFAULT_CLOSING_STAGES.lostStages,
  };
  const stageCorrection = forecast.stageCorrection
    ? await correctionFromScores(conn, outlook.asOf, stages, fiscal.yearStartMonth)
    : undefined;
  // the open deals' stages, read once: the corrected probabilities and each factor's count of open deals take them
  const stageOf = stageCorrection ? await openDealStages(conn) : new Map<string, string | null>();
  const applied = applyStageCorrection(
    outlook.winProbability,
    outlook.opportunityIds.map((id) => stageOf.get(id) ?? null),
    stageCorrection,
  );
  if (stageCorrection) options.log.info(describeStageCorrection(stageCorrection, applied.factors));
  const rows = await computeForecast(
    conn,
    { ...outlook, winProbability: applied.winProbability },
    {
      periods: forecastPeriods(outlook.asOf, {
        months: forecast.months,
        quarters: forecast.quarters,
        fiscalYearStartMonth: fiscal.yearStartMonth,
      }),
      settings: forecast,
      stages,
      targets: await readTargets(conn, forecast.targets),
    },
  );
  await saveForecastRows(conn, 'forecasts', outlook.asOf, rows);
  await saveStageCorrection(conn, outlook.asOf, applied.factors);

  mkdirSync(options.outDir, { recursive: true });
  const csv = join(options.outDir, 'forecast.csv');
  const partial = `${csv}.partial`;
  await copyToSafeCsv(
    conn,
    `SELECT * FROM forecasts WHERE as_of = DATE ${quoteLiteral(outlook.asOf)}
     ORDER BY period_type DESC, period_start, list_position([${SEGMENT_TYPES.map(quoteLiteral).join(', ')}], segment_type), segment`,
    partial,
  );
  renameSync(partial, csv);

  const totals = rows
    .filter((row) => row.segment_type === 'all')
    .map((row) => ({
      period: row.period_label,
      wonToDate: row.won_to_date,
      expected: row.expected,
      p10: row.p10,
      p90: row.p90,
      weightedPipeline: row.weighted_pipeline,
    }));
  for (const t of totals) {
    options.log.info(
      `forecast ${t.period}: expected ${Math.round(t.expected)} (P10 ${Math.round(t.p10)}, P90 ${Math.round(t.p90)}; won so far ${Math.round(t.wonToDate)}; weighted pipeline ${Math.round(t.weightedPipeline)})`,
    );
  }
  // Amounts all 0 or empty (a report exported without its amount column filled): every money figure is 0, so said.
  if (outlook.opportunityIds.length > 0 && outlook.expectedAmount.every((amount) => !(amount > 0)))
    options.log.warn(
      `every open deal's expected amount is 0 (their amounts in the export are 0 or empty, ${outlook.opportunityIds.length} open deals): the forecast of open deals is 0; check the export's amount column`,
    );
  return { asOf: outlook.asOf, rows: rows.length, forecastCsv: csv, totals };
}

/** Replaces one as-of date's rows of a forecast table (created on first use), in one transaction. */
export async function saveForecastRows(
  conn: DuckDBConnection,
  table: string,
  asOf: string,
  rows: ForecastRow[],
): Promise<void> {
  const columns = FORECAST_COLUMNS.map(
    (name) =>
      `${name} ${name === 'as_of' || name === 'period_start' || name === 'period_end' ? 'DATE' : TEXT_COLUMNS.has(name) ? 'VARCHAR' : name === 'open_deals' ? 'INTEGER' : 'DOUBLE'}`,
  );
  await conn.run(`CREATE TABLE IF NOT EXISTS ${table} (${columns.join(', ')})`);
  await conn.run('BEGIN TRANSACTION');
  try {
    await conn.run(`DELETE FROM ${table} WHERE as_of = DATE ${quoteLiteral(asOf)}`);
    const appender = await conn.createAppender(table);
    for (const row of rows) {
      for (const name of FORECAST_COLUMNS) {
        const value = row[name];
        if (value === null) appender.appendNull();
        else if (name === 'as_of' || name === 'period_start' || name === 'period_end')
          appender.appendDate(dateValue(dayNumber(String(value))));
        else if (TEXT_COLUMNS.has(name)) appender.appendVarchar(String(value));
        else if (name === 'open_deals') appender.appendInteger(Number(value));
        else appender.appendDouble(Number(value));
      }
      appender.endRow();
    }
    appender.closeSync();
    await conn.run('COMMIT');
  } catch (error) {
    await rollback(conn);
    throw error;
  }
}
