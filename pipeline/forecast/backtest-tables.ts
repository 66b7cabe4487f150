/**
 * The backtest's tables, replaced together in one transaction:
 * - `backtest`: one row per quarter x as-of date x segment (forecast, range, baselines, actual and its parts);
 * - `backtest_summary`: the company at quarter start, per method (as the site reads it);
 * - `backtest_accuracy`: per method, segment type and week into the quarter;
 * - `backtest_deals`: each open deal's part of the quarter forecast beside how it went.
 */
import { dateValue } from '@duckdb/node-api';
import { tableColumns, type DuckDBConnection } from '../base/db.ts';
import type { AccuracyRow, MethodAccuracy } from './backtest-accuracy.ts';
import type { BacktestDeal, BacktestRow } from './backtest-rows.ts';
import { dayNumber } from '../base/dates.ts';

const BACKTEST_NUMBERS = [
  'actual',
  'expected',
  'p10',
  'p50',
  'p90',
  'weighted_pipeline',
  'rep_commit',
  'rep_best_case',
  'rep_pipeline',
  'expected_open',
  'expected_new',
] as const satisfies readonly (keyof BacktestRow)[];
const BACKTEST_ADDED_NUMBERS = [
  'won_to_date',
  'actual_open',
  'actual_new',
] as const satisfies readonly (keyof BacktestRow)[];

export async function saveBacktest(
  conn: DuckDBConnection,
  result: { rows: BacktestRow[]; deals: BacktestDeal[]; methods: MethodAccuracy[]; accuracy: AccuracyRow[] },
): Promise<void> {
  await conn.run('BEGIN TRANSACTION');
  try {
    await conn.run(`
      CREATE OR REPLACE TABLE backtest (
        as_of DATE, period_type VARCHAR, period_label VARCHAR, period_start DATE, period_end DATE, segment_type VARCHAR, segment VARCHAR,
        ${BACKTEST_NUMBERS.map((name) => `${name} DOUBLE`).join(', ')}, model_version VARCHAR,
        weeks_into_period INTEGER, ${BACKTEST_ADDED_NUMBERS.map((name) => `${name} DOUBLE`).join(', ')})`);
    const rows = await conn.createAppender('backtest');
    for (const row of result.rows) {
      rows.appendDate(dateValue(dayNumber(row.as_of)));
      rows.appendVarchar(row.period_type);
      rows.appendVarchar(row.period_label);
      rows.appendDate(dateValue(dayNumber(row.period_start)));
      rows.appendDate(dateValue(dayNumber(row.period_end)));
      rows.appendVarchar(row.segment_type);
      rows.appendVarchar(row.segment);
      for (const name of BACKTEST_NUMBERS) rows.appendDouble(row[name]);
      rows.appendVarchar(row.model_version);
      rows.appendInteger(row.weeks_into_period);
      for (const name of BACKTEST_ADDED_NUMBERS) rows.appendDouble(row[name]);
      rows.endRow();
    }
    rows.closeSync();

    const measures =
      'periods INTEGER, accuracy DOUBLE, bias DOUBLE, wape DOUBLE, hit_rate_10 DOUBLE, range_coverage DOUBLE, range_width DOUBLE';
    await conn.run(`CREATE OR REPLACE TABLE backtest_summary (method VARCHAR, ${measures})`);
    await conn.run(
      `CREATE OR REPLACE TABLE backtest_accuracy (method VARCHAR, segment_type VARCHAR, weeks_into_period INTEGER, ${measures})`,
    );
    const summary = await conn.createAppender('backtest_summary');
    for (const m of result.methods) {
      summary.appendVarchar(m.method);
      appendMeasures(summary, m);
    }
    summary.closeSync();
    const accuracy = await conn.createAppender('backtest_accuracy');
    for (const m of result.accuracy) {
      accuracy.appendVarchar(m.method);
      accuracy.appendVarchar(m.segmentType);
      accuracy.appendInteger(m.weeksIntoPeriod);
      appendMeasures(accuracy, m);
    }
    accuracy.closeSync();

    await conn.run(`
      CREATE OR REPLACE TABLE backtest_deals (
        as_of DATE, period_label VARCHAR, weeks_into_period INTEGER, opportunity_id VARCHAR, stage VARCHAR, win_probability DOUBLE, forecast_win_probability DOUBLE, expected_amount DOUBLE,
        close_in_period DOUBLE, close_median_days DOUBLE, close_log_sigma DOUBLE, won BOOLEAN, final_amount DOUBLE, won_in_period BOOLEAN)`);
    const deals = await conn.createAppender('backtest_deals');
    for (const deal of result.deals) {
      deals.appendDate(dateValue(dayNumber(deal.asOf)));
      deals.appendVarchar(deal.periodLabel);
      deals.appendInteger(deal.weeksIntoPeriod);
      deals.appendVarchar(deal.opportunityId);
      if (deal.stage === null) deals.appendNull();
      else deals.appendVarchar(deal.stage);
      deals.appendDouble(deal.winProbability);
      deals.appendDouble(deal.forecastWinProbability);
      deals.appendDouble(deal.expectedAmount);
      deals.appendDouble(deal.closeInPeriod);
      deals.appendDouble(deal.closeMedianDays);
      deals.appendDouble(deal.closeLogSigma);
      if (deal.won === null) deals.appendNull();
      else deals.appendBoolean(deal.won);
      if (deal.finalAmount === null) deals.appendNull();
      else deals.appendDouble(deal.finalAmount);
      deals.appendBoolean(deal.wonInPeriod);
      deals.endRow();
    }
    deals.closeSync();
    await conn.run('COMMIT');
  } catch (error) {
    await conn.run('ROLLBACK');
    throw error;
  }
}

type Appender = Awaited<ReturnType<DuckDBConnection['createAppender']>>;

function appendMeasures(appender: Appender, m: MethodAccuracy): void {
  appender.appendInteger(m.periods);
  for (const value of [m.accuracy, m.bias, m.wape, m.hitRate10, m.rangeCoverage, m.rangeWidth]) {
    if (value === null || !Number.isFinite(value)) appender.appendNull();
    else appender.appendDouble(value);
  }
  appender.endRow();
}

/** The `backtest_deals` column with the win probability each forecast used (backtests before the correction by stage stored only the model's). */
export async function forecastProbabilityColumn(conn: DuckDBConnection): Promise<string> {
  return (await tableColumns(conn, 'backtest_deals')).includes('forecast_win_probability')
    ? 'forecast_win_probability'
    : 'win_probability';
}
