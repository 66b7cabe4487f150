/**
 * The moves judged against the generator's truth (ground_truth_moves.csv, pipeline/generate/move-truth.ts):
 * do the model's expected uplifts rank moves, and deals, like the true ones? Beside the model, a
 * naive rule that always adds the economic buyer. Used by the seeded test and the bench; the
 * pipeline never reads the truth.
 */
import { queryRows, quoteLiteral, type DuckDBConnection } from '../base/db.ts';

export interface TruthCheck {
  moves: number;
  deals: number;
  /** Spearman rank correlation of the model's and the true change in win probability, over all moves. */
  moveSpearman: number;
  /** The same for the naive rule's score (1 for the economic-buyer move, 0 else). */
  naiveMoveSpearman: number;
  /** Share of the model's top decile of moves that is in the true top decile. */
  topDecileOverlap: number;
  naiveTopDecileOverlap: number;
  /** Spearman over deals of the best move's model uplift against the best move's true uplift. */
  dealSpearman: number;
  /** Mean true uplift of the one move per deal each chooses: the model's best, the naive rule's, the truth's best. */
  trueUpliftOfChoice: { model: number; naive: number; oracle: number; random: number };
}

/** Reads next_moves of the night `asOf` and the truth file, and compares them. */
export async function checkMovesAgainstTruth(
  conn: DuckDBConnection,
  asOf: string,
  truthCsv: string,
): Promise<TruthCheck> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE move_truth AS
    SELECT opportunity_id::VARCHAR AS opportunity_id, move AS truth_key,
           true_win_probability_after::DOUBLE - true_win_probability::DOUBLE AS true_delta
    FROM read_csv(${quoteLiteral(truthCsv)}, header = true, all_varchar = true)`);
  await conn.run(`CREATE OR REPLACE TEMP TABLE judged_moves AS
    SELECT m.move_id, m.opportunity_id, m.delta_win_probability AS model_delta, (m.truth_key = 'economic_buyer')::INTEGER::DOUBLE AS naive_score,
           t.true_delta, hash(m.move_id) AS shuffle
    FROM next_moves AS m JOIN move_truth AS t USING (opportunity_id, truth_key)
    WHERE m.as_of = DATE ${quoteLiteral(asOf)}`);
  const [row] = await queryRows<Omit<TruthCheck, 'trueUpliftOfChoice' | 'dealSpearman'>>(
    conn,
    `WITH ranked AS (
       SELECT *, percent_rank() OVER (ORDER BY model_delta DESC, move_id) AS model_rank,
              percent_rank() OVER (ORDER BY naive_score DESC, shuffle) AS naive_rank,
              percent_rank() OVER (ORDER BY true_delta DESC, move_id) AS true_rank,
              rank() OVER (ORDER BY model_delta) AS r_model, rank() OVER (ORDER BY naive_score) AS r_naive, rank() OVER (ORDER BY true_delta) AS r_true
       FROM judged_moves)
     SELECT count(*)::INTEGER AS moves, count(DISTINCT opportunity_id)::INTEGER AS deals,
            coalesce(corr(r_model, r_true), 0) AS "moveSpearman", coalesce(corr(r_naive, r_true), 0) AS "naiveMoveSpearman",
            coalesce(count(*) FILTER (WHERE model_rank < 0.1 AND true_rank < 0.1) / nullif(count(*) FILTER (WHERE model_rank < 0.1), 0), 0)::DOUBLE AS "topDecileOverlap",
            coalesce(count(*) FILTER (WHERE naive_rank < 0.1 AND true_rank < 0.1) / nullif(count(*) FILTER (WHERE naive_rank < 0.1), 0), 0)::DOUBLE AS "naiveTopDecileOverlap"
     FROM ranked`,
  );
  const [deals] = await queryRows<{ spearman: number; model: number; naive: number; oracle: number; random: number }>(
    conn,
    `WITH per_deal AS (
       SELECT opportunity_id,
              max(model_delta) AS best_model, max(true_delta) AS best_true,
              arg_max(true_delta, model_delta) AS model_choice,
              arg_max(true_delta, naive_score * 1e9 - shuffle / 1e12) AS naive_choice,
              avg(true_delta) AS random_choice
       FROM judged_moves GROUP BY opportunity_id),
     ranked AS (SELECT *, rank() OVER (ORDER BY best_model) AS r_model, rank() OVER (ORDER BY best_true) AS r_true FROM per_deal)
     SELECT coalesce(corr(r_model, r_true), 0) AS spearman, avg(model_choice) AS model, avg(naive_choice) AS naive,
            avg(best_true) AS oracle, avg(random_choice) AS random
     FROM ranked`,
  );
  return {
    ...row!,
    dealSpearman: deals!.spearman,
    trueUpliftOfChoice: { model: deals!.model, naive: deals!.naive, oracle: deals!.oracle, random: deals!.random },
  };
}
