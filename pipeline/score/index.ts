import { mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { queryRows, quoteLiteral, type DuckDBConnection } from '../db.ts';
import type { Logger } from '../log.ts';

export interface Predictions {
  opportunityIds: string[];
  probabilities: ArrayLike<number>;
  modelVersion: string;
}

export interface ScoreSummary {
  asOf: string;
  scored: number;
  modelVersion: string;
  scoresCsv: string;
  meanWinProbability: number;
}

/**
 * Writes one night's scores: the `scores` table keeps every night (a re-run of the same as-of date
 * replaces that night only), and `scores.csv` in the output folder holds the latest, swapped in
 * whole so a reader never sees half a file.
 */
export async function writeScores(conn: DuckDBConnection, predictions: Predictions, options: { asOf: string; outDir: string; log: Logger }): Promise<ScoreSummary> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE predictions (opportunity_id VARCHAR, win_probability DOUBLE)`);
  const appender = await conn.createAppender('predictions', 'main', 'temp');
  for (let i = 0; i < predictions.opportunityIds.length; i++) {
    appender.appendVarchar(predictions.opportunityIds[i]!);
    appender.appendDouble(predictions.probabilities[i]!);
    appender.endRow();
  }
  appender.closeSync();

  const asOf = quoteLiteral(options.asOf);
  await conn.run(`
    CREATE TABLE IF NOT EXISTS scores (
      opportunity_id VARCHAR, as_of DATE, account_id VARCHAR, owner_id VARCHAR, stage VARCHAR,
      stage_probability DOUBLE, amount DOUBLE, expected_close_date DATE, win_probability DOUBLE,
      score INTEGER, model_version VARCHAR, scored_at TIMESTAMP)`);
  await conn.run('BEGIN TRANSACTION');
  await conn.run(`DELETE FROM scores WHERE as_of = DATE ${asOf}`);
  await conn.run(`
    INSERT INTO scores
    SELECT
        features.opportunity_id, features.as_of, features.account_id, features.owner_id, features.stage,
        features.stage_probability, features.amount, features.expected_close_date,
        predictions.win_probability,
        round(100 * predictions.win_probability)::INTEGER AS score,
        ${quoteLiteral(predictions.modelVersion)} AS model_version,
        now()::TIMESTAMP AS scored_at
    FROM features_score AS features
    JOIN predictions USING (opportunity_id)
    ORDER BY features.opportunity_id`);
  await conn.run('COMMIT');

  mkdirSync(options.outDir, { recursive: true });
  const csv = join(options.outDir, 'scores.csv');
  const partial = `${csv}.partial`;
  await conn.run(`
    COPY (
      SELECT opportunity_id, round(win_probability, 6) AS win_probability, score, stage, amount, expected_close_date, model_version, scored_at
      FROM scores WHERE as_of = DATE ${asOf} ORDER BY opportunity_id
    ) TO ${quoteLiteral(partial)} (HEADER, DELIMITER ',')`);
  renameSync(partial, csv);

  const [stats] = await queryRows<{ n: number; mean: number }>(conn, `SELECT count(*)::INTEGER AS n, coalesce(avg(win_probability), 0)::DOUBLE AS mean FROM scores WHERE as_of = DATE ${asOf}`);
  options.log.info(`scored ${stats!.n} open deals as of ${options.asOf} (mean win probability ${stats!.mean.toFixed(3)}) -> ${csv}`);
  return { asOf: options.asOf, scored: stats!.n, modelVersion: predictions.modelVersion, scoresCsv: csv, meanWinProbability: stats!.mean };
}
