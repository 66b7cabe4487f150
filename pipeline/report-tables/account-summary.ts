/**
 * `account_summary`: one row per account with what the accounts page ranks and tiers them by, as
 * of the night: value (revenue won in the 24 months to the date), potential (expected value of the
 * open deals, from the latest scores), open deals and amount, our people and their contacts in
 * touch over the last 90 days, whether an executive of ours was, and relationship strength.
 *
 * One SQL definition, two readers: the score stage writes it with the scores (1M deals: a
 * 90-day activities x participants join and a decayed sum over every activity, ~3 s the page no
 * longer spends), and the page runs the same SQL itself when the table is absent or stale.
 */
import { quoteLiteral } from '../base/db.ts';
import { expectedValueSql } from '../score/expected-value.ts';
import { LATEST_SCORES_CTE } from '../score/latest-scores.ts';
import { activityWeightSql, HALF_LIFE_DAYS } from './strength.ts';

export const ACCOUNT_SUMMARY = 'account_summary';

/** Whom "in touch" counts: participants of the activities in these last days up to the date. */
export const RECENT_DAYS = 90;

/** The rows of `account_summary` as of `asOf` (`hasExpectedAmount`: the scores hold the deal-size model's amount). */
export function accountSummarySql(asOf: string, hasExpectedAmount: boolean): string {
  const date = `DATE ${quoteLiteral(asOf)}`;
  // Account names are company names from the CRM, not personal data.
  return `
    WITH ${LATEST_SCORES_CTE},
    won AS (
        SELECT account_id, sum(amount) AS value FROM opportunities
        WHERE is_won AND close_date <= ${date} AND close_date > ${date} - INTERVAL 24 MONTH GROUP BY account_id
    ),
    open_deals AS (
        SELECT o.account_id, count(*) AS open_deals, sum(coalesce(o.amount, 0)) AS open_amount,
               sum(coalesce(${expectedValueSql('l', hasExpectedAmount)}, o.amount * o.probability, 0) ORDER BY o.opportunity_id) AS potential
        FROM opportunities AS o LEFT JOIN latest AS l USING (opportunity_id)
        WHERE NOT coalesce(o.is_closed, false) AND o.created_date <= ${date} GROUP BY o.account_id
    ),
    recent AS (
        SELECT a.account_id,
               count(DISTINCT p.participant_id) FILTER (WHERE p.participant_type = 'user') AS our_people,
               count(DISTINCT p.participant_id) FILTER (WHERE p.participant_type = 'contact') AS their_contacts,
               bool_or(p.participant_type = 'user' AND u.role = 'executive') AS executive
        FROM activities AS a JOIN activity_participants AS p USING (activity_id)
        -- one equality, so DuckDB hash-joins: a condition on p alone in the ON made a nested-loop join (8 s of CPU at 100k)
        LEFT JOIN users AS u ON u.user_id = CASE WHEN p.participant_type = 'user' THEN p.participant_id END
        WHERE a.occurred_at < ${date} + 1 AND a.occurred_at >= ${date} - ${RECENT_DAYS - 1}
        GROUP BY a.account_id
    ),
    strength AS (
        SELECT account_id, sum(${activityWeightSql()} * pow(0.5, datediff('day', occurred_at::DATE, ${date}) / ${HALF_LIFE_DAYS})) AS strength
        FROM activities WHERE occurred_at < ${date} + 1 GROUP BY account_id
    )
    SELECT a.account_id, coalesce(a.name, a.account_id) AS label, coalesce(a.segment, 'unknown') AS segment,
           coalesce(w.value, 0) AS value, coalesce(o.potential, 0) AS potential,
           coalesce(o.open_deals, 0) AS open_deals, coalesce(o.open_amount, 0) AS open_amount,
           coalesce(r.our_people, 0) AS our_people, coalesce(r.their_contacts, 0) AS their_contacts,
           coalesce(r.executive, false) AS executive, coalesce(s.strength, 0) AS strength
    FROM accounts AS a
    LEFT JOIN won AS w USING (account_id) LEFT JOIN open_deals AS o USING (account_id)
    LEFT JOIN recent AS r USING (account_id) LEFT JOIN strength AS s USING (account_id)`;
}
