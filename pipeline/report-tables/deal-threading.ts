/**
 * `deal_threading`: one row per open deal as of the night with how many of the customer's contacts
 * took part in its activities (a deal with one or none is single-threaded) and its expected value
 * from the latest scores. The relationships page sums it by stage.
 *
 * One SQL definition, two readers: the score stage writes it with the scores (1M deals: the
 * activities x participants join over every open deal, ~0.9 s the page no longer spends), and the
 * page runs the same SQL itself when the table is absent or stale.
 */
import { quoteLiteral } from '../base/db.ts';
import { expectedValueSql } from '../score/expected-value.ts';
import { LATEST_SCORES_CTE } from '../score/latest-scores.ts';

export const DEAL_THREADING = 'deal_threading';

/** `open_deals`: the deals open as of the date, created by then, with their amount (0 when unknown). */
export function openDealsCte(asOf: string): string {
  return `
    open_deals AS (
        SELECT opportunity_id, account_id, stage, coalesce(amount, 0) AS amount
        FROM opportunities WHERE NOT coalesce(is_closed, false) AND created_date <= DATE ${quoteLiteral(asOf)}
    )`;
}

/** `deal_contacts`: the contacts met up to the date on the deals of `deals` only (the other deals' activities, most of the table, are never read). */
export function dealContactsCte(asOf: string, deals: string): string {
  return `
    deal_contacts AS (
        SELECT DISTINCT a.opportunity_id, p.participant_id AS contact_id
        FROM activities AS a JOIN activity_participants AS p USING (activity_id)
        WHERE p.participant_type = 'contact' AND a.occurred_at < DATE ${quoteLiteral(asOf)} + 1
          AND a.opportunity_id IN (SELECT opportunity_id FROM ${deals})
    )`;
}

/** The rows of `deal_threading` as of `asOf` (`hasExpectedAmount`: the scores hold the deal-size model's amount). */
export function dealThreadingSql(asOf: string, hasExpectedAmount: boolean): string {
  return `
    WITH ${openDealsCte(asOf)}, ${dealContactsCte(asOf, 'open_deals')}, ${LATEST_SCORES_CTE}
    SELECT d.opportunity_id, d.stage, d.amount, count(dc.contact_id) AS engaged_contacts,
           ${expectedValueSql('l', hasExpectedAmount)} AS expected_value
    FROM open_deals AS d LEFT JOIN deal_contacts AS dc USING (opportunity_id) LEFT JOIN latest AS l USING (opportunity_id)
    GROUP BY ALL`;
}
