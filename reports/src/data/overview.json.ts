/** overview.json: the headline numbers of the latest night, by month and by stage, and the model's AUC. */
import { queryRows } from '../../../pipeline/db.ts';
import type { Overview, StageSummary } from '../components/types.ts';
import { forecastBuckets, PAST_DUE } from './forecastBuckets.ts';
import { LATEST_SCORES_CTE, scoresHeader } from './latestScores.ts';
import { modelSummary } from './modelSummary.ts';
import { runLoader } from './runLoader.ts';

await runLoader('overview', async (conn): Promise<Overview> => {
  const header = await scoresHeader(conn);
  const buckets = await forecastBuckets(conn, header.asOf);
  const byStage = await queryRows<StageSummary>(
    conn,
    `WITH ${LATEST_SCORES_CTE}
     SELECT stage,
            coalesce(max(stage_probability), 0)::DOUBLE AS "stageProbability",
            count(*)::INTEGER AS deals,
            coalesce(sum(amount), 0)::DOUBLE AS amount,
            round(coalesce(sum(win_probability * amount), 0), 2)::DOUBLE AS expected,
            round(coalesce(sum(stage_probability * amount), 0), 2)::DOUBLE AS weighted,
            avg(win_probability)::DOUBLE AS "meanWinProbability"
     FROM latest
     GROUP BY stage
     ORDER BY "stageProbability", stage`,
  );
  const model = await modelSummary(conn);
  const auc = model?.metrics.find((metric) => metric.name === 'AUC');
  const month = (index: number) => buckets.find((bucket) => bucket.monthIndex === index)!;
  return {
    asOf: header.asOf,
    scoredAt: header.scoredAt,
    scoresModelVersion: header.modelVersion,
    currency: header.currency,
    openDeals: header.openDeals,
    openAmount: sum(byStage.map((stage) => stage.amount)),
    expected: sum(byStage.map((stage) => stage.expected)),
    weighted: sum(byStage.map((stage) => stage.weighted)),
    pastDue: buckets.find((bucket) => bucket.monthIndex === PAST_DUE) ?? null,
    thisMonth: month(0),
    nextMonth: month(1),
    months: buckets,
    byStage,
    model: model && auc ? { version: model.version, trainedAt: model.trainedAt, backend: model.backend, auc: auc.wuwei, baselineAuc: auc.baseline } : null,
  };
});

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
