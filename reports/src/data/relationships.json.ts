/**
 * relationships.json: ECM on the page. Decision-chain coverage of the largest open deals (roles x
 * deals), single-threaded deals and the value at risk, relationship strength over time for the key
 * accounts, who knows whom on those accounts, and our record against each competitor. Computed
 * from contact roles, activities and participants as of the run date (threading from the night's
 * `deal_threading`, pipeline/report-tables/deal-threading.ts); people appear by id and role unless
 * personal data is allowed.
 */
import { queryRows, quoteLiteral, type DuckDBConnection } from '../../../pipeline/base/db.ts';
import type {
  CompetitorRecord,
  CoverageCell,
  RelationshipReport,
  StrengthPoint,
  ThreadingByStage,
  Tie,
} from '../components/types.ts';
import { DEAL_THREADING, dealContactsCte, openDealsCte } from '../../../pipeline/report-tables/deal-threading.ts';
import { scoresHeader } from './latestScores.ts';
import { showPersonalData } from './personalData.ts';
import { runDate } from './runDate.ts';
import { runLoaderAsScript } from './runLoader.ts';
import { openStages } from './stageOrder.ts';
import { reportTable } from './tables.ts';
import { activityWeightSql, HALF_LIFE_DAYS } from '../../../pipeline/report-tables/strength.ts';

/** The buying committee as the decision-chain features count it (blockers are shown apart). */
export const BUYING_ROLES = [
  'decision_maker',
  'economic_buyer',
  'champion',
  'technical_evaluator',
  'user',
  'influencer',
];
const KEY_DEALS = 25;
const KEY_ACCOUNTS = 6;
const TIES_PER_ACCOUNT = { users: 8, contacts: 10 };
const MONTHS = 12;

/** The relationships page's data, from the run's database. */
export async function relationshipsData(conn: DuckDBConnection): Promise<RelationshipReport> {
  const asOf = await runDate(conn);
  const { currency } = await scoresHeader(conn);
  const date = `DATE ${quoteLiteral(asOf)}`;
  const personal = showPersonalData();
  const stages = await openStages(conn);
  const stageValues = stages.map((s) => `(${quoteLiteral(s.stage)}, ${s.index})`).join(', ') || '(NULL, NULL)';
  const roleValues = BUYING_ROLES.map((r) => `(${quoteLiteral(r)})`).join(', ');

  const coverage = await queryRows<CoverageCell>(
    conn,
    `WITH ${openDealsCte(asOf)},
     key_deals AS (SELECT * FROM open_deals ORDER BY amount DESC, opportunity_id LIMIT ${KEY_DEALS}),
     ${dealContactsCte(asOf, 'key_deals')},
     roles(role) AS (VALUES ${roleValues}),
     role_contacts AS (
         SELECT r.opportunity_id, r.role, r.contact_id, (dc.contact_id IS NOT NULL) AS engaged
         FROM opportunity_contact_roles AS r
         LEFT JOIN deal_contacts AS dc ON dc.opportunity_id = r.opportunity_id AND dc.contact_id = r.contact_id
         WHERE r.created_date <= ${date} AND r.opportunity_id IN (SELECT opportunity_id FROM key_deals)
     )
     SELECT k.opportunity_id AS "opportunityId", (SELECT coalesce(any_value(o.name), k.opportunity_id) FROM opportunities AS o WHERE o.opportunity_id = k.opportunity_id) AS "dealName",
            k.account_id AS "accountId", k.stage, k.amount::DOUBLE AS amount, roles.role,
            CASE WHEN bool_or(rc.engaged) THEN 'engaged' WHEN count(rc.contact_id) > 0 THEN 'named' ELSE 'missing' END AS status,
            count(DISTINCT rc.contact_id)::INTEGER AS contacts
     FROM key_deals AS k CROSS JOIN roles
     LEFT JOIN role_contacts AS rc ON rc.opportunity_id = k.opportunity_id AND rc.role = roles.role
     GROUP BY ALL ORDER BY amount DESC, "opportunityId", roles.role`,
  );

  const threads = await reportTable(conn, DEAL_THREADING, asOf);
  const threading = await queryRows<ThreadingByStage>(
    conn,
    `WITH stage_order(stage, stage_index) AS (VALUES ${stageValues})
     SELECT t.stage, coalesce(so.stage_index, 99)::INTEGER AS "stageIndex",
            count(*) FILTER (WHERE engaged_contacts <= 1)::INTEGER AS "singleThreaded",
            count(*) FILTER (WHERE engaged_contacts > 1)::INTEGER AS "multiThreaded",
            coalesce(sum(amount) FILTER (WHERE engaged_contacts <= 1), 0)::DOUBLE AS "amountAtRisk",
            -- in one order: a parallel sum of doubles differs in its last bits from run to run
            sum(expected_value ORDER BY opportunity_id) FILTER (WHERE engaged_contacts <= 1)::DOUBLE AS "expectedAtRisk"
     FROM ${threads} AS t LEFT JOIN stage_order AS so USING (stage)
     GROUP BY ALL ORDER BY "stageIndex"`,
  );

  const keyAccounts = await queryRows<{ accountId: string; openAmount: number; label: string }>(
    conn,
    `WITH ${openDealsCte(asOf)}
     SELECT d.account_id AS "accountId", sum(d.amount)::DOUBLE AS "openAmount",
            coalesce(any_value(a.name), d.account_id) AS label
     FROM open_deals AS d LEFT JOIN accounts AS a USING (account_id)
     GROUP BY d.account_id ORDER BY "openAmount" DESC, "accountId" LIMIT ${KEY_ACCOUNTS}`,
  );
  const accountList = keyAccounts.map((a) => quoteLiteral(a.accountId)).join(', ') || 'NULL';

  // Strength at each month end: every interaction with the account weighed and halved every 45 days.
  const strength = await queryRows<StrengthPoint>(
    conn,
    `WITH months AS (
         SELECT (date_trunc('month', ${date}) - INTERVAL (m) MONTH)::DATE AS month FROM range(0, ${MONTHS}) AS r(m)
     ),
     touches AS (
         SELECT account_id, occurred_at::DATE AS day, ${activityWeightSql()} AS weight
         FROM activities WHERE account_id IN (${accountList}) AND occurred_at < ${date} + 1
     ),
     ends AS (SELECT month, least(${date}, (month + INTERVAL 1 MONTH - INTERVAL 1 DAY)::DATE) AS month_end FROM months)
     SELECT t.account_id AS "accountId", strftime(e.month, '%Y-%m-%d') AS month,
            round(sum(t.weight * pow(0.5, datediff('day', t.day, e.month_end) / ${HALF_LIFE_DAYS})), 2)::DOUBLE AS strength
     FROM ends AS e JOIN touches AS t ON t.day <= e.month_end
     GROUP BY ALL ORDER BY "accountId", month`,
  );

  const userLabel = personal
    ? `coalesce(u.name, u.user_id)`
    : `u.user_id || ' · ' || replace(coalesce(u.role, 'employee'), '_', ' ')`;
  const contactLabel = personal
    ? `concat_ws(' ', c.first_name, c.last_name) || coalesce(' <' || c.email || '>', '')`
    : `c.contact_id || ' · ' || coalesce(replace(c.seniority, '_', ' '), 'contact') || coalesce(' · ' || c.department, '')`;
  const ties = await queryRows<Tie>(
    conn,
    `WITH pairs AS (
         SELECT a.account_id, us.participant_id AS user_id, th.participant_id AS contact_id,
                count(*)::INTEGER AS interactions,
                sum(${activityWeightSql('a')} * pow(0.5, datediff('day', a.occurred_at::DATE, ${date}) / ${HALF_LIFE_DAYS})) AS strength,
                max(a.occurred_at)::DATE AS last_interaction
         FROM activities AS a
         JOIN activity_participants AS us ON us.activity_id = a.activity_id AND us.participant_type = 'user'
         JOIN activity_participants AS th ON th.activity_id = a.activity_id AND th.participant_type = 'contact'
         WHERE a.account_id IN (${accountList}) AND a.occurred_at < ${date} + 1
         GROUP BY a.account_id, us.participant_id, th.participant_id
     ),
     top_users AS (
         SELECT account_id, user_id FROM (
             SELECT account_id, user_id, row_number() OVER (PARTITION BY account_id ORDER BY sum(strength) DESC, user_id) AS rank
             FROM pairs GROUP BY account_id, user_id) WHERE rank <= ${TIES_PER_ACCOUNT.users}
     ),
     top_contacts AS (
         SELECT account_id, contact_id FROM (
             SELECT account_id, contact_id, row_number() OVER (PARTITION BY account_id ORDER BY sum(strength) DESC, contact_id) AS rank
             FROM pairs GROUP BY account_id, contact_id) WHERE rank <= ${TIES_PER_ACCOUNT.contacts}
     )
     SELECT p.account_id AS "accountId", ${userLabel} AS "userLabel", ${contactLabel} AS "contactLabel",
            p.interactions, round(p.strength, 2)::DOUBLE AS strength, strftime(p.last_interaction, '%Y-%m-%d') AS "lastInteraction"
     FROM pairs AS p
     JOIN top_users USING (account_id, user_id)
     JOIN top_contacts USING (account_id, contact_id)
     LEFT JOIN users AS u ON u.user_id = p.user_id
     LEFT JOIN contacts AS c ON c.contact_id = p.contact_id
     ORDER BY "accountId", strength DESC, p.user_id, p.contact_id`,
  );

  const competitors = await queryRows<CompetitorRecord>(
    conn,
    `WITH on_deal AS (
         SELECT c.competitor, o.opportunity_id, coalesce(o.is_closed, false) AND o.close_date <= ${date} AS closed,
                coalesce(o.is_won, false) AS won, coalesce(o.amount, 0) AS amount, coalesce(c.is_incumbent, false) AS incumbent
         FROM opportunity_competitors AS c JOIN opportunities AS o USING (opportunity_id)
         WHERE c.created_date <= ${date}
     )
     SELECT competitor,
            count(*) FILTER (WHERE NOT closed)::INTEGER AS "openDeals",
            coalesce(sum(amount) FILTER (WHERE NOT closed), 0)::DOUBLE AS "openAmount",
            count(*) FILTER (WHERE closed)::INTEGER AS "closedDeals",
            count(*) FILTER (WHERE closed AND won)::INTEGER AS won,
            (count(*) FILTER (WHERE closed AND won) / nullif(count(*) FILTER (WHERE closed), 0))::DOUBLE AS "winRate",
            count(*) FILTER (WHERE incumbent)::INTEGER AS "incumbentOn"
     FROM on_deal GROUP BY competitor ORDER BY "openAmount" DESC, competitor`,
  );
  const [overall] = await queryRows<{ rate: number | null }>(
    conn,
    `SELECT (count(*) FILTER (WHERE is_won) / nullif(count(*), 0))::DOUBLE AS rate FROM opportunities WHERE is_closed AND close_date <= ${date}`,
  );

  return {
    asOf,
    currency,
    openDeals: threading.reduce((sum, row) => sum + row.singleThreaded + row.multiThreaded, 0),
    roles: BUYING_ROLES,
    coverage,
    threading,
    keyAccounts,
    strength,
    ties,
    competitors,
    overallWinRate: overall?.rate ?? null,
    personalData: personal,
  };
}

await runLoaderAsScript(import.meta.url, 'relationships', relationshipsData);
