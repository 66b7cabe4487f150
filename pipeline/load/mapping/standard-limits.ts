/**
 * What each built-in layout's standard objects cannot give: the optional custom fields it reads when
 * an org has them, and the features that stay constant or empty without them. docs/layouts.md shows
 * both; test/load/vendor-exports.test.ts asserts that an export of standard objects only has exactly
 * these dead features, no more.
 */

export interface StandardLimits {
  /** Custom fields (or files) the layout reads when present, with the contract column they feed. */
  optional: Record<string, string>;
  /** Features dead on an export of standard objects only, with why. */
  deadFeatures: Record<string, string>;
  /** Also dead when the export has no history (Dynamics through Synapse Link, which does not export audit). */
  deadWithoutHistory?: Record<string, string>;
  /** Other export shapes of the vendor (report, UI export): what they are and the features they also leave dead. */
  shapes?: Record<string, { name: string; alsoDead: Record<string, string> }>;
}

/** Dead for every vendor: no standard object records these. */
const COMMON: Record<string, string> = {
  ecm_key_person_supporter_share: "contacts' stance on the deal (a custom field)",
  ecm_chain_max_seniority: "contacts' seniority (a custom field)",
  ecm_chain_blockers: 'a blocker role or an opponent stance (no standard role or field)',
  ecm_account_executive_contacts_365d: "our users' sales role, to tell executives (a custom field)",
  ecm_company_executive_involved: "our users' sales role (a custom field)",
  ecm_company_executive_touches_365d: "our users' sales role (a custom field)",
  ecm_competitor_incumbent: 'an incumbent flag on the deal competitor (a custom field)',
  pbm_people_engineer_involved: "our users' sales role, to tell sales engineers (a custom field)",
  pbm_people_owner_tenure_days: "our users' hire date (a custom field)",
  pbm_things_product_win_rate: 'a product line on the deal (a custom field)',
  pbm_sentiment_supporter_share: "contacts' stance on the deal (a custom field)",
  pbm_sentiment_opponent_share: "contacts' stance on the deal (a custom field)",
};

/** What a HubSpot UI export (companies, contacts, deals, the users export) leaves out, and the features that then die. */
const ENGAGEMENTS =
  'engagements (calls, e-mails, meetings with their contacts): the UI export of deals, companies and contacts has none';
const HISTORY = "the deals' property history (the UI export has the current values only)";
const HUBSPOT_UI_ALSO_DEAD: Record<string, string> = {
  ...Object.fromEntries(
    [
      'ecm_key_person_max_strength',
      'ecm_key_person_total_strength',
      'ecm_key_person_decision_maker_strength',
      'ecm_key_person_champion_strength',
      'ecm_key_person_economic_buyer_strength',
      'ecm_key_person_weakest_required_tie',
      'ecm_chain_roles_engaged',
      'ecm_chain_engaged_contacts',
      'ecm_chain_single_threaded',
      'ecm_chain_decision_maker_engaged',
      'ecm_account_activities_90d',
      'ecm_account_contacts_engaged_365d',
      'ecm_employee_owner_tie',
      'ecm_employee_best_colleague_tie',
      'ecm_employee_colleagues_with_ties',
      'ecm_company_teams_engaged',
      'ecm_company_account_touches',
      'pbm_people_our_team_size',
      'pbm_sentiment_inbound_share',
      'pbm_sentiment_momentum',
      'pbm_sentiment_days_since_customer_contact',
      'pbm_timing_days_since_activity',
    ].map((f) => [f, ENGAGEMENTS]),
  ),
  ecm_chain_roles_known: 'association labels (the UI export lists associated contact ids, not their labels)',
  ecm_chain_has_economic_buyer: 'association labels (as above)',
  ...Object.fromEntries(
    [
      'pbm_money_amount_revisions',
      'pbm_money_amount_change',
      'pbm_timing_stage_index',
      'pbm_timing_days_in_stage',
      'pbm_timing_stage_vs_norm',
      'pbm_timing_close_pushes',
      'pbm_timing_stage_regressions',
      'pbm_timing_days_to_expected_close',
      'pbm_timing_close_in_quarter',
    ].map((f) => [f, HISTORY]),
  ),
  ...Object.fromEntries(
    ['pbm_money_discount', 'pbm_things_line_items', 'pbm_things_distinct_products'].map((f) => [
      f,
      'line items (a separate export)',
    ]),
  ),
};

export const STANDARD_LIMITS: Record<string, StandardLimits> = {
  salesforce: {
    optional: {
      'Account.Region__c': 'accounts.region (else BillingCountry)',
      'Account.Segment__c': 'accounts.segment',
      'User.Sales_Role__c': 'users.role',
      'User.Hire_Date__c': 'users.hire_date',
      'Contact.Level__c': 'contacts.seniority',
      'Opportunity.Product_Line__c': 'opportunities.product_line',
      'OpportunityContactRole.Stance__c': 'opportunity_contact_roles.stance',
      'Event.Direction__c': 'activities.direction of meetings',
      'OpportunityCompetitor.Incumbent__c': 'opportunity_competitors.is_incumbent',
    },
    deadFeatures: { ...COMMON },
    shapes: {
      report: {
        name: "Report CSV exports (Accounts, Users, Contacts & Accounts, Opportunities, Opportunity History, Opportunities with Contact Roles, Competitors and Products, Activities with Opportunities, each saved under the object's name)",
        alsoDead: {},
      },
    },
  },
  hubspot: {
    optional: {
      'companies.region, segment': 'accounts.region (else country), accounts.segment',
      'owners.sales_role, title, hire_date, manager_id, region': 'users',
      'deals.product_line': 'opportunities.product_line',
      'deal_contact_associations.stance, is_primary': 'opportunity_contact_roles',
      'contacts.department': 'contacts.department',
      'deal_competitors (file)': 'opportunity_competitors',
      'deals read with propertiesWithHistory (dealstage, amount, closedate)':
        'opportunity_history with amounts and close dates (else stage dates only)',
    },
    deadFeatures: {
      ...COMMON,
      ecm_chain_departments: 'a contact department (no standard property)',
      ecm_company_partner_sourced: 'a partner lead source (hs_analytics_source has none)',
      ecm_competitor_count: 'competitors (no standard object)',
      ecm_competitor_win_rate_against: 'competitors (no standard object)',
      ecm_competitor_weakest_win_rate: 'competitors (no standard object)',
      ecm_competitor_past_encounters: 'competitors (no standard object)',
      pbm_things_is_renewal: 'a renewal deal type (dealtype has only new and existing business)',
    },
    shapes: {
      ui: {
        name: 'UI export (companies, contacts and deals from their index pages, the users export as owners)',
        alsoDead: HUBSPOT_UI_ALSO_DEAD,
      },
    },
  },
  dynamics: {
    optional: {
      'account.new_segment': 'accounts.segment',
      'systemuser.new_salesrole, new_hiredate': 'users.role, users.hire_date',
      'contact.new_seniority': 'contacts.seniority',
      'opportunity.new_opportunitytype, new_leadsource, new_productline':
        'opportunities.type, lead_source, product_line',
      'connection.new_stance, new_isprimary': 'opportunity_contact_roles',
      'opportunitycompetitors.new_isincumbent': 'opportunity_competitors.is_incumbent',
      'opportunityproduct.new_discountpercent': 'opportunity_line_items.discount',
      'audit (the audit table; auditing on for opportunity)': 'opportunity_history (else no history: the load warns)',
    },
    deadFeatures: {
      ...COMMON,
      ecm_company_partner_sourced: 'a lead source on the opportunity (a custom field)',
      pbm_money_discount: 'a discount share (opportunityproduct has an amount, not a share)',
      pbm_things_is_renewal: 'a deal type (a custom field)',
      pbm_things_is_upsell: 'a deal type (a custom field)',
      pbm_similar_source_win_rate: 'a lead source on the opportunity (a custom field)',
    },
    deadWithoutHistory: {
      pbm_money_amount_revisions: 'history: the amount as of each past date',
      pbm_money_amount_change: 'history (as above)',
      pbm_timing_stage_index: 'history: the stage as of each past date',
      pbm_timing_days_in_stage: 'history (as above)',
      pbm_timing_stage_vs_norm: 'history (as above)',
      pbm_timing_close_pushes: 'history (as above)',
      pbm_timing_stage_regressions: 'history (as above)',
      pbm_timing_days_to_expected_close: 'history: the expected close date as of each past date',
      pbm_timing_close_in_quarter: 'history (as above)',
    },
  },
};
