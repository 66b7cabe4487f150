/**
 * What the model expects if a move happens: the move's records are added to temporary copies of the
 * exports (./overlay.ts), the SAME feature SQL models rebuild the open deals' rows as of tonight, and
 * the active model scores them. The change in win probability and in expected value (probability ×
 * expected amount) against tonight's own rows is the move's worth. It says what the model expects,
 * not what the move causes.
 *
 * Some features count an account's activity across its deals, so two moves on one account would
 * see each other: moves are applied in rounds, at most one per account in each. The models a move
 * cannot change are built once; each round rebuilds the others over its accounts' rows only, and
 * all rounds' rows are scored together.
 */
import { queryRows, quoteIdent, quoteLiteral, type DuckDBConnection } from '../base/db.ts';
import type { Logger } from '../base/log.ts';
import { createSeeds, setVariables, supportedFeatureNames } from '../features/build.ts';
import { resolveFeatureConfig, type FeatureOptions } from '../features/config.ts';
import { FEATURE_MART } from '../features/family-sql.ts';
import { readSqlModels, type SqlModel } from '../features/sql-models.ts';
import { predictOpenDeals } from '../../models/index.ts';
import {
  applyOverlay,
  dropOverlay,
  narrowOverlaySource,
  OVERLAID_TABLES,
  sqlList,
  type StagedMove,
} from './overlay.ts';

/** The model's view of one deal: win probability and the amount expected if won. */
export interface DealOutlook {
  winProbability: number;
  expectedAmount: number;
}

export interface MoveWorth {
  before: DealOutlook;
  after: DealOutlook;
}

/** The SQL model that lists the observations (deal, date) every later model computes for. */
const OBSERVATIONS = 'int_observations';
/**
 * The models that list the observations, built once for all the priced deals and kept whole in
 * `moves_all_<name>`: each round observes its own deals only, so that its rebuild computes for them alone.
 */
const OBSERVATION_LISTS = [OBSERVATIONS, 'int_observed_deals'];
const allOf = (list: string) => `moves_all_${list}`;
/**
 * Models that read the overlaid exports only for deals closed by tonight: a move adds records to an
 * open deal, dated tonight, so they come out the same and are built once.
 */
const PAST_ONLY_MODELS = new Set(['int_closed_deals']);
/** Between the round and the deal id in the scored rows' key. */
const ROUND_SEPARATOR = '|';
/**
 * Models a move changes only through per-observation tables, read by (deal, date): every round's
 * rows are built in one pass, with the deal ids of their inputs keyed by round (moves_keyed_<input>),
 * rather than once per round. The closed deals they also read are the same for every round.
 */
const ONCE_FOR_ALL_ROUNDS = new Set(['int_similar_deals', FEATURE_MART]);
const keyedOf = (input: string) => `moves_keyed_${input}`;
const COUNTERFACTUAL_FEATURES = 'moves_counterfactual_features';
const COUNTERFACTUAL_ROWS = 'moves_counterfactual_score';

/** The model's outlook for every deal of a feature table (keyed by opportunity id). */
export async function scoreTable(
  conn: DuckDBConnection,
  table: string,
  modelsDir: string,
  log: Logger,
): Promise<Map<string, DealOutlook>> {
  const predictions = await predictOpenDeals(conn, { modelsDir, table, explain: false, log });
  const amounts = predictions.expectedAmounts;
  const repAmounts = amounts ? null : await repAmountsOf(conn, table);
  return new Map(
    predictions.opportunityIds.map((id, i) => [
      id,
      {
        winProbability: Number(predictions.winProbabilities[i]),
        expectedAmount: amounts ? Number(amounts[i]) : (repAmounts!.get(id) ?? 0),
      },
    ]),
  );
}

/**
 * Each staged move's worth: tonight's outlook of its deal, and the outlook with the move applied.
 * `baseline` is tonight's outlook from scoreTable('features_score').
 */
export async function counterfactualWorth(
  conn: DuckDBConnection,
  staged: StagedMove[],
  options: {
    asOf: string;
    features: FeatureOptions;
    modelsDir: string;
    baseline: Map<string, DealOutlook>;
    log: Logger;
  },
): Promise<Map<string, MoveWorth>> {
  const worth = new Map<string, MoveWorth>();
  const rounds = roundsByAccount(staged);
  const outlooks = await outlookOfRounds(
    conn,
    rounds.map((moves) => ({ moves, deals: dealsOf(moves) })),
    options,
  );
  rounds.forEach((round, i) => {
    for (const { move } of round) {
      const before = options.baseline.get(move.opportunityId);
      const after = outlooks[i]!.get(move.opportunityId);
      if (before && after) worth.set(move.moveId, { before, after });
    }
  });
  options.log.info(
    `moves: ${staged.length} moves scored with the model in ${rounds.length} rounds of counterfactual feature rows`,
  );
  return worth;
}

/**
 * The outlook of `deals` (default: the moves' deals) with `moves` applied (one round: no two moves
 * on one account). With no moves, tonight's rows rebuilt: the same as features_score.
 */
export async function counterfactualOutlook(
  conn: DuckDBConnection,
  moves: StagedMove[],
  options: { asOf: string; features: FeatureOptions; modelsDir: string; log: Logger },
  deals = dealsOf(moves),
): Promise<Map<string, DealOutlook>> {
  const [outlook] = await outlookOfRounds(conn, [{ moves, deals }], options);
  return outlook!;
}

/**
 * Every round's outlook in one pass. The SQL models a move cannot change are built once over the
 * loaded tables; each round rebuilds only the models that read the overlaid exports, over the rows
 * of the accounts it touches; the models after them (ONCE_FOR_ALL_ROUNDS) are built once over every
 * round's rows keyed by round, and those rows are scored by the model once.
 */
async function outlookOfRounds(
  conn: DuckDBConnection,
  rounds: { moves: StagedMove[]; deals: string[] }[],
  options: { asOf: string; features: FeatureOptions; modelsDir: string; log: Logger },
): Promise<Map<string, DealOutlook>[]> {
  // no round (an export where no open deal has a move): nothing to rebuild, and no keyed rows to read
  if (rounds.length === 0) return [];
  let keyedInputs: string[] = [];
  try {
    const allDeals = [...new Set(rounds.flatMap((round) => round.deals))];
    const changed = await buildUnchangedModels(conn, options.asOf, options.features, allDeals);
    const perRound = changed.filter((model) => !ONCE_FOR_ALL_ROUNDS.has(model.name));
    const once = changed.filter((model) => ONCE_FOR_ALL_ROUNDS.has(model.name));
    keyedInputs = inputsOf(once);
    await narrowOverlaySource(conn, await accountsOf(conn, allDeals));
    for (const [i, round] of rounds.entries()) {
      const dealList = sqlList(round.deals);
      await applyOverlay(conn, round.moves, options.asOf, await accountsOf(conn, round.deals), 'narrowed');
      for (const list of OBSERVATION_LISTS)
        await conn.run(
          `CREATE OR REPLACE TEMP TABLE ${list} AS FROM ${allOf(list)} WHERE opportunity_id IN (${dealList})`,
        );
      for (const model of perRound) await buildModel(conn, model);
      // the round's rows of every input of the models built once, keyed by round and deal
      const key = `${quoteLiteral(`${i}${ROUND_SEPARATOR}`)} || opportunity_id AS opportunity_id`;
      for (const input of keyedInputs) {
        const rows = `SELECT * REPLACE (${key}) FROM temp.main.${input} WHERE opportunity_id IN (${dealList})`;
        await conn.run(
          i === 0
            ? `CREATE OR REPLACE TEMP TABLE ${keyedOf(input)} AS ${rows}`
            : `INSERT INTO ${keyedOf(input)} ${rows}`,
        );
      }
    }
    for (const input of keyedInputs) await conn.run(`CREATE OR REPLACE TEMP TABLE ${input} AS FROM ${keyedOf(input)}`);
    for (const model of once) await buildModel(conn, model);
    // tonight's rows (with the export's own columns as the build added them), the catalog features
    // rebuilt, keyed by round and deal so that every round is scored in one call
    const supported = await supportedFeatureNames(conn);
    const replaced = supported.map((name) => `m.${quoteIdent(name)} AS ${quoteIdent(name)}`);
    const dealOf = `substr(m.opportunity_id, strpos(m.opportunity_id, ${quoteLiteral(ROUND_SEPARATOR)}) + 1)`;
    await conn.run(`CREATE OR REPLACE TEMP TABLE ${COUNTERFACTUAL_ROWS} AS
      SELECT s.* REPLACE (${['m.opportunity_id AS opportunity_id', ...replaced].join(', ')})
      FROM temp.main.${COUNTERFACTUAL_FEATURES} AS m
      JOIN features_score AS s ON s.opportunity_id = ${dealOf} AND s.as_of = m.as_of`);
    const scored = await scoreTable(conn, COUNTERFACTUAL_ROWS, options.modelsDir, options.log);
    const outlooks = rounds.map(() => new Map<string, DealOutlook>());
    for (const [key, outlook] of scored) {
      const at = key.indexOf(ROUND_SEPARATOR);
      outlooks[Number(key.slice(0, at))]!.set(key.slice(at + ROUND_SEPARATOR.length), outlook);
    }
    return outlooks;
  } finally {
    await dropOverlay(conn);
    const tables = [COUNTERFACTUAL_FEATURES, COUNTERFACTUAL_ROWS, ...OBSERVATION_LISTS.map(allOf)];
    for (const table of [...tables, ...keyedInputs.map(keyedOf)])
      await conn.run(`DROP TABLE IF EXISTS temp.main.${table}`);
  }
}

/**
 * The feature SQL models over the loaded tables and the given open deals only, into temporary tables
 * (the real ones are kept). The models that follow the observations compute per observation, so
 * observing only these deals gives their rows unchanged at a fraction of the work. Returns the
 * models a move can change, in build order, for each round to rebuild (the mart among them).
 */
async function buildUnchangedModels(
  conn: DuckDBConnection,
  asOf: string,
  features: FeatureOptions,
  deals: string[],
): Promise<SqlModel[]> {
  const config = resolveFeatureConfig(features);
  await setVariables(conn, asOf, config, false);
  await createSeeds(conn, config);
  await dropOverlay(conn);
  const models = readSqlModels().filter((model) => model.layer !== 'marts' || model.name === FEATURE_MART);
  const changed = new Set<string>();
  for (const model of models) {
    const readsMoves =
      OVERLAID_TABLES.some((table) => new RegExp(`\\b${table}\\b`).test(model.sql)) ||
      model.dependsOn.some((name) => changed.has(name));
    if (readsMoves && !PAST_ONLY_MODELS.has(model.name)) changed.add(model.name);
  }
  // a model a move can change is rebuilt by every round before it is read: built here only when an
  // unchanged one needs it over the loaded tables (int_closed_deals reads the contact touches)
  const needed = new Set(models.filter((model) => !changed.has(model.name)).map((model) => model.name));
  for (const model of [...models].reverse())
    if (needed.has(model.name)) for (const name of model.dependsOn) needed.add(name);
  for (const model of models) {
    if (model.name === FEATURE_MART || !needed.has(model.name)) continue;
    await buildModel(conn, model);
    if (model.name === OBSERVATIONS)
      await conn.run(`DELETE FROM temp.main.${OBSERVATIONS} WHERE opportunity_id NOT IN (${sqlList(deals)})`);
    if (OBSERVATION_LISTS.includes(model.name))
      await conn.run(`CREATE OR REPLACE TEMP TABLE ${allOf(model.name)} AS FROM temp.main.${model.name}`);
  }
  return models.filter((model) => changed.has(model.name));
}

/**
 * The per-observation tables the models built once read, keyed by round: all they read but each
 * other and the closed deals, which every round shares.
 */
function inputsOf(once: SqlModel[]): string[] {
  const names = new Set(once.map((model) => model.name));
  const inputs = once.flatMap((model) => model.dependsOn);
  return [...new Set(inputs)].filter((name) => !names.has(name) && !PAST_ONLY_MODELS.has(name));
}

async function buildModel(conn: DuckDBConnection, model: SqlModel): Promise<void> {
  const name = model.name === FEATURE_MART ? COUNTERFACTUAL_FEATURES : model.name;
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${quoteIdent(name)} AS ${model.sql}`);
}

/** The accounts of these deals: the rows a round's rebuild needs. */
async function accountsOf(conn: DuckDBConnection, deals: string[]): Promise<string[]> {
  const rows = await queryRows<{ account_id: string }>(
    conn,
    `SELECT DISTINCT account_id FROM opportunities WHERE opportunity_id IN (${sqlList(deals)}) AND account_id IS NOT NULL`,
  );
  return rows.map((row) => row.account_id);
}

function dealsOf(moves: StagedMove[]): string[] {
  return [...new Set(moves.map(({ move }) => move.opportunityId))];
}

/** Rounds of moves with at most one move per account each (the nth move of every account in round n). */
export function roundsByAccount(staged: StagedMove[]): StagedMove[][] {
  const rounds: StagedMove[][] = [];
  const seen = new Map<string, number>();
  for (const item of staged) {
    const n = seen.get(item.move.accountId) ?? 0;
    seen.set(item.move.accountId, n + 1);
    rounds[n] ??= [];
    rounds[n].push(item);
  }
  return rounds;
}

async function repAmountsOf(conn: DuckDBConnection, table: string): Promise<Map<string, number>> {
  const rows = await queryRows<{ id: string; amount: number | null }>(
    conn,
    `SELECT opportunity_id AS id, amount::DOUBLE AS amount FROM ${quoteIdent(table)}`,
  );
  return new Map(rows.map((row) => [row.id, row.amount ?? 0]));
}
