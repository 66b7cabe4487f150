/** top-deals.json: the open deals with the largest Wuwei expected value (amount x win probability). Ids only. */
import { queryRows } from '../../../pipeline/db.ts';
import type { OpenDeal, TopDeals } from '../components/types.ts';
import { LATEST_SCORES_CTE, scoresHeader } from './latestScores.ts';
import { runLoader } from './runLoader.ts';

const TOP = 20;

await runLoader('top-deals', async (conn): Promise<TopDeals> => {
  const header = await scoresHeader(conn);
  const deals = await queryRows<OpenDeal>(
    conn,
    `WITH ${LATEST_SCORES_CTE}
     SELECT opportunity_id AS "opportunityId", account_id AS "accountId", owner_id AS "ownerId", stage,
            coalesce(amount, 0)::DOUBLE AS amount,
            strftime(expected_close_date, '%Y-%m-%d') AS "expectedCloseDate",
            coalesce(stage_probability, 0)::DOUBLE AS "stageProbability",
            win_probability::DOUBLE AS "winProbability",
            round(win_probability * coalesce(amount, 0), 2)::DOUBLE AS "expectedValue"
     FROM latest
     ORDER BY "expectedValue" DESC, opportunity_id
     LIMIT ${TOP}`,
  );
  return { asOf: header.asOf, currency: header.currency, totalOpenDeals: header.openDeals, deals };
});
