/**
 * accounts.json: ESP+ key-account view. Each account's value (revenue won in the last 24 months)
 * and potential (expected value of its open deals), a tier from the two, how many of our
 * people and of theirs are in touch, relationship strength and open pipeline. Tier counts cover all
 * accounts; the list holds the ACCOUNT_LIMIT with the largest value + potential. Beside them, the key
 * accounts' coverage gaps with the moves that close them (moveLists.ts).
 */
import { queryRows, quoteLiteral, type DuckDBConnection } from '../../../pipeline/base/db.ts';
import type { AccountRow, AccountsReport } from '../components/types.ts';
import { expectedValueSql } from '../../../pipeline/score/expected-value.ts';
import { LATEST_SCORES_CTE, scoresHeader } from './latestScores.ts';
import { coverageGapMoves } from './moveLists.ts';
import { runDate } from './runDate.ts';
import { runLoaderAsScript } from './runLoader.ts';
import { activityWeightSql, HALF_LIFE_DAYS } from './strength.ts';
import { optionalColumns } from './tables.ts';

const ACCOUNT_LIMIT = 300;
/** An account is high on a measure when it is in the top fifth of the accounts that have any value or potential. */
const HIGH_QUANTILE = 0.8;

/** The accounts page's data, from the run's database. */
export async function accountsData(conn: DuckDBConnection): Promise<AccountsReport> {
  const asOf = await runDate(conn);
  const { asOf: scoredAsOf, currency } = await scoresHeader(conn);
  const scored = await optionalColumns(conn, 'scores', ['expected_amount']);
  const date = `DATE ${quoteLiteral(asOf)}`;
  // Account names are company names from the CRM, not personal data.
  const label = 'coalesce(a.name, a.account_id)';
  await conn.run(`
    CREATE TEMP TABLE account_view AS
    WITH ${LATEST_SCORES_CTE},
    won AS (
        SELECT account_id, sum(amount) AS value FROM opportunities
        WHERE is_won AND close_date <= ${date} AND close_date > ${date} - INTERVAL 24 MONTH GROUP BY account_id
    ),
    open_deals AS (
        SELECT o.account_id, count(*) AS open_deals, sum(coalesce(o.amount, 0)) AS open_amount,
               sum(coalesce(${expectedValueSql('l', scored.has('expected_amount'))}, o.amount * o.probability, 0) ORDER BY o.opportunity_id) AS potential
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
        WHERE a.occurred_at < ${date} + 1 AND a.occurred_at >= ${date} - 89
        GROUP BY a.account_id
    ),
    strength AS (
        SELECT account_id, sum(${activityWeightSql()} * pow(0.5, datediff('day', occurred_at::DATE, ${date}) / ${HALF_LIFE_DAYS})) AS strength
        FROM activities WHERE occurred_at < ${date} + 1 GROUP BY account_id
    )
    SELECT a.account_id, ${label} AS label, coalesce(a.segment, 'unknown') AS segment,
           coalesce(w.value, 0) AS value, coalesce(o.potential, 0) AS potential,
           coalesce(o.open_deals, 0) AS open_deals, coalesce(o.open_amount, 0) AS open_amount,
           coalesce(r.our_people, 0) AS our_people, coalesce(r.their_contacts, 0) AS their_contacts,
           coalesce(r.executive, false) AS executive, coalesce(s.strength, 0) AS strength
    FROM accounts AS a
    LEFT JOIN won AS w USING (account_id) LEFT JOIN open_deals AS o USING (account_id)
    LEFT JOIN recent AS r USING (account_id) LEFT JOIN strength AS s USING (account_id)`);
  const [thresholds] = await queryRows<{
    value: number | null;
    potential: number | null;
    total: number;
    active: number;
  }>(
    conn,
    `SELECT quantile_cont(value, ${HIGH_QUANTILE}) FILTER (WHERE value > 0 OR potential > 0)::DOUBLE AS value,
            quantile_cont(potential, ${HIGH_QUANTILE}) FILTER (WHERE value > 0 OR potential > 0)::DOUBLE AS potential,
            count(*)::INTEGER AS total,
            count(*) FILTER (WHERE value > 0 OR potential > 0)::INTEGER AS active
     FROM account_view`,
  );
  const valueThreshold = thresholds?.value ?? 0;
  const potentialThreshold = thresholds?.potential ?? 0;
  const tierSql = `CASE WHEN value > ${valueThreshold} AND potential > ${potentialThreshold} THEN 'Strategic'
                        WHEN potential > ${potentialThreshold} THEN 'Grow'
                        WHEN value > ${valueThreshold} THEN 'Maintain'
                        ELSE 'Monitor' END`;
  const accounts = await queryRows<AccountRow>(
    conn,
    `SELECT account_id AS "accountId", label, segment, ${tierSql} AS tier,
            round(value, 2)::DOUBLE AS value, round(potential, 2)::DOUBLE AS potential,
            open_deals::INTEGER AS "openDeals", open_amount::DOUBLE AS "openAmount",
            our_people::INTEGER AS "ourPeople", their_contacts::INTEGER AS "theirContacts",
            executive AS "executiveInvolved", round(strength, 1)::DOUBLE AS strength
     FROM account_view
     ORDER BY value + potential DESC, "accountId"
     LIMIT ${ACCOUNT_LIMIT}`,
  );
  const tiers = await queryRows<AccountsReport['tiers'][number]>(
    conn,
    `SELECT tier, count(*)::INTEGER AS accounts, sum(value)::DOUBLE AS value,
            sum(potential)::DOUBLE AS potential, sum(open_amount)::DOUBLE AS "openAmount"
     FROM (SELECT *, ${tierSql} AS tier FROM account_view) GROUP BY tier
     ORDER BY list_position(['Strategic', 'Grow', 'Maintain', 'Monitor'], tier)`,
  );
  return {
    asOf,
    currency,
    totalAccounts: thresholds?.total ?? 0,
    activeAccounts: thresholds?.active ?? 0,
    valueThreshold,
    potentialThreshold,
    limit: ACCOUNT_LIMIT,
    accounts,
    tiers,
    gapMoves: await coverageGapMoves(conn, scoredAsOf),
  };
}

await runLoaderAsScript(import.meta.url, 'accounts', accountsData);
