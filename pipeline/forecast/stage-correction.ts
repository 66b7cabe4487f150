/**
 * The forecast's correction by stage, learned from its own past scores (issue 18). The win model
 * learns from closed deals, and a closed history shows the newest deals mostly through their quick
 * closes, the losses: open deals in the early stages added up to ×0.84–0.88 of the wins they became in
 * the 50k backtests, the later stages to ×0.95. What the model cannot see, its past scores can: the
 * deals open at an earlier night, scored by the model of that night, and the outcomes known tonight.
 *
 * Per stage, over the past nights picked (the earliest scored night of each fiscal quarter of the last
 * year, before tonight), the deals that have closed since give a factor won / expected on their win
 * probabilities, shrunk towards 1 by PRIOR_WINS expected wins and kept within FACTOR_RANGE; the same
 * over every stage together gives the pooled factor (ALL_STAGES). The forecast multiplies each open
 * deal's win probability by its stage's factor, or by the pooled one where its stage has none (a stage
 * the past nights did not see, or a past that knew no stage: a flat export's backtest), capped at 1;
 * `forecast_stage_factors` says how many of tonight's open deals each factor was applied to. The
 * scores stay the model's, so the next nights learn from the model, not from a corrected model. Point
 * in time: only nights before the as-of date and closes on or before it count
 * (test/forecast/stage-correction.test.ts).
 */
import { quoteLiteral, queryRows, tableColumns, type DuckDBConnection } from '../base/db.ts';
import { addDays } from '../base/dates.ts';
import { quarterContaining } from '../base/periods.ts';
import { outputTable } from '../contract/output-tables.ts';
import { ensureTable } from '../contract/table-spec.ts';
import { dealClosesSql, type ClosingStages } from './deal-facts.ts';

/** An open deal as a past night scored it. */
export interface PastScore {
  asOf: string;
  opportunityId: string;
  stage: string | null;
  winProbability: number;
}

export interface StageFactor {
  /** The stage the deals were in when scored, NO_STAGE, or ALL_STAGES for the factor pooled over all of them. */
  stage: string;
  /** Past nights its deals come from. */
  nights: number;
  /** Deals open then that have closed since, how many were won, and the wins their probabilities expected. */
  deals: number;
  won: number;
  expected: number;
  factor: number;
}

/** A factor as the forecast applied it tonight. */
export interface AppliedStageFactor extends StageFactor {
  /** Tonight's open deals whose win probability it multiplied. */
  openDeals: number;
}

export interface StageCorrection {
  asOf: string;
  /** The past nights learned from, oldest first. */
  nights: string[];
  /** Per stage as scored, by name, then the pooled factor (ALL_STAGES); none: nothing to learn from. */
  factors: StageFactor[];
}

/** Past nights are looked for this far back. */
export const LOOKBACK_DAYS = 366;
/** Expected wins at which a stage's factor is half way between 1 and what its deals alone say. */
export const PRIOR_WINS = 20;
export const FACTOR_RANGE = { min: 0.5, max: 2 } as const;
/** The stage of a deal without one. */
export const NO_STAGE = '(none)';
/** The factor pooled over every past deal learned from: what a deal whose stage has no factor of its own gets. */
export const ALL_STAGES = '(all stages)';

/** The nights to learn from: of the scored nights given, the earliest of each fiscal quarter, before `asOf` and within the lookback. */
export function pickNights(nights: readonly string[], asOf: string, fiscalYearStartMonth: number): string[] {
  const from = addDays(asOf, -LOOKBACK_DAYS);
  const earliest = new Map<string, string>();
  for (const night of nights) {
    if (night >= asOf || night < from) continue;
    const quarter = quarterContaining(night, fiscalYearStartMonth).label;
    const seen = earliest.get(quarter);
    if (!seen || night < seen) earliest.set(quarter, night);
  }
  return [...earliest.values()].sort();
}

/** won / expected, shrunk towards 1 by PRIOR_WINS expected wins, within FACTOR_RANGE. */
export function shrunkFactor(won: number, expected: number): number {
  const factor = (won + PRIOR_WINS) / (expected + PRIOR_WINS);
  return Math.min(FACTOR_RANGE.max, Math.max(FACTOR_RANGE.min, factor));
}

/** The correction as of `asOf` from past scores held in memory (the backtest's earlier cuts). */
export async function correctionFromPast(
  conn: DuckDBConnection,
  asOf: string,
  past: readonly PastScore[],
  stages: ClosingStages,
): Promise<StageCorrection> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE past_scores (${PAST_SCORE_COLUMNS})`);
  const appender = await conn.createAppender('past_scores', 'main', 'temp');
  for (const score of past) {
    appender.appendVarchar(score.asOf);
    appender.appendVarchar(score.opportunityId);
    if (score.stage === null) appender.appendNull();
    else appender.appendVarchar(score.stage);
    appender.appendDouble(score.winProbability);
    appender.endRow();
  }
  appender.closeSync();
  return correctionFromPastScores(conn, asOf, stages);
}

/**
 * The nightly's correction as of `asOf`: from the nights pickNights chooses among those the `scores`
 * table holds and the quarter starts of `wuwei backtest` (`backtest_deals`, the same recipe as of
 * then), so a new install that has run the backtest has a correction from its first night. A night
 * in both is read from `scores`.
 */
export async function correctionFromScores(
  conn: DuckDBConnection,
  asOf: string,
  stages: ClosingStages,
  fiscalYearStartMonth: number,
): Promise<StageCorrection> {
  // the first source that holds a night gives it
  const sourceOf = new Map<string, (typeof PAST_SOURCES)[number]>();
  for (const source of PAST_SOURCES) {
    if (!(await hasColumns(conn, source.table, source.columns))) continue;
    const scored = await queryRows<{ night: string }>(
      conn,
      `SELECT DISTINCT strftime(as_of, '%Y-%m-%d') AS night FROM ${source.table}
       WHERE ${source.where} AND as_of < DATE ${quoteLiteral(asOf)}`,
    );
    for (const { night } of scored) if (!sourceOf.has(night)) sourceOf.set(night, source);
  }
  await conn.run(`CREATE OR REPLACE TEMP TABLE past_scores (${PAST_SCORE_COLUMNS})`);
  for (const night of pickNights([...sourceOf.keys()], asOf, fiscalYearStartMonth)) {
    const source = sourceOf.get(night)!;
    await conn.run(
      `INSERT INTO past_scores SELECT as_of, opportunity_id, stage, win_probability FROM ${source.table}
       WHERE ${source.where} AND as_of = DATE ${quoteLiteral(night)}`,
    );
  }
  return correctionFromPastScores(conn, asOf, stages);
}

/** Where the nightly finds past scores, in order of preference. */
const PAST_SOURCES = [
  { table: 'scores', where: 'true', columns: ['as_of', 'opportunity_id', 'stage', 'win_probability'] },
  {
    table: 'backtest_deals',
    where: 'weeks_into_period = 0',
    columns: ['as_of', 'opportunity_id', 'stage', 'win_probability', 'weeks_into_period'],
  },
] as const;

async function hasColumns(conn: DuckDBConnection, table: string, columns: readonly string[]): Promise<boolean> {
  const present = new Set(await tableColumns(conn, table));
  return columns.every((column) => present.has(column));
}

const PAST_SCORE_COLUMNS = 'as_of DATE, opportunity_id VARCHAR, stage VARCHAR, win_probability DOUBLE';

/**
 * Per stage, and pooled over all stages, the `past_scores` rows of nights before `asOf` whose deals
 * closed after that night and on or before `asOf`.
 */
async function correctionFromPastScores(
  conn: DuckDBConnection,
  asOf: string,
  stages: ClosingStages,
): Promise<StageCorrection> {
  const asOfSql = `DATE ${quoteLiteral(asOf)}`;
  const nights = await queryRows<{ night: string }>(
    conn,
    `SELECT DISTINCT strftime(as_of, '%Y-%m-%d') AS night FROM past_scores WHERE as_of < ${asOfSql} ORDER BY 1`,
  );
  if (nights.length === 0) {
    await conn.run('DROP TABLE past_scores');
    return { asOf, nights: [], factors: [] };
  }
  const sums = await queryRows<Omit<StageFactor, 'factor'>>(
    conn,
    `WITH closes AS (${dealClosesSql(asOf, stages)}),
     learned AS (
       SELECT coalesce(past.stage, ${quoteLiteral(NO_STAGE)}) AS stage, past.as_of, past.opportunity_id,
              past.win_probability, closes.won
       FROM past_scores AS past JOIN closes USING (opportunity_id)
       WHERE past.as_of < ${asOfSql} AND closes.closed_on::DATE > past.as_of)
     SELECT CASE WHEN grouping(stage) = 1 THEN ${quoteLiteral(ALL_STAGES)} ELSE stage END AS stage,
            count(DISTINCT as_of)::INTEGER AS nights, count(*)::INTEGER AS deals, sum(won::INTEGER)::INTEGER AS won,
            sum(win_probability ORDER BY as_of, opportunity_id)::DOUBLE AS expected
     FROM learned
     GROUP BY GROUPING SETS ((stage), ())
     HAVING count(*) > 0
     ORDER BY grouping(stage), stage`,
  );
  await conn.run('DROP TABLE past_scores');
  return {
    asOf,
    nights: nights.map((n) => n.night),
    factors: sums.map((sum) => ({ ...sum, factor: shrunkFactor(sum.won, sum.expected) })),
  };
}

/** The factor a deal of `stage` gets: its stage's own (NO_STAGE for none), else the pooled one, else none. */
function factorFor(factors: ReadonlyMap<string, StageFactor>, stage: string | null): StageFactor | undefined {
  return factors.get(stage ?? NO_STAGE) ?? factors.get(ALL_STAGES);
}

/**
 * Each open deal's win probability times its factor (its stage's, else the pooled one; capped at 1),
 * and each factor with the number of open deals it was applied to. Without a correction, or a past
 * with no pooled factor, a deal whose stage has no factor keeps its probability.
 */
export function applyStageCorrection(
  winProbability: Float64Array,
  stages: readonly (string | null)[],
  correction: StageCorrection | undefined,
): { winProbability: Float64Array; factors: AppliedStageFactor[] } {
  if (!correction || correction.factors.length === 0) return { winProbability, factors: [] };
  const byStage = new Map(correction.factors.map((f) => [f.stage, f]));
  const openDeals = new Map<StageFactor, number>();
  const corrected = winProbability.map((p, i) => {
    const factor = factorFor(byStage, stages[i] ?? null);
    if (!factor) return p;
    openDeals.set(factor, (openDeals.get(factor) ?? 0) + 1);
    return Math.min(1, p * factor.factor);
  });
  return {
    winProbability: corrected,
    factors: correction.factors.map((f) => ({ ...f, openDeals: openDeals.get(f) ?? 0 })),
  };
}

/** Each open deal's stage as of the features' date (`features_score`). */
export async function openDealStages(conn: DuckDBConnection): Promise<Map<string, string | null>> {
  const rows = await queryRows<{ opportunity_id: string; stage: string | null }>(
    conn,
    'SELECT opportunity_id, stage FROM features_score',
  );
  return new Map(rows.map((row) => [row.opportunity_id, row.stage]));
}

/** Replaces the night's rows of `forecast_stage_factors` (none: the forecast had no correction). */
export async function saveStageCorrection(
  conn: DuckDBConnection,
  asOf: string,
  factors: readonly AppliedStageFactor[],
): Promise<void> {
  await ensureTable(conn, outputTable('forecast_stage_factors'));
  await conn.run(`DELETE FROM forecast_stage_factors WHERE as_of = DATE ${quoteLiteral(asOf)}`);
  for (const f of factors)
    await conn.run(
      `INSERT INTO forecast_stage_factors BY NAME SELECT DATE ${quoteLiteral(asOf)} AS as_of, ${quoteLiteral(f.stage)} AS stage,
         ${f.nights} AS nights, ${f.deals} AS deals, ${f.won} AS won, ${f.expected} AS expected, ${f.factor} AS factor,
         ${f.openDeals} AS open_deals`,
    );
}

/** "Prospecting ×1.12 (… 855 deals; applied to 120 open deals), …": the log's account of a correction as applied. */
export function describeStageCorrection(correction: StageCorrection, applied: readonly AppliedStageFactor[]): string {
  if (correction.factors.length === 0) return 'no correction by stage: no past scores whose deals have closed since';
  const parts = applied.map(
    (f) =>
      `${f.stage} ×${f.factor.toFixed(3)} (${f.won} won of ${f.expected.toFixed(1)} expected, ${f.deals} deals; applied to ${f.openDeals} open deals)`,
  );
  return `correction by stage from ${correction.nights.length} past night(s) (${correction.nights.join(', ')}): ${parts.join('; ')}`;
}
