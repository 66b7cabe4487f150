/**
 * The feature catalog: every ECM and PBM feature, defined once. The mart SQL must produce exactly
 * these columns (a test holds it to that), and the docs, the model page and the explanations all
 * read their names and definitions from here.
 */
import type { EntityName } from '../load/schema.ts';
import { DEFAULT_FEATURE_CONFIG as D } from './config.ts';

export type FeatureFamily =
  | 'ecm_key_person'
  | 'ecm_decision_chain'
  | 'ecm_customer'
  | 'ecm_employee'
  | 'ecm_our_company'
  | 'ecm_competitor'
  | 'pbm_people'
  | 'pbm_money'
  | 'pbm_things'
  | 'pbm_sentiment'
  | 'pbm_timing'
  | 'pbm_similar_projects';

export interface FeatureDefinition {
  name: string;
  family: FeatureFamily;
  /** Plain words, shown beside the name wherever it appears. */
  definition: string;
  unit: string;
  /** Expected effect on win probability where the domain knows it. */
  direction: 'higher is better' | 'higher is worse' | 'depends';
  /** Exports without which the feature cannot be computed: if one is empty, the column is NULL. */
  needs: EntityName[];
  /** Values the feature can take; `null` leaves that side open. Checked on the marts by a data test. */
  range: [number | null, number | null];
  /** When the value is undefined (NULL) by design, why; a feature without it is never NULL when supported. */
  nullWhen?: string;
}

export const FAMILY_LABELS: Record<FeatureFamily, string> = {
  ecm_key_person: 'ECM key-person relationship',
  ecm_decision_chain: 'ECM decision-chain relationship',
  ecm_customer: 'ECM customer (account) relationship',
  ecm_employee: 'ECM employee relationship',
  ecm_our_company: 'ECM our-company relationship',
  ecm_competitor: 'ECM competitor relationship',
  pbm_people: 'PBM people',
  pbm_money: 'PBM money',
  pbm_things: 'PBM things',
  pbm_sentiment: 'PBM sentiment',
  pbm_timing: 'PBM timing',
  pbm_similar_projects: 'PBM similar past projects',
};

const weights = (record: Record<string, number>) =>
  Object.entries(record)
    .map(([key, value]) => `${key.replace('_', '-')} ${value}`)
    .join(', ');

/** How relationship strength is measured (see config.ts); shown once in the docs above the tables. */
export const RELATIONSHIP_STRENGTH = [
  'Relationship strength sums the two-way interactions (activities where one of our people and the contact both took part) up to the date.',
  `Each interaction weighs by its type (${weights(D.activityWeights)}; other types ${D.otherActivityWeight}),`,
  `times ${D.inboundWeight} if the customer initiated it, times the contact's seniority weight (${weights(D.seniorityWeights)}),`,
  `and halves every ${D.halfLifeDays} days before the date. Per (deal, contact) it sums the deal's interactions with the contact;`,
  'per (our employee, contact) every interaction the two shared on any deal or none. The weights and the half-life are settings (`FeatureConfig`), the values shown are the defaults.',
].join(' ');

type Direction = FeatureDefinition['direction'];
const ANY: [number | null, number | null] = [null, null];
const NON_NEGATIVE: [number | null, number | null] = [0, null];
const SHARE: [number | null, number | null] = [0, 1];
const FLAG: [number | null, number | null] = [0, 1];

const f = (
  name: string,
  family: FeatureFamily,
  definition: string,
  unit: string,
  direction: Direction,
  options: { needs?: EntityName[]; range?: [number | null, number | null]; nullWhen?: string } = {},
): FeatureDefinition => ({
  name,
  family,
  definition,
  unit,
  direction,
  needs: options.needs ?? [],
  range: options.range ?? NON_NEGATIVE,
  ...(options.nullWhen ? { nullWhen: options.nullWhen } : {}),
});

const TIES: EntityName[] = ['activities', 'activity_participants'];
const ROLES: EntityName[] = ['opportunity_contact_roles'];
const TIES_AND_ROLES: EntityName[] = [...TIES, ...ROLES];
const requiredRoles = D.requiredRoles.length;

export const FEATURES: FeatureDefinition[] = [
  // ECM 1: key-person relationship
  f(
    'ecm_key_person_max_strength',
    'ecm_key_person',
    'Strongest (deal, contact) relationship strength on the deal.',
    'strength points',
    'higher is better',
    { needs: TIES },
  ),
  f(
    'ecm_key_person_total_strength',
    'ecm_key_person',
    'Sum of the (deal, contact) strengths over all contacts on the deal.',
    'strength points',
    'higher is better',
    { needs: TIES },
  ),
  f(
    'ecm_key_person_decision_maker_strength',
    'ecm_key_person',
    'Strength of our tie to the decision maker (0 if none is known).',
    'strength points',
    'higher is better',
    { needs: TIES_AND_ROLES },
  ),
  f(
    'ecm_key_person_champion_strength',
    'ecm_key_person',
    'Strength of our tie to the champion (0 if none is known).',
    'strength points',
    'higher is better',
    { needs: TIES_AND_ROLES },
  ),
  f(
    'ecm_key_person_economic_buyer_strength',
    'ecm_key_person',
    'Strength of our tie to the economic buyer (0 if none is known).',
    'strength points',
    'higher is better',
    { needs: TIES_AND_ROLES },
  ),
  f(
    'ecm_key_person_weakest_required_tie',
    'ecm_key_person',
    'The weakest link: for each required role known on the deal its best-tied contact, then the weakest of those.',
    'strength points',
    'higher is better',
    { needs: TIES_AND_ROLES, nullWhen: 'no required role is known' },
  ),
  f(
    'ecm_key_person_supporter_share',
    'ecm_key_person',
    "Share of the deal's relationship strength that sits with supporters.",
    'share',
    'higher is better',
    { needs: TIES_AND_ROLES, range: SHARE, nullWhen: 'no strength on the deal yet' },
  ),

  // ECM 2: decision-chain relationship
  f(
    'ecm_chain_roles_known',
    'ecm_decision_chain',
    `How many of the ${requiredRoles} required buying roles (${D.requiredRoles.join(', ')}) are known on the deal.`,
    'roles',
    'higher is better',
    { needs: ROLES, range: [0, requiredRoles] },
  ),
  f(
    'ecm_chain_roles_engaged',
    'ecm_decision_chain',
    'Required roles known whose contact took part in an activity on the deal.',
    'roles',
    'higher is better',
    { needs: TIES_AND_ROLES, range: [0, requiredRoles] },
  ),
  f(
    'ecm_chain_engaged_contacts',
    'ecm_decision_chain',
    'Contacts who took part in at least one activity on the deal.',
    'contacts',
    'higher is better',
    { needs: TIES },
  ),
  f(
    'ecm_chain_single_threaded',
    'ecm_decision_chain',
    'The deal hangs on one engaged contact or none.',
    'yes = 1',
    'higher is worse',
    { needs: TIES, range: FLAG },
  ),
  f(
    'ecm_chain_max_seniority',
    'ecm_decision_chain',
    'Highest seniority engaged (staff 1, manager 2, director 3, VP 4, C-level 5; 0 if none).',
    'rank',
    'higher is better',
    { needs: [...TIES, 'contacts'], range: [0, 5] },
  ),
  f(
    'ecm_chain_departments',
    'ecm_decision_chain',
    "The customer's departments reached: distinct departments of the engaged contacts.",
    'departments',
    'higher is better',
    { needs: [...TIES, 'contacts'] },
  ),
  f(
    'ecm_chain_blockers',
    'ecm_decision_chain',
    'Contacts on the deal recorded as blockers or opponents.',
    'contacts',
    'higher is worse',
    { needs: ROLES },
  ),
  f(
    'ecm_chain_has_economic_buyer',
    'ecm_decision_chain',
    'The economic buyer is known on the deal.',
    'yes = 1',
    'higher is better',
    { needs: ROLES, range: FLAG },
  ),
  f(
    'ecm_chain_decision_maker_engaged',
    'ecm_decision_chain',
    'The decision maker is known and took part in an activity on the deal.',
    'yes = 1',
    'higher is better',
    { needs: TIES_AND_ROLES, range: FLAG },
  ),

  // ECM 3: customer (account) relationship
  f('ecm_account_past_won', 'ecm_customer', "The account's deals won before the date.", 'deals', 'higher is better'),
  f('ecm_account_past_lost', 'ecm_customer', "The account's deals lost before the date.", 'deals', 'higher is worse'),
  f(
    'ecm_account_win_rate',
    'ecm_customer',
    'Our win rate with the account before the date, smoothed: (won + 1) / (closed + 2).',
    'share',
    'higher is better',
    { range: SHARE },
  ),
  f(
    'ecm_account_log_revenue',
    'ecm_customer',
    'Revenue won from the account before the date, ln(1 + amount).',
    'ln(currency)',
    'higher is better',
  ),
  f(
    'ecm_account_customer_days',
    'ecm_customer',
    'Customer tenure: days since our first win with the account (0 if none yet).',
    'days',
    'higher is better',
  ),
  f(
    'ecm_account_activities_90d',
    'ecm_customer',
    'Interactions with the account (any deal or none) in the last 90 days.',
    'activities',
    'higher is better',
    { needs: ['activities'] },
  ),
  f(
    'ecm_account_contacts_engaged_365d',
    'ecm_customer',
    "The account's contacts who took part in an interaction in the last 365 days.",
    'contacts',
    'higher is better',
    { needs: TIES },
  ),
  f(
    'ecm_account_executive_contacts_365d',
    'ecm_customer',
    "Executive coverage: the account's VP and C-level contacts (seniority rank 4+) engaged in the last 365 days.",
    'contacts',
    'higher is better',
    { needs: [...TIES, 'contacts'] },
  ),

  // ECM 4: employee relationship
  f(
    'ecm_employee_owner_win_rate',
    'ecm_employee',
    "The deal owner's win rate before the date, smoothed: (won + 1) / (closed + 2).",
    'share',
    'higher is better',
    { range: SHARE },
  ),
  f(
    'ecm_employee_owner_closed_deals',
    'ecm_employee',
    'Deals the owner closed before the date (experience).',
    'deals',
    'higher is better',
  ),
  f(
    'ecm_employee_owner_tie',
    'ecm_employee',
    "The owner's own strongest (employee, contact) tie to a contact on the deal, from every interaction they shared.",
    'strength points',
    'higher is better',
    { needs: TIES },
  ),
  f(
    'ecm_employee_best_colleague_tie',
    'ecm_employee',
    'Who knows whom: the strongest (employee, contact) tie any colleague other than the owner has with a contact on the deal.',
    'strength points',
    'higher is better',
    { needs: TIES },
  ),
  f(
    'ecm_employee_colleagues_with_ties',
    'ecm_employee',
    'Colleagues other than the owner who have interacted with contacts on the deal.',
    'people',
    'higher is better',
    { needs: TIES },
  ),
  f(
    'ecm_employee_owner_account_wins',
    'ecm_employee',
    'Deals the owner won with this account before the date.',
    'deals',
    'higher is better',
  ),

  // ECM 5: our-company relationship
  f(
    'ecm_company_executive_involved',
    'ecm_our_company',
    'One of our executives (sponsor) took part in an activity on the deal.',
    'yes = 1',
    'higher is better',
    { needs: [...TIES, 'users'], range: FLAG },
  ),
  f(
    'ecm_company_executive_touches_365d',
    'ecm_our_company',
    'Interactions of our executives with the account (any deal or none) in the last 365 days.',
    'activities',
    'higher is better',
    { needs: [...TIES, 'users'] },
  ),
  f(
    'ecm_company_teams_engaged',
    'ecm_our_company',
    'Our teams that interacted with the account in the last 365 days.',
    'teams',
    'higher is better',
    { needs: [...TIES, 'users'] },
  ),
  f(
    'ecm_company_account_touches',
    'ecm_our_company',
    'Account-level interactions not tied to any deal in the last 365 days.',
    'activities',
    'higher is better',
    { needs: ['activities'] },
  ),
  f(
    'ecm_company_partner_sourced',
    'ecm_our_company',
    "A partner brought the deal (lead source 'partner').",
    'yes = 1',
    'higher is better',
    { range: FLAG },
  ),

  // ECM 6: competitor relationship
  f('ecm_competitor_count', 'ecm_competitor', 'Competitors recorded on the deal.', 'competitors', 'higher is worse', {
    needs: ['opportunity_competitors'],
  }),
  f(
    'ecm_competitor_incumbent',
    'ecm_competitor',
    'A competitor on the deal is the incumbent supplier.',
    'yes = 1',
    'higher is worse',
    { needs: ['opportunity_competitors'], range: FLAG },
  ),
  f(
    'ecm_competitor_win_rate_against',
    'ecm_competitor',
    'Our smoothed win rate, (won + 1) / (faced + 2), on deals closed before the date against the competitors on this deal, pooled.',
    'share',
    'higher is better',
    { needs: ['opportunity_competitors'], range: SHARE, nullWhen: 'no competitor on the deal' },
  ),
  f(
    'ecm_competitor_weakest_win_rate',
    'ecm_competitor',
    'Our smoothed win rate against the toughest competitor on the deal.',
    'share',
    'higher is better',
    { needs: ['opportunity_competitors'], range: SHARE, nullWhen: 'no competitor on the deal' },
  ),
  f(
    'ecm_competitor_past_encounters',
    'ecm_competitor',
    'Closed deals before the date on which we met the competitors on this deal (how well we know them).',
    'deals',
    'depends',
    { needs: ['opportunity_competitors'] },
  ),

  // PBM people
  f(
    'pbm_people_our_team_size',
    'pbm_people',
    'Our people who took part in activities on the deal.',
    'people',
    'higher is better',
    { needs: TIES },
  ),
  f(
    'pbm_people_stakeholders',
    'pbm_people',
    'Contacts with a recorded role on the deal.',
    'contacts',
    'higher is better',
    { needs: ROLES },
  ),
  f(
    'pbm_people_engineer_involved',
    'pbm_people',
    'A sales engineer took part in an activity on the deal.',
    'yes = 1',
    'higher is better',
    { needs: [...TIES, 'users'], range: FLAG },
  ),
  f('pbm_people_owner_tenure_days', 'pbm_people', "Days since the owner's hire date.", 'days', 'higher is better', {
    range: ANY,
    nullWhen: "the owner's hire date is unknown",
  }),
  f(
    'pbm_people_owner_open_deals',
    'pbm_people',
    'Open deals the owner carries on the date, this one included (workload).',
    'deals',
    'depends',
  ),

  // PBM money
  f('pbm_money_log_amount', 'pbm_money', 'The amount the rep entered, ln(amount).', 'ln(currency)', 'higher is worse'),
  f(
    'pbm_money_amount_vs_segment',
    'pbm_money',
    "The rep's amount against the median won amount in the account's segment (won before the month), ln(ratio).",
    'ln(ratio)',
    'higher is worse',
    { range: ANY, nullWhen: 'no won deal in the segment yet' },
  ),
  f(
    'pbm_money_amount_vs_account',
    'pbm_money',
    "The rep's amount against the median amount won from this account before the date, ln(ratio).",
    'ln(ratio)',
    'higher is worse',
    { range: ANY, nullWhen: 'no deal won with the account yet' },
  ),
  f('pbm_money_amount_revisions', 'pbm_money', 'Times the amount was changed.', 'changes', 'depends'),
  f(
    'pbm_money_amount_change',
    'pbm_money',
    'Amount now against the first amount entered, ln(ratio).',
    'ln(ratio)',
    'depends',
    { range: ANY },
  ),
  f('pbm_money_discount', 'pbm_money', 'Average discount on quoted line items.', 'share', 'depends', {
    needs: ['opportunity_line_items'],
    range: SHARE,
    nullWhen: 'nothing quoted yet',
  }),

  // PBM things
  f('pbm_things_line_items', 'pbm_things', 'Line items quoted on the deal.', 'line items', 'higher is better', {
    needs: ['opportunity_line_items'],
  }),
  f(
    'pbm_things_distinct_products',
    'pbm_things',
    'Distinct products quoted on the deal.',
    'products',
    'higher is better',
    { needs: ['opportunity_line_items'] },
  ),
  f('pbm_things_is_renewal', 'pbm_things', 'The deal renews an existing contract.', 'yes = 1', 'higher is better', {
    range: FLAG,
  }),
  f(
    'pbm_things_is_upsell',
    'pbm_things',
    'The deal sells more to an existing customer.',
    'yes = 1',
    'higher is better',
    { range: FLAG },
  ),
  f(
    'pbm_things_new_product_for_account',
    'pbm_things',
    'The account has never bought this product line from us before the date (new business or cross-sell).',
    'yes = 1',
    'higher is worse',
    { range: FLAG },
  ),
  f(
    'pbm_things_product_win_rate',
    'pbm_things',
    "Smoothed win rate of the deal's product line before the date.",
    'share',
    'higher is better',
    { range: SHARE },
  ),

  // PBM sentiment
  f(
    'pbm_sentiment_supporter_share',
    'pbm_sentiment',
    'Share of contacts with a role whose stance is supporter (0 if none has a role).',
    'share',
    'higher is better',
    { needs: ROLES, range: SHARE },
  ),
  f(
    'pbm_sentiment_opponent_share',
    'pbm_sentiment',
    'Share of contacts with a role who oppose or block the deal (0 if none has a role).',
    'share',
    'higher is worse',
    { needs: ROLES, range: SHARE },
  ),
  f(
    'pbm_sentiment_inbound_share',
    'pbm_sentiment',
    'Share of activities on the deal that the customer initiated.',
    'share',
    'higher is better',
    { needs: ['activities'], range: SHARE, nullWhen: 'no activity on the deal yet' },
  ),
  f(
    'pbm_sentiment_momentum',
    'pbm_sentiment',
    'Activities in the last 30 days against the monthly rate of the 60 days before: 30-day count / (earlier count / 2 + 1).',
    'ratio',
    'higher is better',
    { needs: ['activities'] },
  ),
  f(
    'pbm_sentiment_days_since_customer_contact',
    'pbm_sentiment',
    'Days since the customer last initiated an interaction on the deal.',
    'days',
    'higher is worse',
    { needs: ['activities'], nullWhen: 'the customer never initiated one' },
  ),

  // PBM timing
  f('pbm_timing_stage_index', 'pbm_timing', 'The stage reached (1 = first open stage).', 'stage', 'higher is better', {
    range: [1, D.stages.length],
  }),
  f('pbm_timing_deal_age_days', 'pbm_timing', 'Days since the deal was created.', 'days', 'higher is worse'),
  f('pbm_timing_days_in_stage', 'pbm_timing', 'Days in the current stage.', 'days', 'higher is worse'),
  f(
    'pbm_timing_stage_vs_norm',
    'pbm_timing',
    'Days in the current stage against the median days won deals spent in that stage (won before the month): above 1 is slower than winners.',
    'ratio',
    'higher is worse',
    { nullWhen: 'no won deal has passed the stage yet' },
  ),
  f(
    'pbm_timing_age_vs_norm',
    'pbm_timing',
    "Deal age against the median cycle of won deals in the account's segment (won before the month).",
    'ratio',
    'higher is worse',
    { nullWhen: 'no won deal in the segment yet' },
  ),
  f(
    'pbm_timing_close_pushes',
    'pbm_timing',
    'Times the expected close date was moved later.',
    'pushes',
    'higher is worse',
  ),
  f(
    'pbm_timing_stage_regressions',
    'pbm_timing',
    'Times the deal moved back to an earlier stage.',
    'moves',
    'higher is worse',
  ),
  f(
    'pbm_timing_days_to_expected_close',
    'pbm_timing',
    "Days from the date to the rep's expected close date (negative: overdue).",
    'days',
    'depends',
    { range: ANY, nullWhen: 'no expected close date recorded' },
  ),
  f(
    'pbm_timing_close_in_quarter',
    'pbm_timing',
    "Period end: the rep's expected close date falls within the next 91 days (a quarter's length, on any day of a quarter).",
    'yes = 1',
    'depends',
    { range: FLAG },
  ),
  f(
    'pbm_timing_days_since_activity',
    'pbm_timing',
    'Days since the last activity on the deal (its age if none yet).',
    'days',
    'higher is worse',
    { needs: ['activities'] },
  ),

  // PBM similar past projects
  f(
    'pbm_similar_deals',
    'pbm_similar_projects',
    `Similar past projects found: up to k (default ${D.similar.k}) nearest deals closed before the date among the ${D.similar.candidatePool} latest of the same segment and product line, by deal type, size (ln amount), stages short of the deal's current stage, and engaged contacts.`,
    'deals',
    'depends',
    { range: [0, D.similar.k] },
  ),
  f(
    'pbm_similar_win_rate',
    'pbm_similar_projects',
    'Smoothed win rate of the similar past projects: (won + 1) / (found + 2).',
    'share',
    'higher is better',
    { range: SHARE },
  ),
  f(
    'pbm_similar_median_cycle_days',
    'pbm_similar_projects',
    'Median cycle (creation to close) of the similar past projects.',
    'days',
    'higher is worse',
    { nullWhen: 'no similar project found' },
  ),
  f(
    'pbm_similar_log_median_amount',
    'pbm_similar_projects',
    'Median final amount of the won similar past projects, ln(amount).',
    'ln(currency)',
    'depends',
    { nullWhen: 'none of the similar projects was won' },
  ),
  f(
    'pbm_similar_amount_vs_similar',
    'pbm_similar_projects',
    "The rep's amount against the median final amount of the won similar projects, ln(ratio).",
    'ln(ratio)',
    'higher is worse',
    { range: ANY, nullWhen: 'none of the similar projects was won' },
  ),
  f(
    'pbm_similar_source_win_rate',
    'pbm_similar_projects',
    'Smoothed win rate of closed deals from the same lead source.',
    'share',
    'higher is better',
    { range: SHARE },
  ),
];

export const FEATURE_NAMES = FEATURES.map((feature) => feature.name);

/**
 * The export fields (entity.column) a feature reads beyond the exports in its `needs`: what the
 * dead-feature check (feature-health.ts) names when a feature is empty or constant.
 */
export const NEEDED_FIELDS: Record<string, string[]> = {
  ecm_chain_max_seniority: ['contacts.seniority'],
  ecm_chain_departments: ['contacts.department'],
  ecm_account_customer_days: ['accounts.created_date'],
  ecm_company_partner_sourced: ['opportunities.lead_source'],
  ecm_competitor_incumbent: ['opportunity_competitors.is_incumbent'],
  pbm_people_owner_tenure_days: ['users.hire_date'],
  pbm_money_log_amount: ['opportunity_history.amount'],
  pbm_money_amount_revisions: ['opportunity_history.amount'],
  pbm_money_amount_change: ['opportunity_history.amount'],
  pbm_things_is_renewal: ['opportunities.type'],
  pbm_things_is_upsell: ['opportunities.type'],
  pbm_timing_stage_index: ['opportunity_history.stage'],
  pbm_timing_days_in_stage: ['opportunity_history.stage'],
  pbm_timing_stage_vs_norm: ['opportunity_history.stage'],
  pbm_timing_stage_regressions: ['opportunity_history.stage'],
  pbm_timing_close_pushes: ['opportunity_history.close_date'],
  pbm_timing_days_to_expected_close: ['opportunity_history.close_date'],
  pbm_timing_close_in_quarter: ['opportunity_history.close_date'],
  pbm_similar_source_win_rate: ['opportunities.lead_source'],
};
