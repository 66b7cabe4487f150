/**
 * deals.json: every open deal of the latest night (up to DEAL_LIMIT by expected value) by name, with
 * its owner, team, region, segment and close quarter (the page's filters), the lists it is on
 * (stalled, single-threaded, slipping, at risk), the model's close date and slip risk, its factors in
 * words with its own values, its relationships and its score history; plus the deals that closed
 * since the previous night, so every change on the first screen opens its deals here.
 */
import { queryRows, quoteLiteral, type DuckDBConnection } from '../../../pipeline/base/db.ts';
import type { DealList, DealRow, DealsReport } from '../components/types.ts';
import { factorsInWords, FACTOR_FEATURES, OWNER_CLOSED, OWNER_WON } from './factorWords.ts';
import { gradeBands } from './gradeBands.ts';
import { LIST_RULES, listSql } from './dealLists.ts';
import { expectedValueSql } from '../../../pipeline/score/expected-value.ts';
import { LATEST_SCORES_CTE, scoresHeader } from './latestScores.ts';
import { nightChanges } from './nightChanges.ts';
import { ownerRecords } from './ownerRecords.ts';
import { runLoaderAsScript } from './runLoader.ts';
import { columnsOf, hasTable, optionalColumns } from './tables.ts';

/** Enough for any team's review, small enough for the page: about 1 MB of JSON. */
export const DEAL_LIMIT = 2000;
/** Nights of score history drawn per deal. */
const HISTORY_NIGHTS = 60;

/** The scores columns the scoring stage writes beyond the first version (pipeline/score/index.ts). */
export const SCORE_COLUMNS = [
  'grade',
  'trend',
  'expected_amount',
  'predicted_close_date',
  'slip_risk',
  'top_positive_factors',
  'top_negative_factors',
];

const SENIORITY = ['nobody', 'staff', 'manager', 'director', 'VP', 'C-level'];

/** The deals page's data, from the run's database. */
export async function dealsData(conn: DuckDBConnection): Promise<DealsReport> {
  const header = await scoresHeader(conn);
  const scored = await optionalColumns(conn, 'scores', SCORE_COLUMNS);
  const has = (column: string) => scored.has(column);
  const columns = {
    grade: has('grade'),
    trend: has('trend'),
    expectedAmount: has('expected_amount'),
    modelCloseDate: has('predicted_close_date'),
    slipRisk: has('slip_risk'),
    factors: has('top_positive_factors') && has('top_negative_factors'),
  };
  const features = await featureColumns(conn);
  const col = (present: boolean, sql: string, type = 'VARCHAR') => (present ? sql : `NULL::${type}`);
  const rules = listSql(has);
  const lists = (Object.keys(rules) as DealList[]).map(
    (list) => `CASE WHEN l.status = 'open' AND (${features.size ? rules[list] : 'false'}) THEN '${list}' END`,
  );
  const night = await nightChanges(conn, header.asOf, null);
  const closedIds = night.available
    ? night.changes.filter((change) => change.kind === 'won' || change.kind === 'lost').flatMap((change) => change.ids)
    : [];
  const rows = await queryRows<
    Omit<DealRow, 'positiveFactors' | 'negativeFactors' | 'relationships' | 'lists'> & {
      positive: string | null;
      negative: string | null;
      lists: (DealList | null)[];
      features: Record<string, number | null> | null;
    }
  >(
    conn,
    `WITH ${LATEST_SCORES_CTE},
     previous AS (SELECT * FROM scores WHERE as_of = (SELECT max(as_of) FROM scores WHERE as_of < (SELECT max(as_of) FROM latest))),
     listed AS (
         SELECT *, 'open' AS status FROM latest
         UNION ALL BY NAME
         SELECT p.*, CASE WHEN o.is_won THEN 'won' ELSE 'lost' END AS status
         FROM previous AS p JOIN opportunities AS o USING (opportunity_id)
         WHERE p.opportunity_id IN (SELECT unnest(${idList(closedIds)}))
     ),
     quarters AS (${quarterPeriods(await hasTable(conn, 'forecasts'))}),
     l AS (
         SELECT listed.*, (SELECT any_value(q.label) FROM quarters AS q WHERE listed.expected_close_date BETWEEN q.period_start AND q.period_end) AS quarter_label
         FROM listed
     )
     SELECT l.opportunity_id AS "opportunityId", o.name, l.account_id AS "accountId", a.name AS "accountName",
            l.owner_id AS "ownerId", u.name AS "ownerName", u.team, u.region,
            coalesce(a.segment, 'unknown') AS segment, l.status, l.stage, o.forecast_category AS "forecastCategory",
            coalesce(l.amount, 0)::DOUBLE AS amount, strftime(l.expected_close_date, '%Y-%m-%d') AS "expectedCloseDate",
            CASE WHEN l.expected_close_date IS NULL THEN NULL
                 WHEN l.expected_close_date < l.as_of THEN 'Past due'
                 ELSE coalesce(l.quarter_label, 'Later') END AS "closeQuarter",
            coalesce(l.stage_probability, 0)::DOUBLE AS "stageProbability",
            round(l.win_probability, 4)::DOUBLE AS "winProbability", l.score::INTEGER AS score,
            round(${expectedValueSql('l', has('expected_amount'))}, 2)::DOUBLE AS "expectedValue",
            CASE WHEN l.status = 'open' THEN round(l.win_probability - p.win_probability, 4) END::DOUBLE AS change,
            ${col(has('grade'), 'l.grade::VARCHAR')} AS grade,
            ${col(has('trend'), 'l.trend::VARCHAR')} AS trend,
            ${col(has('expected_amount'), 'l.expected_amount', 'DOUBLE')}::DOUBLE AS "expectedAmount",
            ${col(has('predicted_close_date'), "strftime(l.predicted_close_date::DATE, '%Y-%m-%d')")} AS "modelCloseDate",
            ${col(has('slip_risk'), 'l.slip_risk', 'DOUBLE')}::DOUBLE AS "slipRisk",
            ${col(columns.factors, 'l.top_positive_factors::VARCHAR')} AS positive,
            ${col(columns.factors, 'l.top_negative_factors::VARCHAR')} AS negative,
            [${lists.join(', ')}] AS lists,
            ${features.size ? `{${[...features].map((name) => `'${name}': f.${name}::DOUBLE`).join(', ')}}` : 'NULL'} AS features
     FROM l
     LEFT JOIN previous AS p ON p.opportunity_id = l.opportunity_id AND l.status = 'open'
     LEFT JOIN opportunities AS o ON o.opportunity_id = l.opportunity_id
     LEFT JOIN accounts AS a ON a.account_id = l.account_id
     LEFT JOIN users AS u ON u.user_id = l.owner_id
     ${features.size ? 'LEFT JOIN features_score AS f ON f.opportunity_id = l.opportunity_id' : ''}
     ORDER BY l.status = 'open' DESC, "expectedValue" DESC, "opportunityId"
     LIMIT ${DEAL_LIMIT}`,
  );
  const owners = await ownerRecords(conn, header.asOf);
  const deals: DealRow[] = rows.map(({ positive, negative, lists: on, features, ...deal }) => {
    // an owner with no closed deal has none in the map: 0 of 0
    const owner = owners && (owners.get(deal.ownerId) ?? { won: 0, closed: 0 });
    const values = owner ? { ...features, [OWNER_WON]: owner.won, [OWNER_CLOSED]: owner.closed } : { ...features };
    return {
      ...deal,
      lists: on.filter((list): list is DealList => list !== null),
      positiveFactors: factorsInWords(positive, values),
      negativeFactors: factorsInWords(negative, values),
      relationships: relationshipFacts(features ?? {}),
    };
  });

  const grades = columns.grade ? gradeBands() : [];
  const { nights, history } = await scoreHistory(
    conn,
    deals.map((deal) => deal.opportunityId),
  );
  const changes = night.available ? Object.fromEntries(night.changes.map((change) => [change.kind, change.ids])) : {};
  return {
    asOf: header.asOf,
    currency: header.currency,
    totalOpenDeals: header.openDeals,
    limit: DEAL_LIMIT,
    deals,
    listRules: LIST_RULES,
    columns,
    grades,
    changes,
    nights,
    history,
  };
}

/** The catalog features the features_score table holds (none when the features stage has not run). */
async function featureColumns(conn: DuckDBConnection): Promise<Set<string>> {
  const present = await columnsOf(conn, 'features_score');
  return new Set(FACTOR_FEATURES.filter((name) => present.has(name)));
}

/** The latest forecast's fiscal quarters (label and dates): close quarters read as the forecast names them. */
function quarterPeriods(hasForecasts: boolean): string {
  if (!hasForecasts)
    return 'SELECT NULL::VARCHAR AS label, NULL::DATE AS period_start, NULL::DATE AS period_end WHERE false';
  return `SELECT DISTINCT period_label AS label, period_start, period_end FROM forecasts
          WHERE period_type = 'quarter' AND segment_type = 'all' AND as_of = (SELECT max(as_of) FROM forecasts)`;
}

/** Ids as a SQL list literal (ids are CRM keys; quotes are escaped). */
function idList(ids: string[]): string {
  return `[${ids.map(quoteLiteral).join(', ')}]::VARCHAR[]`;
}

function relationshipFacts(values: Record<string, number | null>): DealRow['relationships'] {
  const v = (name: string) => values[name];
  const facts: DealRow['relationships'] = [];
  const add = (label: string, value: string | null) => value !== null && facts.push({ label, value });
  const count = (name: string) => (v(name) == null ? null : String(Math.round(v(name)!)));
  const flag = (name: string) => (v(name) == null ? null : v(name)! >= 0.5 ? 'yes' : 'no');
  add('Contacts engaged', count('ecm_chain_engaged_contacts'));
  add(
    'Buying roles known / engaged (of 6)',
    v('ecm_chain_roles_known') == null
      ? null
      : `${count('ecm_chain_roles_known')} / ${count('ecm_chain_roles_engaged') ?? '—'}`,
  );
  add('Decision maker engaged', flag('ecm_chain_decision_maker_engaged'));
  add('Economic buyer known', flag('ecm_chain_has_economic_buyer'));
  add(
    'Highest seniority reached',
    v('ecm_chain_max_seniority') == null
      ? null
      : (SENIORITY[Math.round(v('ecm_chain_max_seniority')!)] ?? count('ecm_chain_max_seniority')),
  );
  add('Blockers', count('ecm_chain_blockers'));
  add('Colleagues who know their people', count('ecm_employee_colleagues_with_ties'));
  add('Our executive involved', flag('ecm_company_executive_involved'));
  add('Competitors', count('ecm_competitor_count'));
  return facts;
}

/** Each listed deal's win probability on the last nights (null where it was not scored). */
async function scoreHistory(
  conn: DuckDBConnection,
  ids: string[],
): Promise<{ nights: string[]; history: Record<string, (number | null)[]> }> {
  const nights = (
    await queryRows<{ night: string }>(
      conn,
      `SELECT strftime(as_of, '%Y-%m-%d') AS night FROM (SELECT DISTINCT as_of FROM scores ORDER BY as_of DESC LIMIT ${HISTORY_NIGHTS}) ORDER BY night`,
    )
  ).map((row) => row.night);
  const history: Record<string, (number | null)[]> = Object.fromEntries(ids.map((id) => [id, nights.map(() => null)]));
  if (ids.length === 0 || nights.length === 0) return { nights, history };
  const points = await queryRows<{ id: string; night: string; p: number }>(
    conn,
    `SELECT opportunity_id AS id, strftime(as_of, '%Y-%m-%d') AS night, round(win_probability, 3)::DOUBLE AS p
     FROM scores WHERE as_of >= DATE '${nights[0]}' AND opportunity_id IN (SELECT unnest(${idList(ids)}))`,
  );
  const index = new Map(nights.map((night, i) => [night, i]));
  for (const point of points) {
    const series = history[point.id];
    const i = index.get(point.night);
    if (series && i !== undefined) series[i] = point.p;
  }
  return { nights, history };
}

await runLoaderAsScript(import.meta.url, 'deals', dealsData);
