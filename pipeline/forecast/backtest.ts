/**
 * Forecast accuracy from day one: for each past fiscal quarter, the forecast is recomputed as of the
 * day before the quarter starts, with features built as of that day and a model trained on them
 * only (features are point in time, so nothing after that day is used), and compared with what
 * actually closed won in the quarter (known from the later records of the loaded export). The
 * CRM's baselines are judged the same way. Runs on an in-memory copy of the loaded tables so the
 * nightly tables stay untouched; results go to the `backtest` and `backtest_summary` tables.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dateValue } from '@duckdb/node-api';
import { join } from 'node:path';
import { queryRows, quoteIdent, quoteLiteral, withDatabase, rollback, type DuckDBConnection } from '../db.ts';
import { WuweiError } from '../errors.ts';
import { quietLogger, type Logger } from '../log.ts';
import type { WuweiConfig } from '../config.ts';
import { buildFeatures } from '../features/build.ts';
import { FEATURE_NAMES } from '../features/catalog.ts';
import { ENTITY_NAMES } from '../load/schema.ts';
import { dealOutlook } from '../outlook/deal-outlook.ts';
import { predictOpenDeals, trainWinModel } from '../../models/index.ts';
import { createDealFacts, DEFAULT_CLOSING_STAGES, type ClosingStages } from './deal-facts.ts';
import { computeForecast, type ForecastRow } from './index.ts';
import { addDays, dayNumber, quarterContaining, type Period } from './periods.ts';

export interface BacktestRow extends ForecastRow {
  actual: number;
}

export interface MethodAccuracy {
  method: string;
  periods: number;
  /** Mean over periods of 1 - |actual - forecast| / actual. */
  accuracy: number;
  /** Sum(forecast - actual) / sum(actual): positive means over-forecast. */
  bias: number;
  /** Sum |actual - forecast| / sum(actual). */
  wape: number;
  /** Share of periods within +-10% of the actual. */
  hitRate10: number;
  /** Share of periods whose actual fell inside P10..P90 (Wuwei only). */
  rangeCoverage: number | null;
}

export interface BacktestSummary {
  quarters: { label: string; asOf: string; actual: number; expected: number; p10: number; p90: number; weightedPipeline: number; modelVersion: string }[];
  skipped: { label: string; reason: string }[];
  methods: MethodAccuracy[];
  seconds: number;
}

/** The forecasts judged, by the column of the forecast row that holds each. */
export const BACKTEST_METHODS = { wuwei: 'expected', weighted_pipeline: 'weighted_pipeline', rep_commit: 'rep_commit', rep_best_case: 'rep_best_case' } as const;

/**
 * The most recent `count` fiscal quarters that ended on or before `lastDate` and start at least
 * `minHistoryDays` after `firstDate`, oldest first.
 */
export function pastQuarters(range: { firstDate: string; lastDate: string }, fiscalYearStartMonth: number, count: number, minHistoryDays: number): Period[] {
  const quarters: Period[] = [];
  const earliestStart = addDays(range.firstDate, minHistoryDays);
  for (let offset = 0; quarters.length < count; offset--) {
    const quarter = quarterContaining(range.lastDate, fiscalYearStartMonth, offset);
    if (quarter.start < earliestStart) break;
    if (quarter.end <= range.lastDate) quarters.unshift(quarter);
  }
  return quarters;
}

/**
 * One quarter's backtest on a connection holding the loaded tables: features and model as of the
 * day before the quarter, the forecast for the quarter, and the actual won per segment.
 */
export async function backtestQuarter(
  conn: DuckDBConnection,
  quarter: Period,
  options: { config: WuweiConfig; seed: number; modelsDir: string; stages?: ClosingStages },
): Promise<BacktestRow[]> {
  const asOf = addDays(quarter.start, -1);
  const stages = options.stages ?? DEFAULT_CLOSING_STAGES;
  await buildFeatures(conn, { asOf, log: quietLogger });
  await trainWinModel(conn, { featureNames: FEATURE_NAMES, modelsDir: options.modelsDir, seed: options.seed, epochs: options.config.backtest.epochs, importanceRepeats: 0, log: quietLogger });
  const predictions = await predictOpenDeals(conn, { modelsDir: options.modelsDir, explain: false, log: quietLogger });
  const outlook = await dealOutlook(conn, predictions, { asOf, factors: 0 });
  const rows = await computeForecast(conn, outlook, { periods: [quarter], settings: options.config.forecast, stages });

  // What actually closed won in the quarter, from every record of the export.
  await createDealFacts(conn, '9999-12-31', stages);
  const actuals = new Map(
    (await queryRows<{ key: string; actual: number }>(
      conn,
      `SELECT segments.segment_type || '|' || segments.segment AS key, sum(closes.final_amount)::DOUBLE AS actual
       FROM deal_closes AS closes JOIN deal_segments AS segments USING (opportunity_id)
       WHERE closes.won AND closes.closed_on BETWEEN DATE ${quoteLiteral(quarter.start)} AND DATE ${quoteLiteral(quarter.end)}
       GROUP BY ALL`,
    )).map((row) => [row.key, row.actual]),
  );
  return rows.map((row) => ({ ...row, actual: actuals.get(`${row.segment_type}|${row.segment}`) ?? 0 }));
}

/** Accuracy of one method over the company-total rows of several periods. */
export function methodAccuracy(method: string, pairs: { actual: number; forecast: number; p10?: number; p90?: number }[]): MethodAccuracy {
  const judged = pairs.filter((pair) => pair.actual > 0);
  const totalActual = judged.reduce((sum, pair) => sum + pair.actual, 0);
  const withRange = judged.filter((pair) => pair.p10 !== undefined && pair.p90 !== undefined);
  return {
    method,
    periods: judged.length,
    accuracy: judged.reduce((sum, pair) => sum + (1 - Math.abs(pair.actual - pair.forecast) / pair.actual), 0) / judged.length,
    bias: judged.reduce((sum, pair) => sum + (pair.forecast - pair.actual), 0) / totalActual,
    wape: judged.reduce((sum, pair) => sum + Math.abs(pair.actual - pair.forecast), 0) / totalActual,
    hitRate10: judged.filter((pair) => Math.abs(pair.actual - pair.forecast) <= 0.1 * pair.actual).length / judged.length,
    rangeCoverage: withRange.length > 0 ? withRange.filter((pair) => pair.p10! <= pair.actual && pair.actual <= pair.p90!).length / withRange.length : null,
  };
}

/** Runs the backtest over the past quarters of the loaded export and stores it beside the nightly tables. */
export async function runBacktest(options: { dbPath: string; config: WuweiConfig; seed?: number; log: Logger }): Promise<BacktestSummary> {
  const started = performance.now();
  const config = options.config;
  const stages: ClosingStages = {
    wonStages: config.features.wonStages ?? DEFAULT_CLOSING_STAGES.wonStages,
    lostStages: config.features.lostStages ?? DEFAULT_CLOSING_STAGES.lostStages,
  };
  const modelsDir = mkdtempSync(join(tmpdir(), 'wuwei-backtest-'));
  const rows: BacktestRow[] = [];
  const summary: BacktestSummary = { quarters: [], skipped: [], methods: [], seconds: 0 };
  try {
    await withDatabase(':memory:', async (conn) => {
      const range = await copyLoadedTables(conn, options.dbPath);
      const quarters = pastQuarters(range, config.fiscal.yearStartMonth, config.backtest.quarters, config.backtest.minHistoryDays);
      for (const quarter of quarters) {
        try {
          const quarterRows = await backtestQuarter(conn, quarter, { config, seed: options.seed ?? config.models.seed, modelsDir, stages });
          rows.push(...quarterRows);
          const total = quarterRows.find((row) => row.segment_type === 'all')!;
          summary.quarters.push({ label: quarter.label, asOf: total.as_of, actual: total.actual, expected: total.expected, p10: total.p10, p90: total.p90, weightedPipeline: total.weighted_pipeline, modelVersion: total.model_version });
          options.log.info(`backtest ${quarter.label} (as of ${total.as_of}): actual ${Math.round(total.actual)}, Wuwei ${Math.round(total.expected)} [P10 ${Math.round(total.p10)}, P90 ${Math.round(total.p90)}], weighted pipeline ${Math.round(total.weighted_pipeline)}`);
        } catch (error) {
          if (!(error instanceof WuweiError) || error.code !== 'not_enough_data') throw error;
          summary.skipped.push({ label: quarter.label, reason: error.message });
          options.log.warn(`backtest ${quarter.label}: skipped (${error.message})`);
        }
      }
    });
  } finally {
    rmSync(modelsDir, { recursive: true, force: true });
  }
  if (summary.quarters.length === 0) {
    throw new WuweiError('not_enough_data', `no past quarter has enough history to backtest (backtest.minHistoryDays: ${config.backtest.minHistoryDays}${summary.skipped.length ? `; skipped ${summary.skipped.map((s) => s.label).join(', ')}` : ''})`);
  }

  const totals = rows.filter((row) => row.segment_type === 'all');
  summary.methods = Object.entries(BACKTEST_METHODS).map(([method, column]) =>
    methodAccuracy(method, totals.map((row) => ({ actual: row.actual, forecast: row[column], ...(method === 'wuwei' ? { p10: row.p10, p90: row.p90 } : {}) }))),
  );
  await withDatabase(options.dbPath, (conn) => saveBacktest(conn, rows, summary.methods));
  summary.seconds = (performance.now() - started) / 1000;
  for (const m of summary.methods) {
    options.log.info(`backtest ${m.method}: ${m.periods} quarters, WAPE ${(100 * m.wape).toFixed(1)}%, bias ${(100 * m.bias).toFixed(1)}%, accuracy ${(100 * m.accuracy).toFixed(1)}%, within ±10% ${(100 * m.hitRate10).toFixed(0)}%${m.rangeCoverage === null ? '' : `, P10–P90 holds the actual ${(100 * m.rangeCoverage).toFixed(0)}%`}`);
  }
  return summary;
}

/** Copies the loaded export tables into the scratch database; returns the export's first and as-of dates. */
async function copyLoadedTables(conn: DuckDBConnection, dbPath: string): Promise<{ firstDate: string; lastDate: string }> {
  await conn.run(`ATTACH ${quoteLiteral(dbPath)} AS loaded (READ_ONLY)`);
  try {
    for (const entity of ENTITY_NAMES) await conn.run(`CREATE TABLE ${quoteIdent(entity)} AS SELECT * FROM loaded.${quoteIdent(entity)}`);
    const [meta] = await queryRows<{ first: string; last: string }>(
      conn,
      `SELECT strftime((SELECT min(created_date) FROM opportunities), '%Y-%m-%d') AS first, strftime(as_of, '%Y-%m-%d') AS last FROM loaded.wuwei_meta`,
    );
    return { firstDate: meta!.first, lastDate: meta!.last };
  } catch (error) {
    throw new WuweiError('missing_input', `nothing loaded in ${dbPath}: run \`wuwei load --source DIR\` first`, { cause: error });
  } finally {
    await conn.run('DETACH loaded');
  }
}

async function saveBacktest(conn: DuckDBConnection, rows: BacktestRow[], methods: MethodAccuracy[]): Promise<void> {
  await conn.run('BEGIN TRANSACTION');
  try {
    await conn.run(`
      CREATE OR REPLACE TABLE backtest (
        as_of DATE, period_type VARCHAR, period_label VARCHAR, period_start DATE, period_end DATE, segment_type VARCHAR, segment VARCHAR,
        actual DOUBLE, expected DOUBLE, p10 DOUBLE, p50 DOUBLE, p90 DOUBLE, weighted_pipeline DOUBLE, rep_commit DOUBLE, rep_best_case DOUBLE,
        rep_pipeline DOUBLE, expected_open DOUBLE, expected_new DOUBLE, model_version VARCHAR)`);
    const appender = await conn.createAppender('backtest');
    for (const row of rows) {
      appender.appendDate(dateValue(dayNumber(row.as_of)));
      appender.appendVarchar(row.period_type);
      appender.appendVarchar(row.period_label);
      appender.appendDate(dateValue(dayNumber(row.period_start)));
      appender.appendDate(dateValue(dayNumber(row.period_end)));
      appender.appendVarchar(row.segment_type);
      appender.appendVarchar(row.segment);
      for (const value of [row.actual, row.expected, row.p10, row.p50, row.p90, row.weighted_pipeline, row.rep_commit, row.rep_best_case, row.rep_pipeline, row.expected_open, row.expected_new]) appender.appendDouble(value);
      appender.appendVarchar(row.model_version);
      appender.endRow();
    }
    appender.closeSync();
    await conn.run(`CREATE OR REPLACE TABLE backtest_summary (method VARCHAR, periods INTEGER, accuracy DOUBLE, bias DOUBLE, wape DOUBLE, hit_rate_10 DOUBLE, range_coverage DOUBLE)`);
    for (const m of methods) {
      await conn.run(`INSERT INTO backtest_summary VALUES (${quoteLiteral(m.method)}, ${m.periods}, ${num(m.accuracy)}, ${num(m.bias)}, ${num(m.wape)}, ${num(m.hitRate10)}, ${m.rangeCoverage === null ? 'NULL' : num(m.rangeCoverage)})`);
    }
    await conn.run('COMMIT');
  } catch (error) {
    await rollback(conn);
    throw error;
  }
}

function num(value: number): string {
  return Number.isFinite(value) ? String(value) : 'NULL';
}
