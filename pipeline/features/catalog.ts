/**
 * The feature catalog: every ECM and PBM feature, defined once. The mart SQL must produce exactly
 * these columns (a test holds it to that), and the docs, the model page and the explanations all
 * read their names and definitions from here.
 */
import type { EntityName } from '../load/schema.ts';

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
  /** Exports without which the feature cannot be computed. */
  needs: EntityName[];
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

const STRENGTH = 'Relationship strength: each interaction on the deal weighs by type (meeting and demo 3, call 2, e-mail 1), 1.5x if the customer initiated it, and halves every 45 days';

const f = (name: string, family: FeatureFamily, definition: string, unit: string, direction: FeatureDefinition['direction'], needs: EntityName[] = []): FeatureDefinition => ({
  name,
  family,
  definition,
  unit,
  direction,
  needs,
});

export const FEATURES: FeatureDefinition[] = [
  f('ecm_key_person_max_strength', 'ecm_key_person', `Strongest tie to any contact on the deal, times the contact's seniority weight (C-level 2 ... staff 0.8). ${STRENGTH}.`, 'strength points', 'higher is better', ['activities', 'activity_participants']),
  f('ecm_key_person_total_strength', 'ecm_key_person', 'Sum of seniority-weighted tie strengths over all contacts on the deal.', 'strength points', 'higher is better', ['activities', 'activity_participants']),
  f('ecm_key_person_decision_maker_strength', 'ecm_key_person', 'Strength of our tie to the decision maker (0 if none is known).', 'strength points', 'higher is better', ['activities', 'activity_participants', 'opportunity_contact_roles']),
  f('ecm_key_person_champion_strength', 'ecm_key_person', 'Strength of our tie to the champion (0 if none is known).', 'strength points', 'higher is better', ['activities', 'activity_participants', 'opportunity_contact_roles']),

  f('ecm_chain_roles_covered', 'ecm_decision_chain', 'How many of the six buying roles (decision maker, economic buyer, champion, technical evaluator, user, influencer) are known on the deal.', 'roles (0-6)', 'higher is better', ['opportunity_contact_roles']),
  f('ecm_chain_engaged_contacts', 'ecm_decision_chain', 'Contacts who took part in at least one activity on the deal.', 'contacts', 'higher is better', ['activities', 'activity_participants']),
  f('ecm_chain_single_threaded', 'ecm_decision_chain', 'The deal hangs on one engaged contact or none.', 'yes = 1', 'higher is worse', ['activities', 'activity_participants']),
  f('ecm_chain_max_seniority', 'ecm_decision_chain', 'Highest seniority engaged (staff 1, manager 2, director 3, VP 4, C-level 5; 0 if none).', 'rank (0-5)', 'higher is better', ['activities', 'activity_participants', 'contacts']),
  f('ecm_chain_blockers', 'ecm_decision_chain', 'Contacts recorded as blockers or opponents.', 'contacts', 'higher is worse', ['opportunity_contact_roles']),
  f('ecm_chain_has_economic_buyer', 'ecm_decision_chain', 'The economic buyer is known on the deal.', 'yes = 1', 'higher is better', ['opportunity_contact_roles']),

  f('ecm_account_past_won', 'ecm_customer', "The account's other deals won before the date.", 'deals', 'higher is better'),
  f('ecm_account_past_lost', 'ecm_customer', "The account's other deals lost before the date.", 'deals', 'higher is worse'),
  f('ecm_account_win_rate', 'ecm_customer', "Our win rate with the account before the date, smoothed: (won + 1) / (closed + 2).", 'share', 'higher is better'),
  f('ecm_account_log_revenue', 'ecm_customer', 'Revenue won from the account before the date, ln(1 + amount).', 'ln(currency)', 'higher is better'),
  f('ecm_account_activities_90d', 'ecm_customer', 'Interactions with the account (any deal or none) in the last 90 days.', 'activities', 'higher is better', ['activities']),

  f('ecm_employee_owner_win_rate', 'ecm_employee', "The deal owner's win rate before the date, smoothed: (won + 1) / (closed + 2).", 'share', 'higher is better'),
  f('ecm_employee_owner_closed_deals', 'ecm_employee', 'Deals the owner closed before the date (experience).', 'deals', 'higher is better'),
  f('ecm_employee_best_colleague_tie', 'ecm_employee', "Who knows whom: the strongest tie any colleague other than the owner has with a contact on the deal, over all deals and account touches.", 'strength points', 'higher is better', ['activities', 'activity_participants']),
  f('ecm_employee_colleagues_with_ties', 'ecm_employee', 'Colleagues other than the owner who have interacted with contacts on the deal.', 'people', 'higher is better', ['activities', 'activity_participants']),

  f('ecm_company_executive_involved', 'ecm_our_company', 'One of our executives took part in an activity on the deal.', 'yes = 1', 'higher is better', ['activities', 'activity_participants', 'users']),
  f('ecm_company_teams_engaged', 'ecm_our_company', 'Our teams that interacted with the account in the last 365 days.', 'teams', 'higher is better', ['activities', 'activity_participants', 'users']),
  f('ecm_company_account_touches', 'ecm_our_company', 'Account-level interactions not tied to any deal in the last 365 days.', 'activities', 'higher is better', ['activities']),

  f('ecm_competitor_count', 'ecm_competitor', 'Competitors recorded on the deal.', 'competitors', 'higher is worse', ['opportunity_competitors']),
  f('ecm_competitor_incumbent', 'ecm_competitor', 'A competitor on the deal is the incumbent supplier.', 'yes = 1', 'higher is worse', ['opportunity_competitors']),
  f('ecm_competitor_win_rate_against', 'ecm_competitor', 'Our smoothed win rate on past deals against the competitors on this deal (empty if none).', 'share', 'higher is better', ['opportunity_competitors']),

  f('pbm_people_our_team_size', 'pbm_people', 'Our people who took part in activities on the deal.', 'people', 'higher is better', ['activities', 'activity_participants']),
  f('pbm_people_stakeholders', 'pbm_people', 'Contacts with a recorded role on the deal.', 'contacts', 'higher is better', ['opportunity_contact_roles']),
  f('pbm_people_owner_tenure_days', 'pbm_people', "Days since the owner's hire date.", 'days', 'higher is better'),

  f('pbm_money_log_amount', 'pbm_money', 'The amount the rep entered, ln(amount).', 'ln(currency)', 'higher is worse'),
  f('pbm_money_amount_vs_segment', 'pbm_money', "The rep's amount against the median won amount in the account's segment, ln(ratio).", 'ln(ratio)', 'higher is worse'),
  f('pbm_money_amount_revisions', 'pbm_money', 'Times the amount was changed.', 'changes', 'depends'),
  f('pbm_money_amount_change', 'pbm_money', 'Amount now against the first amount entered, ln(ratio).', 'ln(ratio)', 'depends'),
  f('pbm_money_discount', 'pbm_money', 'Average discount on quoted line items (empty before a quote).', 'share', 'depends', ['opportunity_line_items']),

  f('pbm_things_line_items', 'pbm_things', 'Products quoted on the deal.', 'line items', 'higher is better', ['opportunity_line_items']),
  f('pbm_things_is_renewal', 'pbm_things', 'The deal renews an existing contract.', 'yes = 1', 'higher is better'),
  f('pbm_things_is_upsell', 'pbm_things', 'The deal sells more to an existing customer.', 'yes = 1', 'higher is better'),
  f('pbm_things_product_win_rate', 'pbm_things', "Smoothed win rate of the deal's product line before the date.", 'share', 'higher is better'),

  f('pbm_sentiment_supporter_share', 'pbm_sentiment', 'Share of contacts with a role whose stance is supporter.', 'share', 'higher is better', ['opportunity_contact_roles']),
  f('pbm_sentiment_inbound_share', 'pbm_sentiment', 'Share of activities on the deal that the customer initiated.', 'share', 'higher is better', ['activities']),
  f('pbm_sentiment_momentum', 'pbm_sentiment', 'Activities in the last 30 days against the monthly rate of the 60 days before: above 1 is speeding up.', 'ratio', 'higher is better', ['activities']),

  f('pbm_timing_stage_index', 'pbm_timing', 'The stage reached (1 = first open stage).', 'stage', 'higher is better'),
  f('pbm_timing_deal_age_days', 'pbm_timing', 'Days since the deal was created.', 'days', 'higher is worse'),
  f('pbm_timing_days_in_stage', 'pbm_timing', 'Days in the current stage.', 'days', 'higher is worse'),
  f('pbm_timing_stage_vs_norm', 'pbm_timing', 'Days in the current stage against the median for won deals in that stage: above 1 is slower than winners.', 'ratio', 'higher is worse'),
  f('pbm_timing_close_pushes', 'pbm_timing', 'Times the expected close date was moved later.', 'pushes', 'higher is worse'),
  f('pbm_timing_days_to_expected_close', 'pbm_timing', "Days from the date to the rep's expected close date (negative: overdue).", 'days', 'depends'),
  f('pbm_timing_stage_regressions', 'pbm_timing', 'Times the deal moved back to an earlier stage.', 'moves', 'higher is worse'),

  f('pbm_similar_deals', 'pbm_similar_projects', 'Closed deals of the same segment, product line and type before the date.', 'deals', 'depends'),
  f('pbm_similar_win_rate', 'pbm_similar_projects', 'Smoothed win rate of closed deals of the same segment, product line and type.', 'share', 'higher is better'),
  f('pbm_similar_source_win_rate', 'pbm_similar_projects', 'Smoothed win rate of closed deals from the same lead source.', 'share', 'higher is better'),
];

export const FEATURE_NAMES = FEATURES.map((feature) => feature.name);
