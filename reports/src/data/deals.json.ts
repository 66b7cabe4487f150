/**
 * deals.json: every open deal of the latest night (up to DEAL_LIMIT by expected value) with its
 * score, the change since the previous night, and what richer scores add when the run has them
 * (grade, trend, expected amount and close, top factors); plus each listed deal's score history.
 */
import { queryRows } from '../../../pipeline/db.ts';
import type { DealRow, DealsReport } from '../components/types.ts';
import { LATEST_SCORES_CTE, scoresHeader } from './latestScores.ts';
import { runLoader } from './runLoader.ts';
import { columnsOf } from './tables.ts';
import { factorList } from './factors.ts';

/** Enough for any team's review, small enough for the page: about 1 MB of JSON. */
export const DEAL_LIMIT = 2000;
/** Nights of score history drawn per deal. */
const HISTORY_NIGHTS = 60;

await runLoader('deals', async (conn): Promise<DealsReport> => {
  const header = await scoresHeader(conn);
  const present = await columnsOf(conn, 'scores');
  const columns = {
    grade: present.has('grade'),
    trend: present.has('trend'),
    expectedAmount: present.has('expected_amount'),
    modelCloseDate: present.has('model_close_date'),
    factors: present.has('top_positive_factors') && present.has('top_negative_factors'),
  };
  const optional = (has: boolean, sql: string, alias: string) => `${has ? sql : 'NULL'} AS "${alias}"`;
  const rows = await queryRows<Omit<DealRow, 'positiveFactors' | 'negativeFactors'> & { positive: string | null; negative: string | null }>(
    conn,
    `WITH ${LATEST_SCORES_CTE},
     previous AS (
         SELECT opportunity_id, win_probability FROM scores
         WHERE as_of = (SELECT max(as_of) FROM scores WHERE as_of < (SELECT max(as_of) FROM latest))
     )
     SELECT l.opportunity_id AS "opportunityId", l.account_id AS "accountId", l.owner_id AS "ownerId",
            coalesce(a.segment, 'unknown') AS segment, l.stage,
            coalesce(l.amount, 0)::DOUBLE AS amount, strftime(l.expected_close_date, '%Y-%m-%d') AS "expectedCloseDate",
            coalesce(l.stage_probability, 0)::DOUBLE AS "stageProbability",
            round(l.win_probability, 4)::DOUBLE AS "winProbability", l.score::INTEGER AS score,
            round(l.win_probability * coalesce(l.amount, 0), 2)::DOUBLE AS "expectedValue",
            round(l.win_probability - p.win_probability, 4)::DOUBLE AS change,
            ${optional(columns.grade, 'l.grade::VARCHAR', 'grade')},
            ${optional(columns.trend, 'l.trend::VARCHAR', 'trend')},
            ${optional(columns.expectedAmount, 'l.expected_amount::DOUBLE', 'expectedAmount')},
            ${optional(columns.modelCloseDate, `strftime(l.model_close_date::DATE, '%Y-%m-%d')`, 'modelCloseDate')},
            ${optional(columns.factors, 'l.top_positive_factors::VARCHAR', 'positive')},
            ${optional(columns.factors, 'l.top_negative_factors::VARCHAR', 'negative')}
     FROM latest AS l
     LEFT JOIN previous AS p USING (opportunity_id)
     LEFT JOIN accounts AS a ON a.account_id = l.account_id
     ORDER BY "expectedValue" DESC, "opportunityId"
     LIMIT ${DEAL_LIMIT}`,
  );
  const deals: DealRow[] = rows.map(({ positive, negative, ...deal }) => ({ ...deal, positiveFactors: factorList(positive), negativeFactors: factorList(negative) }));

  const nightRows = await queryRows<{ night: string }>(
    conn,
    `SELECT strftime(as_of, '%Y-%m-%d') AS night FROM (SELECT DISTINCT as_of FROM scores ORDER BY as_of DESC LIMIT ${HISTORY_NIGHTS}) ORDER BY night`,
  );
  const nights = nightRows.map((row) => row.night);
  const history: Record<string, (number | null)[]> = Object.fromEntries(deals.map((deal) => [deal.opportunityId, nights.map(() => null)]));
  if (deals.length > 0 && nights.length > 0) {
    const points = await queryRows<{ id: string; night: string; p: number }>(
      conn,
      `WITH ${LATEST_SCORES_CTE},
       listed AS (SELECT opportunity_id FROM latest ORDER BY win_probability * coalesce(amount, 0) DESC, opportunity_id LIMIT ${DEAL_LIMIT})
       SELECT s.opportunity_id AS id, strftime(s.as_of, '%Y-%m-%d') AS night, round(s.win_probability, 3)::DOUBLE AS p
       FROM scores AS s JOIN listed USING (opportunity_id)
       WHERE s.as_of >= DATE '${nights[0]}'`,
    );
    const index = new Map(nights.map((night, i) => [night, i]));
    for (const point of points) {
      const series = history[point.id];
      const i = index.get(point.night);
      if (series && i !== undefined) series[i] = point.p;
    }
  }
  return { asOf: header.asOf, currency: header.currency, totalOpenDeals: header.openDeals, limit: DEAL_LIMIT, deals, columns, nights, history };
});

