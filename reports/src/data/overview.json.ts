/** overview.json: the headline numbers of the latest night, by month and by stage, and the model's AUC. */
import { queryRows } from '../../../pipeline/db.ts';
import type { Overview, StageSummary } from '../components/types.ts';
import { forecastBuckets, PAST_DUE } from './forecastBuckets.ts';
import { LATEST_SCORES_CTE, scoresHeader } from './latestScores.ts';
import { modelSummary } from './modelSummary.ts';
import { runLoader } from './runLoader.ts';
import { rangeForecast } from './forecastExtras.ts';

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
  const [previous] = await queryRows<{ previousAsOf: string | null; openDeals: number; expected: number; weighted: number }>(
    conn,
    `WITH prior AS (SELECT * FROM scores WHERE as_of = (SELECT max(as_of) FROM scores WHERE as_of < DATE '${header.asOf}'))
     SELECT strftime(max(as_of), '%Y-%m-%d') AS "previousAsOf", count(*)::INTEGER AS "openDeals",
            coalesce(sum(win_probability * coalesce(amount, 0)), 0)::DOUBLE AS expected,
            coalesce(sum(coalesce(stage_probability, 0) * coalesce(amount, 0)), 0)::DOUBLE AS weighted
     FROM prior`,
  );
  const movement: Overview['movement'] = previous?.previousAsOf
    ? { available: true, previousAsOf: previous.previousAsOf, openDeals: previous.openDeals, expected: previous.expected, weighted: previous.weighted }
    : { available: false, reason: 'Movement since the previous run is not available: this is the first night of scores.' };
  const range = await rangeForecast(conn);
  const keyDeals = await queryRows<Overview['keyDeals'][number]>(
    conn,
    `WITH ${LATEST_SCORES_CTE},
     prior AS (SELECT opportunity_id, win_probability FROM scores WHERE as_of = (SELECT max(as_of) FROM scores WHERE as_of < DATE '${header.asOf}'))
     SELECT l.opportunity_id AS "opportunityId", l.account_id AS "accountId", l.stage, coalesce(l.amount, 0)::DOUBLE AS amount,
            l.win_probability::DOUBLE AS "winProbability", round(l.win_probability * coalesce(l.amount, 0), 2)::DOUBLE AS "expectedValue",
            (l.win_probability - p.win_probability)::DOUBLE AS change
     FROM latest AS l LEFT JOIN prior AS p USING (opportunity_id)
     ORDER BY "expectedValue" DESC, "opportunityId" LIMIT 5`,
  );
  const keyAccounts = await queryRows<Overview['keyAccounts'][number]>(
    conn,
    `WITH ${LATEST_SCORES_CTE}
     SELECT account_id AS "accountId", count(*)::INTEGER AS deals, sum(coalesce(amount, 0))::DOUBLE AS amount,
            round(sum(win_probability * coalesce(amount, 0)), 2)::DOUBLE AS expected
     FROM latest GROUP BY account_id ORDER BY expected DESC, "accountId" LIMIT 5`,
  );
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
    movement,
    range: range.available ? { available: true, row: range.rows[0]! } : range,
    keyDeals,
    keyAccounts,
  };
});

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
