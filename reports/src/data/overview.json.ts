/**
 * overview.json: the first screen. The quarter's forecast with its range, against target and the
 * CRM's own numbers, each with its backtested accuracy (all from the forecast stage's tables); what
 * changed since the previous night and why; the deals and accounts that matter most, by name.
 */
import { queryRows, type DuckDBConnection } from '../../../pipeline/base/db.ts';
import type { Overview, StageSummary } from '../components/types.ts';
import { forecastFigures } from './forecastFigures.ts';
import { expectedValueSql } from '../../../pipeline/score/expected-value.ts';
import { LATEST_SCORES_CTE, scoresHeader } from './latestScores.ts';
import { modelSummary } from './modelSummary.ts';
import { nightChanges } from './nightChanges.ts';
import { runLoaderAsScript } from './runLoader.ts';
import { optionalColumns } from './tables.ts';

/** The overview page's data, from the run's database. */
export async function overviewData(conn: DuckDBConnection): Promise<Overview> {
  const header = await scoresHeader(conn);
  const byStage = await queryRows<StageSummary>(
    conn,
    `WITH ${LATEST_SCORES_CTE}
     SELECT stage,
            coalesce(max(stage_probability), 0)::DOUBLE AS "stageProbability",
            count(*)::INTEGER AS deals,
            coalesce(sum(amount), 0)::DOUBLE AS amount,
            avg(win_probability)::DOUBLE AS "meanWinProbability"
     FROM latest
     GROUP BY stage
     ORDER BY "stageProbability", stage`,
  );
  const model = await modelSummary(conn);
  const forecast = await forecastFigures(conn);
  const scored = await optionalColumns(conn, 'scores', ['expected_amount']);
  const keyDeals = await queryRows<Overview['keyDeals'][number]>(
    conn,
    `WITH ${LATEST_SCORES_CTE},
     prior AS (SELECT opportunity_id, win_probability FROM scores WHERE as_of = (SELECT max(as_of) FROM scores WHERE as_of < DATE '${header.asOf}'))
     SELECT l.opportunity_id AS "opportunityId", o.name, a.name AS "accountName", l.stage, coalesce(l.amount, 0)::DOUBLE AS amount,
            l.win_probability::DOUBLE AS "winProbability", round(${expectedValueSql('l', scored.has('expected_amount'))}, 2)::DOUBLE AS "expectedValue",
            (l.win_probability - p.win_probability)::DOUBLE AS change
     FROM latest AS l LEFT JOIN prior AS p USING (opportunity_id)
     LEFT JOIN opportunities AS o ON o.opportunity_id = l.opportunity_id
     LEFT JOIN accounts AS a ON a.account_id = l.account_id
     ORDER BY "expectedValue" DESC, "opportunityId" LIMIT 5`,
  );
  const keyAccounts = await queryRows<Overview['keyAccounts'][number]>(
    conn,
    `WITH ${LATEST_SCORES_CTE}
     SELECT l.account_id AS "accountId", any_value(a.name) AS name, count(*)::INTEGER AS deals, sum(coalesce(l.amount, 0))::DOUBLE AS amount,
            avg(l.win_probability)::DOUBLE AS "meanWinProbability"
     FROM latest AS l LEFT JOIN accounts AS a ON a.account_id = l.account_id
     GROUP BY l.account_id ORDER BY amount DESC, "accountId" LIMIT 5`,
  );
  const auc = model?.metrics.find((metric) => metric.name === 'AUC');
  return {
    asOf: header.asOf,
    scoredAt: header.scoredAt,
    scoresModelVersion: header.modelVersion,
    currency: header.currency,
    openDeals: header.openDeals,
    openAmount: byStage.reduce((total, stage) => total + stage.amount, 0),
    forecast,
    byStage,
    model:
      model && auc
        ? {
            version: model.version,
            trainedAt: model.trainedAt,
            backend: model.backend,
            auc: auc.wuwei,
            baselineAuc: auc.baseline,
          }
        : null,
    night: await nightChanges(conn, header.asOf, forecast.quarter?.periodStart ?? null),
    keyDeals,
    keyAccounts,
  };
}

await runLoaderAsScript(import.meta.url, 'overview', overviewData);
