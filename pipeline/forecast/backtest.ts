/**
 * Forecast accuracy from day one: for each past fiscal quarter, the models are trained as of the
 * day before the quarter starts with the nightly recipe (models/train-recipe.ts: the same features,
 * settings and seed), and the forecast is recomputed as of that day and of each week into the
 * quarter (features rebuilt as of each date; nothing after it is used), as a nightly run without
 * training would have made it. Each forecast is judged against what actually closed won in the
 * quarter, known from the later records of the loaded export, split like the forecast into won to
 * date, the open deals and the deals not yet created; the CRM's baselines are judged the same way.
 * Runs on an in-memory copy of the loaded tables so the nightly tables stay untouched.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { queryRows, quoteIdent, quoteLiteral, withDatabase, type DuckDBConnection } from '../base/db.ts';
import { WuweiError } from '../base/errors.ts';
import { quietLogger, type Logger } from '../base/log.ts';
import type { WuweiConfig } from '../config/config.ts';
import { buildFeatures } from '../features/build.ts';
import { ENTITY_NAMES } from '../load/schema.ts';
import { dealOutlook } from '../outlook/deal-outlook.ts';
import { featureBuildOptions, predictOpenDeals, trainModels, trainOptions, trainingSeed } from '../../models/index.ts';
import {
  accuracyTable,
  BACKTEST_METHODS,
  methodAccuracy,
  type AccuracyRow,
  type MethodAccuracy,
} from './backtest-accuracy.ts';
import { saveBacktest } from './backtest-tables.ts';
import { probabilityCloseBetween } from '../outlook/close-timing.ts';
import { createDealFacts, DEFAULT_CLOSING_STAGES, type ClosingStages } from './deal-facts.ts';
import type { BacktestDeal, BacktestRow } from './backtest-rows.ts';
import { computeForecast } from './index.ts';
import {
  applyStageCorrection,
  correctionFromPast,
  openDealStages,
  pickNights,
  type PastScore,
} from './stage-correction.ts';
import { addDays, dayNumber } from '../base/dates.ts';
import { quarterContaining, type Period } from '../base/periods.ts';

export { methodAccuracy, type MethodAccuracy } from './backtest-accuracy.ts';

export interface QuarterBacktest {
  rows: BacktestRow[];
  deals: BacktestDeal[];
}

export interface BacktestSummary {
  quarters: {
    label: string;
    asOf: string;
    actual: number;
    expected: number;
    p10: number;
    p90: number;
    weightedPipeline: number;
    modelVersion: string;
  }[];
  skipped: { label: string; reason: string }[];
  /** The company at quarter start, per method (the `backtest_summary` table). */
  methods: MethodAccuracy[];
  /** Per method, segment type and week into the quarter (the `backtest_accuracy` table). */
  accuracy: AccuracyRow[];
  /** The open deals at quarter start judged factor by factor (see openDealFactors). */
  openDealFactors: OpenDealFactors;
  seconds: number;
}

/**
 * The most recent `count` fiscal quarters that ended on or before `lastDate` and start at least
 * `minHistoryDays` after `firstDate`, oldest first.
 */
export function pastQuarters(
  range: { firstDate: string; lastDate: string },
  fiscalYearStartMonth: number,
  count: number,
  minHistoryDays: number,
): Period[] {
  const quarters: Period[] = [];
  const earliestStart = addDays(range.firstDate, minHistoryDays);
  for (let offset = 0; quarters.length < count; offset--) {
    const quarter = quarterContaining(range.lastDate, fiscalYearStartMonth, offset);
    if (quarter.start < earliestStart) break;
    if (quarter.end <= range.lastDate) quarters.unshift(quarter);
  }
  return quarters;
}

/** The as-of dates of one quarter's backtest: the day before it, then every `weekStep` weeks inside it (0: only the first). */
export function backtestAsOfDates(quarter: Period, weekStep: number): { asOf: string; weeks: number }[] {
  const first = addDays(quarter.start, -1);
  const dates = [{ asOf: first, weeks: 0 }];
  for (let weeks = weekStep; weekStep > 0 && addDays(first, 7 * weeks) < quarter.end; weeks += weekStep)
    dates.push({ asOf: addDays(first, 7 * weeks), weeks });
  return dates;
}

/**
 * One quarter's backtest on a connection holding the loaded tables: the nightly models trained as
 * of the day before the quarter, then at each as-of date the forecast for the quarter and what was
 * won, per segment, and each open deal's part.
 */
export async function backtestQuarter(
  conn: DuckDBConnection,
  quarter: Period,
  options: {
    config: WuweiConfig;
    seed?: number;
    modelsDir: string;
    stages?: ClosingStages;
    weekStep?: number;
    /** The open deals of the earlier quarter starts, as their cuts scored them: what the stage correction learns from. */
    earlierStarts?: readonly BacktestDeal[];
  },
): Promise<QuarterBacktest> {
  const { config } = options;
  const stages = options.stages ?? DEFAULT_CLOSING_STAGES;
  const dates = backtestAsOfDates(quarter, options.weekStep ?? config.backtest.weekStep);
  const build = featureBuildOptions(config);
  await buildFeatures(conn, { asOf: dates[0]!.asOf, ...build, log: quietLogger });
  // The backtest trains as the nightly run does, and its model becomes the one scoring whatever the previous quarter's scored.
  const training = await trainOptions(conn, config, {
    modelsDir: options.modelsDir,
    force: true,
    log: quietLogger,
    ...optional('seed', options.seed),
    ...optional('epochs', config.backtest.epochs),
  });
  const trained = await trainModels(conn, { ...training, importanceRepeats: 0 });
  if (trained.status !== 'trained') throw new WuweiError('not_enough_data', trained.message);

  // Every deal's truth, from every record of the export.
  await createDealFacts(conn, '9999-12-31', stages);
  await conn.run(`CREATE OR REPLACE TEMP TABLE backtest_truth AS
    SELECT segments.*, closes.closed_on::DATE AS closed_on, closes.won, closes.final_amount::DOUBLE AS final_amount
    FROM deal_segments AS segments LEFT JOIN deal_closes AS closes USING (opportunity_id)`);

  const result: QuarterBacktest = { rows: [], deals: [] };
  for (const { asOf, weeks } of dates) {
    if (weeks > 0) await buildFeatures(conn, { asOf, ...build, training: false, log: quietLogger });
    const predictions = await predictOpenDeals(conn, {
      modelsDir: options.modelsDir,
      explain: false,
      log: quietLogger,
    });
    const outlook = await dealOutlook(conn, predictions, { asOf, factors: 0 });
    const starts = [...(options.earlierStarts ?? []), ...result.deals.filter((deal) => deal.weeksIntoPeriod === 0)];
    const stageCorrection = config.forecast.stageCorrection
      ? await correctionFromPast(conn, asOf, pastScoresOf(starts, asOf, config.fiscal.yearStartMonth), stages)
      : undefined;
    // the open deals' stages, read once: the correction and each deal's row take them
    const stageOf = await openDealStages(conn);
    const used = applyStageCorrection(
      outlook.winProbability,
      outlook.opportunityIds.map((id) => stageOf.get(id) ?? null),
      stageCorrection,
    ).winProbability;
    const forecast = await computeForecast(
      conn,
      { ...outlook, winProbability: used },
      { periods: [quarter], settings: config.forecast, stages },
    );
    const actuals = await actualParts(conn, quarter, asOf);
    const none = { won_to_date: 0, actual_open: 0, actual_new: 0 };
    for (const row of forecast) {
      const actual = actuals.get(`${row.segment_type}|${row.segment}`) ?? none;
      result.rows.push({
        ...row,
        weeks_into_period: weeks,
        actual: actual.won_to_date + actual.actual_open + actual.actual_new,
        actual_open: actual.actual_open,
        actual_new: actual.actual_new,
      });
    }
    result.deals.push(...(await openDealParts(conn, outlook, used, stageOf, quarter, weeks)));
  }
  return result;
}

/** The quarter-start deals of the nights pickNights would choose as of `asOf`, as past scores. */
function pastScoresOf(starts: readonly BacktestDeal[], asOf: string, fiscalYearStartMonth: number): PastScore[] {
  const nights = new Set(pickNights([...new Set(starts.map((deal) => deal.asOf))], asOf, fiscalYearStartMonth));
  return starts
    .filter((deal) => nights.has(deal.asOf))
    .map((deal) => ({
      asOf: deal.asOf,
      opportunityId: deal.opportunityId,
      stage: deal.stage,
      winProbability: deal.winProbability,
    }));
}

/** What was won in the quarter per segment: before the as-of date, after it by deals then open, and by deals created after it. */
async function actualParts(
  conn: DuckDBConnection,
  quarter: Period,
  asOf: string,
): Promise<Map<string, { won_to_date: number; actual_open: number; actual_new: number }>> {
  const asOfSql = `DATE ${quoteLiteral(asOf)}`;
  const rows = await queryRows<{ key: string; won_to_date: number; actual_open: number; actual_new: number }>(
    conn,
    `SELECT segment_type || '|' || segment AS key,
            coalesce(sum(final_amount) FILTER (WHERE closed_on <= ${asOfSql}), 0)::DOUBLE AS won_to_date,
            coalesce(sum(final_amount) FILTER (WHERE closed_on > ${asOfSql} AND created_date <= ${asOfSql}), 0)::DOUBLE AS actual_open,
            coalesce(sum(final_amount) FILTER (WHERE closed_on > ${asOfSql} AND created_date > ${asOfSql}), 0)::DOUBLE AS actual_new
     FROM backtest_truth
     WHERE won AND closed_on BETWEEN DATE ${quoteLiteral(quarter.start)} AND DATE ${quoteLiteral(quarter.end)}
     GROUP BY ALL`,
  );
  return new Map(rows.map(({ key, ...parts }) => [key, parts]));
}

async function openDealParts(
  conn: DuckDBConnection,
  outlook: Awaited<ReturnType<typeof dealOutlook>>,
  forecastWinProbability: Float64Array,
  stageOf: ReadonlyMap<string, string | null>,
  quarter: Period,
  weeks: number,
): Promise<BacktestDeal[]> {
  const truth = new Map(
    (
      await queryRows<{
        opportunity_id: string;
        closed_on: string | null;
        won: boolean | null;
        final_amount: number | null;
      }>(
        conn,
        `SELECT opportunity_id, strftime(closed_on, '%Y-%m-%d') AS closed_on, won, final_amount FROM backtest_truth
       WHERE segment_type = 'all' AND opportunity_id IN (SELECT opportunity_id FROM features_score)`,
      )
    ).map((row) => [row.opportunity_id, row]),
  );
  const asOfDay = dayNumber(outlook.asOf);
  const fromDay = Math.max(1, dayNumber(quarter.start) - asOfDay);
  const toDay = dayNumber(quarter.end) - asOfDay;
  return outlook.opportunityIds.map((id, i) => {
    const deal = truth.get(id);
    const won = deal?.closed_on ? Boolean(deal.won) : null;
    return {
      asOf: outlook.asOf,
      periodLabel: quarter.label,
      weeksIntoPeriod: weeks,
      opportunityId: id,
      stage: stageOf.get(id) ?? null,
      winProbability: outlook.winProbability[i]!,
      forecastWinProbability: forecastWinProbability[i]!,
      expectedAmount: outlook.expectedAmount[i]!,
      closeMedianDays: outlook.closeMedianDays[i]!,
      closeLogSigma: outlook.closeLogSigma[i]!,
      closeInPeriod: probabilityCloseBetween(outlook.closeMedianDays[i]!, outlook.closeLogSigma[i]!, fromDay, toDay),
      won,
      finalAmount: won ? deal!.final_amount : null,
      wonInPeriod: won === true && deal!.closed_on! > outlook.asOf && deal!.closed_on! <= quarter.end,
    };
  });
}

/**
 * The open deals' forecast error split into its factors, over deals whose outcome is known:
 * probability = sum of the win probabilities the forecast used / deals won; amount = sum of expected amounts of the won
 * deals / their final amounts; timing = sum of P(close in the quarter) of the won deals / won deals
 * that closed in it. Each is 1 when that factor is unbiased.
 */
export interface OpenDealFactors {
  deals: number;
  probability: number;
  amount: number;
  timing: number;
}

export function openDealFactors(deals: BacktestDeal[]): OpenDealFactors {
  const known = deals.filter((deal) => deal.won !== null);
  const won = known.filter((deal) => deal.won);
  const sum = (list: BacktestDeal[], value: (deal: BacktestDeal) => number) =>
    list.reduce((total, deal) => total + value(deal), 0);
  return {
    deals: known.length,
    probability: sum(known, (d) => d.forecastWinProbability) / won.length,
    amount: sum(won, (d) => d.expectedAmount) / sum(won, (d) => d.finalAmount!),
    timing: sum(won, (d) => d.closeInPeriod) / won.filter((d) => d.wonInPeriod).length,
  };
}

/** Runs the backtest over the past quarters of the loaded export and stores it beside the nightly tables. */
export async function runBacktest(options: {
  dbPath: string;
  config: WuweiConfig;
  seed?: number;
  log: Logger;
}): Promise<BacktestSummary> {
  const started = performance.now();
  const config = options.config;
  const stages: ClosingStages = {
    wonStages: config.features.wonStages ?? DEFAULT_CLOSING_STAGES.wonStages,
    lostStages: config.features.lostStages ?? DEFAULT_CLOSING_STAGES.lostStages,
  };
  const modelsDir = mkdtempSync(join(tmpdir(), 'wuwei-backtest-'));
  const rows: BacktestRow[] = [];
  const deals: BacktestDeal[] = [];
  const summary: BacktestSummary = {
    quarters: [],
    skipped: [],
    methods: [],
    accuracy: [],
    openDealFactors: openDealFactors([]),
    seconds: 0,
  };
  const seed = trainingSeed(config, options.seed);
  try {
    await withDatabase(':memory:', async (conn) => {
      const range = await copyLoadedTables(conn, options.dbPath);
      const quarters = pastQuarters(
        range,
        config.fiscal.yearStartMonth,
        config.backtest.quarters,
        config.backtest.minHistoryDays,
      );
      options.log.info(
        `backtest: ${quarters.length} quarters, training seed ${seed}, ${config.backtest.weekStep ? `forecasts every ${config.backtest.weekStep} week(s) into each quarter` : 'forecasts at quarter starts only'}`,
      );
      for (const quarter of quarters) {
        try {
          const result = await backtestQuarter(conn, quarter, {
            config,
            seed,
            modelsDir,
            stages,
            weekStep: config.backtest.weekStep,
            earlierStarts: deals.filter((deal) => deal.weeksIntoPeriod === 0),
          });
          rows.push(...result.rows);
          deals.push(...result.deals);
          const total = result.rows.find((row) => row.segment_type === 'all' && row.weeks_into_period === 0)!;
          summary.quarters.push({
            label: quarter.label,
            asOf: total.as_of,
            actual: total.actual,
            expected: total.expected,
            p10: total.p10,
            p90: total.p90,
            weightedPipeline: total.weighted_pipeline,
            modelVersion: total.model_version,
          });
          options.log.info(
            `backtest ${quarter.label} (as of ${total.as_of}): actual ${Math.round(total.actual)} (open deals ${Math.round(total.actual_open)}, new ${Math.round(total.actual_new)}), ` +
              `Wuwei ${Math.round(total.expected)} (open ${Math.round(total.expected_open)}, new ${Math.round(total.expected_new)}) [P10 ${Math.round(total.p10)}, P90 ${Math.round(total.p90)}], ` +
              `weighted pipeline ${Math.round(total.weighted_pipeline)}, commit ${Math.round(total.rep_commit)}`,
          );
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
    throw new WuweiError(
      'not_enough_data',
      `no past quarter has enough history to backtest (backtest.minHistoryDays: ${config.backtest.minHistoryDays}${summary.skipped.length ? `; skipped ${summary.skipped.map((s) => s.label).join(', ')}` : ''})`,
    );
  }

  const atStart = rows.filter((row) => row.segment_type === 'all' && row.weeks_into_period === 0);
  summary.methods = ['wuwei', 'weighted_pipeline', 'rep_commit', 'rep_best_case'].map((method) =>
    methodAccuracy(method, atStart.map(BACKTEST_METHODS[method]!)),
  );
  summary.accuracy = accuracyTable(rows);
  summary.openDealFactors = openDealFactors(deals.filter((deal) => deal.weeksIntoPeriod === 0));
  await withDatabase(options.dbPath, (conn) =>
    saveBacktest(conn, { rows, deals, methods: summary.methods, accuracy: summary.accuracy }),
  );
  summary.seconds = (performance.now() - started) / 1000;
  for (const m of summary.accuracy.filter((a) => a.segmentType === 'all' && a.weeksIntoPeriod === 0)) {
    options.log.info(
      `backtest ${m.method}: ${m.periods} quarters, WAPE ${pct(m.wape)}, bias ${pct(m.bias)}, accuracy ${pct(m.accuracy)}, within ±10% ${pct(m.hitRate10, 0)}` +
        (m.rangeCoverage === null
          ? ''
          : `, P10–P90 holds the actual ${pct(m.rangeCoverage, 0)} (width ${pct(m.rangeWidth!, 0)} of the actual)`),
    );
  }
  const f = summary.openDealFactors;
  options.log.info(
    `backtest open deals at quarter start (${f.deals} with a known outcome): win probability ×${f.probability.toFixed(3)}, amount ×${f.amount.toFixed(3)}, timing ×${f.timing.toFixed(3)} against what happened`,
  );
  return summary;
}

function pct(value: number, digits = 1): string {
  return `${(100 * value).toFixed(digits)}%`;
}

function optional<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>);
}

/** Copies the loaded export tables into the scratch database; returns the export's first and as-of dates. */
async function copyLoadedTables(
  conn: DuckDBConnection,
  dbPath: string,
): Promise<{ firstDate: string; lastDate: string }> {
  await conn.run(`ATTACH ${quoteLiteral(dbPath)} AS loaded (READ_ONLY)`);
  try {
    for (const entity of ENTITY_NAMES)
      await conn.run(`CREATE TABLE ${quoteIdent(entity)} AS SELECT * FROM loaded.${quoteIdent(entity)}`);
    const [meta] = await queryRows<{ first: string; last: string }>(
      conn,
      `SELECT strftime((SELECT min(created_date) FROM opportunities), '%Y-%m-%d') AS first, strftime(as_of, '%Y-%m-%d') AS last FROM loaded.wuwei_meta`,
    );
    return { firstDate: meta!.first, lastDate: meta!.last };
  } catch (error) {
    throw new WuweiError('missing_input', `nothing loaded in ${dbPath}: run \`wuwei load --source DIR\` first`, {
      cause: error,
    });
  } finally {
    await conn.run('DETACH loaded');
  }
}
