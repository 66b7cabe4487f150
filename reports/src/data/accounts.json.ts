/**
 * accounts.json: ESP+ key-account view. Each account's value (revenue won in the last 24 months)
 * and potential (expected value of its open deals), a tier from the two, how many of our
 * people and of theirs are in touch, relationship strength and open pipeline. Tier counts cover all
 * accounts; the list holds the ACCOUNT_LIMIT with the largest value + potential. Beside them, the key
 * accounts' coverage gaps with the moves that close them (moveLists.ts). The per-account figures
 * come from the night's `account_summary` (pipeline/report-tables/account-summary.ts).
 */
import { queryRows, type DuckDBConnection } from '../../../pipeline/base/db.ts';
import { ACCOUNT_SUMMARY } from '../../../pipeline/report-tables/account-summary.ts';
import type { AccountRow, AccountsReport } from '../components/types.ts';
import { scoresHeader } from './latestScores.ts';
import { coverageGapMoves } from './moveLists.ts';
import { runDate } from './runDate.ts';
import { runLoaderAsScript } from './runLoader.ts';
import { reportTable } from './tables.ts';

const ACCOUNT_LIMIT = 300;
/** An account is high on a measure when it is in the top fifth of the accounts that have any value or potential. */
const HIGH_QUANTILE = 0.8;

/** The accounts page's data, from the run's database. */
export async function accountsData(conn: DuckDBConnection): Promise<AccountsReport> {
  const asOf = await runDate(conn);
  const { asOf: scoredAsOf, currency } = await scoresHeader(conn);
  const summary = await reportTable(conn, ACCOUNT_SUMMARY, asOf);
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
     FROM ${summary}`,
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
     FROM ${summary}
     ORDER BY value + potential DESC, "accountId"
     LIMIT ${ACCOUNT_LIMIT}`,
  );
  const tiers = await queryRows<AccountsReport['tiers'][number]>(
    conn,
    `SELECT tier, count(*)::INTEGER AS accounts, sum(value)::DOUBLE AS value,
            sum(potential)::DOUBLE AS potential, sum(open_amount)::DOUBLE AS "openAmount"
     FROM (SELECT *, ${tierSql} AS tier FROM ${summary}) GROUP BY tier
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
