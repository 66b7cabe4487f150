import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { dateValue } from '@duckdb/node-api';
import { inTransaction, queryRows, quoteLiteral, type DuckDBConnection } from '../base/db.ts';
import type { Logger } from '../base/log.ts';
import { outputTable } from '../contract/output-tables.ts';
import { ensureTable } from '../contract/table-spec.ts';
import type { WuweiConfig } from '../config/config.ts';
import { probabilityCloseBetween } from '../outlook/close-timing.ts';
import { dayNumber } from '../base/dates.ts';
import { periodContaining } from '../base/periods.ts';
import { gradeOf, scoreFromProbability } from './grade.ts';
import type { DealOutlook } from '../outlook/deal-outlook.ts';
import { trendOf } from './trend.ts';
import { exportScores, GENERIC_COLUMNS } from './writeback.ts';

export { dealOutlook, type DealOutlook } from '../outlook/deal-outlook.ts';

export interface ScoreSummary {
  asOf: string;
  scored: number;
  modelVersion: string;
  predictionSource: string;
  amountSource: string;
  timingSource: string;
  scoresCsv: string;
  meanWinProbability: number;
  grades: Record<string, number>;
  trends: Record<string, number>;
}

/**
 * Writes one night's scores: the `scores` table keeps every night (a re-run of the same as-of date
 * replaces that night only, and its trend compares with the night before, so it comes out the
 * same), and `scores.csv` in the output folder holds the latest, swapped in whole so a reader never
 * sees half a file.
 */
export async function writeScores(
  conn: DuckDBConnection,
  outlook: DealOutlook,
  options: { outDir: string; config: Pick<WuweiConfig, 'grades' | 'scores' | 'fiscal'>; log: Logger },
): Promise<ScoreSummary> {
  const asOf = outlook.asOf;
  const asOfSql = `DATE ${quoteLiteral(asOf)}`;
  // declared in pipeline/contract/output-tables.ts; an older database gains the columns added since
  await ensureTable(conn, outputTable('scores'));

  const previous = new Map(
    (
      await queryRows<{ opportunity_id: string; score: number }>(
        conn,
        `SELECT opportunity_id, score FROM scores WHERE as_of = (SELECT max(as_of) FROM scores WHERE as_of < ${asOfSql})`,
      )
    ).map((row) => [row.opportunity_id, row.score]),
  );
  const repDates = new Map(
    (
      await queryRows<{ opportunity_id: string; rep_close_date: string | null }>(
        conn,
        `SELECT opportunity_id, strftime(expected_close_date, '%Y-%m-%d') AS rep_close_date FROM features_score`,
      )
    ).map((row) => [row.opportunity_id, row.rep_close_date]),
  );

  await conn.run(`
    CREATE OR REPLACE TEMP TABLE deal_scores (
      opportunity_id VARCHAR, win_probability DOUBLE, score INTEGER, grade VARCHAR, trend VARCHAR, previous_score INTEGER,
      expected_amount DOUBLE, predicted_close_date DATE, close_median_days DOUBLE, close_log_sigma DOUBLE, slip_risk DOUBLE,
      top_positive_factors VARCHAR, top_negative_factors VARCHAR)`);
  const appender = await conn.createAppender('deal_scores', 'main', 'temp');
  const asOfDay = dayNumber(asOf);
  for (let i = 0; i < outlook.opportunityIds.length; i++) {
    const id = outlook.opportunityIds[i]!;
    const probability = outlook.winProbability[i]!;
    const score = scoreFromProbability(probability);
    const before = previous.get(id);
    const median = outlook.closeMedianDays[i]!;
    const sigma = outlook.closeLogSigma[i]!;
    appender.appendVarchar(id);
    appender.appendDouble(probability);
    appender.appendInteger(score);
    appender.appendVarchar(gradeOf(score, options.config.grades));
    appender.appendVarchar(trendOf(score, before, options.config.scores.trendThreshold));
    if (before === undefined) appender.appendNull();
    else appender.appendInteger(before);
    appender.appendDouble(outlook.expectedAmount[i]!);
    appender.appendDate(dateValue(asOfDay + Math.max(1, Math.round(median))));
    appender.appendDouble(median);
    appender.appendDouble(sigma);
    const repDate = repDates.get(id) ?? null;
    if (repDate === null) appender.appendNull();
    else {
      const period = periodContaining(repDate, options.config.scores.slipPeriod, options.config.fiscal.yearStartMonth);
      appender.appendDouble(
        1 - probabilityCloseBetween(median, sigma, dayNumber(period.start) - asOfDay, dayNumber(period.end) - asOfDay),
      );
    }
    appender.appendVarchar(outlook.positiveFactors[i]!);
    appender.appendVarchar(outlook.negativeFactors[i]!);
    appender.endRow();
  }
  appender.closeSync();

  await inTransaction(conn, async () => {
    await conn.run(`DELETE FROM scores WHERE as_of = ${asOfSql}`);
    await conn.run(`
      INSERT INTO scores BY NAME
      SELECT
          features.opportunity_id, features.as_of, features.account_id, features.owner_id, features.stage,
          features.stage_probability, features.amount, features.expected_close_date,
          deal_scores.* EXCLUDE (opportunity_id),
          ${quoteLiteral(outlook.predictionSource)} AS prediction_source,
          ${quoteLiteral(outlook.amountSource)} AS amount_source,
          ${quoteLiteral(outlook.timingSource)} AS timing_source,
          ${quoteLiteral(outlook.modelVersion)} AS model_version,
          now()::TIMESTAMP AS scored_at
      FROM features_score AS features
      JOIN deal_scores USING (opportunity_id)
      ORDER BY features.opportunity_id`);
  });

  mkdirSync(options.outDir, { recursive: true });
  const csv = join(options.outDir, 'scores.csv');
  await exportScores(conn, asOf, GENERIC_COLUMNS, csv);

  const [stats] = await queryRows<{ n: number; mean: number }>(
    conn,
    `SELECT count(*)::INTEGER AS n, coalesce(avg(win_probability), 0)::DOUBLE AS mean FROM scores WHERE as_of = ${asOfSql}`,
  );
  const counts = async (column: string) =>
    Object.fromEntries(
      (
        await queryRows<{ k: string; n: number }>(
          conn,
          `SELECT ${column} AS k, count(*)::INTEGER AS n FROM scores WHERE as_of = ${asOfSql} GROUP BY 1 ORDER BY 1`,
        )
      ).map((r) => [r.k, r.n]),
    );
  const summary: ScoreSummary = {
    asOf,
    scored: stats!.n,
    modelVersion: outlook.modelVersion,
    predictionSource: outlook.predictionSource,
    amountSource: outlook.amountSource,
    timingSource: outlook.timingSource,
    scoresCsv: csv,
    meanWinProbability: stats!.mean,
    grades: await counts('grade'),
    trends: await counts('trend'),
  };
  options.log.info(
    `scored ${summary.scored} open deals as of ${asOf} (mean win probability ${summary.meanWinProbability.toFixed(3)}; grades ${JSON.stringify(summary.grades)}) -> ${csv}`,
  );
  return summary;
}
