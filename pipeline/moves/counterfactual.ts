/**
 * What the model expects if a move happens: the move's records are added to temporary copies of the
 * exports (./overlay.ts), the SAME feature SQL models rebuild the open deals' rows as of tonight, and
 * the active model scores them. The change in win probability and in expected value (probability ×
 * expected amount) against tonight's own rows is the move's worth. It says what the model expects,
 * not what the move causes.
 *
 * Some features count an account's activity across its deals, so two moves on one account would
 * see each other: moves are applied in rounds, at most one per account in each.
 */
import { queryRows, quoteIdent, quoteLiteral, type DuckDBConnection } from '../base/db.ts';
import type { Logger } from '../base/log.ts';
import { createSeeds, setVariables, supportedFeatureNames } from '../features/build.ts';
import { resolveFeatureConfig, type FeatureOptions } from '../features/config.ts';
import { FEATURE_MART } from '../features/family-sql.ts';
import { readSqlModels } from '../features/sql-models.ts';
import { predictOpenDeals } from '../../models/index.ts';
import { applyOverlay, dropOverlay, type StagedMove } from './overlay.ts';

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
  try {
    for (const round of rounds) {
      const outlook = await counterfactualOutlook(conn, round, options);
      for (const { move } of round) {
        const before = options.baseline.get(move.opportunityId);
        const after = outlook.get(move.opportunityId);
        if (before && after) worth.set(move.moveId, { before, after });
      }
    }
  } finally {
    await dropOverlay(conn);
    await conn.run(`DROP TABLE IF EXISTS temp.main.${COUNTERFACTUAL_FEATURES}`);
    await conn.run(`DROP TABLE IF EXISTS temp.main.${COUNTERFACTUAL_ROWS}`);
  }
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
  deals = [...new Set(moves.map(({ move }) => move.opportunityId))],
): Promise<Map<string, DealOutlook>> {
  await applyOverlay(conn, moves, options.asOf);
  const dealList = deals.length > 0 ? deals.map(quoteLiteral).join(', ') : 'NULL';
  await buildScoringMart(conn, options.asOf, options.features, dealList);
  const supported = await supportedFeatureNames(conn);
  const replaced = supported.map((name) => `m.${quoteIdent(name)} AS ${quoteIdent(name)}`).join(', ');
  // tonight's rows (with the export's own columns as the build added them), the catalog features rebuilt
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${COUNTERFACTUAL_ROWS} AS
    SELECT s.*${replaced ? ` REPLACE (${replaced})` : ''}
    FROM features_score AS s JOIN temp.main.${COUNTERFACTUAL_FEATURES} AS m USING (opportunity_id, as_of)
    WHERE s.opportunity_id IN (${dealList})`);
  return scoreTable(conn, COUNTERFACTUAL_ROWS, options.modelsDir, options.log);
}

/**
 * The feature SQL models over the round's open deals only (`dealList`), the mart into a temporary
 * table (the real one is kept). The models that follow the observations compute per observation,
 * so observing only the round's deals gives their rows unchanged at a fraction of the work.
 */
async function buildScoringMart(
  conn: DuckDBConnection,
  asOf: string,
  features: FeatureOptions,
  dealList: string,
): Promise<void> {
  const config = resolveFeatureConfig(features);
  await setVariables(conn, asOf, config, false);
  await createSeeds(conn, config);
  for (const model of readSqlModels()) {
    if (model.layer === 'marts' && model.name !== FEATURE_MART) continue;
    const name = model.name === FEATURE_MART ? COUNTERFACTUAL_FEATURES : model.name;
    await conn.run(`CREATE OR REPLACE TEMP TABLE ${quoteIdent(name)} AS ${model.sql}`);
    if (model.name === OBSERVATIONS)
      await conn.run(`DELETE FROM temp.main.${OBSERVATIONS} WHERE opportunity_id NOT IN (${dealList})`);
  }
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
