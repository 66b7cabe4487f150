/**
 * The canonical data contract: every entity Wuwei loads, its file, key, and typed columns.
 * Loading, validation and the contract document are all generated from this one definition.
 */
export type ColumnType = 'VARCHAR' | 'DOUBLE' | 'INTEGER' | 'BOOLEAN' | 'DATE' | 'TIMESTAMP';

export interface ColumnSpec {
  type: ColumnType;
  required?: boolean;
  /** Another entity this column points at (its key). */
  references?: string;
  description: string;
}

export interface EntitySpec {
  file: string;
  description: string;
  /** Columns that identify a row; duplicates are rejected. Empty for event tables. */
  key: string[];
  /** An entity without which no model can be trained. */
  required: boolean;
  columns: Record<string, ColumnSpec>;
}

const id = (description: string, references?: string): ColumnSpec => ({
  type: 'VARCHAR',
  required: true,
  description,
  ...(references ? { references } : {}),
});
const text = (description: string): ColumnSpec => ({ type: 'VARCHAR', description });

export const SCHEMA = {
  accounts: {
    file: 'accounts',
    description: 'Customer companies.',
    key: ['account_id'],
    required: true,
    columns: {
      account_id: id('Account identifier.'),
      name: text('Company name.'),
      industry: text('Industry.'),
      region: text('Sales region.'),
      segment: text('Segment: enterprise, mid_market, smb.'),
      employees: { type: 'DOUBLE', description: 'Number of employees.' },
      annual_revenue: { type: 'DOUBLE', description: 'Annual revenue, reporting currency.' },
      owner_id: text('Our employee who owns the account.'),
      created_date: { type: 'DATE', description: 'When the account was created in the CRM.' },
    },
  },
  users: {
    file: 'users',
    description: 'Our employees.',
    key: ['user_id'],
    required: true,
    columns: {
      user_id: id('Employee identifier.'),
      name: text('Name (personal data).'),
      title: text('Job title.'),
      role: text('account_executive, sales_engineer, sales_manager, executive.'),
      team: text('Team.'),
      region: text('Region.'),
      manager_id: text('Manager (a user_id).'),
      hire_date: { type: 'DATE', description: 'Hire date.' },
    },
  },
  contacts: {
    file: 'contacts',
    description: 'People at customer accounts. Name and e-mail are personal data and never reach a report.',
    key: ['contact_id'],
    // Optional: some exports (e.g. the Maven sample) have none; the relationship features then say so.
    required: false,
    columns: {
      contact_id: id('Contact identifier.'),
      account_id: id('Their account.', 'accounts'),
      first_name: text('First name (personal data).'),
      last_name: text('Last name (personal data).'),
      email: text('E-mail (personal data).'),
      title: text('Job title.'),
      seniority: text('c_level, vp, director, manager, staff.'),
      department: text('Department.'),
      created_date: { type: 'DATE', description: 'When the contact was created.' },
    },
  },
  opportunities: {
    file: 'opportunities',
    description:
      'Deals, in their state at the export. Only fields that never change are used as features; the changing ones come from history.',
    key: ['opportunity_id'],
    required: true,
    columns: {
      opportunity_id: id('Deal identifier.'),
      account_id: id('Account.', 'accounts'),
      owner_id: id('Owning employee.', 'users'),
      name: text('Deal name.'),
      type: text('new, upsell, renewal.'),
      lead_source: text('Where the deal came from.'),
      product_line: text('Main product line.'),
      currency: text('Currency code of amount.'),
      created_date: { type: 'DATE', required: true, description: 'Created.' },
      close_date: { type: 'DATE', description: 'Expected close date while open, actual once closed.' },
      stage: { type: 'VARCHAR', required: true, description: 'Current stage.' },
      probability: { type: 'DOUBLE', description: "The CRM's default probability of the stage, 0..1." },
      forecast_category: text('pipeline, best_case, commit, closed, omitted.'),
      is_closed: { type: 'BOOLEAN', description: 'Closed (won or lost).' },
      is_won: { type: 'BOOLEAN', description: 'Closed won.' },
      amount: {
        type: 'DOUBLE',
        description: 'Amount as the rep entered it, in the reporting currency after the load (see below).',
      },
    },
  },
  opportunity_history: {
    file: 'opportunity_history',
    description:
      'Every change of stage, amount or expected close date, with the state after it. Optional: without it, changes are derived night by night from successive snapshots of opportunities.',
    key: [],
    required: false,
    columns: {
      opportunity_id: id('Deal.', 'opportunities'),
      changed_at: { type: 'DATE', required: true, description: 'Date of the change.' },
      stage: { type: 'VARCHAR', required: true, description: 'Stage after the change.' },
      amount: { type: 'DOUBLE', description: 'Amount after the change.' },
      close_date: { type: 'DATE', description: 'Expected (or actual) close date after the change.' },
      probability: { type: 'DOUBLE', description: 'Stage default probability, 0..1.' },
      forecast_category: text('Forecast category after the change.'),
    },
  },
  opportunity_contact_roles: {
    file: 'opportunity_contact_roles',
    description:
      "Contacts' roles on deals: decision_maker, economic_buyer, champion, technical_evaluator, influencer, user, blocker.",
    key: ['opportunity_id', 'contact_id', 'role'],
    required: false,
    columns: {
      opportunity_id: id('Deal.', 'opportunities'),
      contact_id: id('Contact.', 'contacts'),
      role: { type: 'VARCHAR', required: true, description: 'Role on the buying side.' },
      stance: text('supporter, neutral, opponent.'),
      is_primary: { type: 'BOOLEAN', description: 'Primary contact of the deal.' },
      created_date: { type: 'DATE', required: true, description: 'When the role was recorded.' },
    },
  },
  activities: {
    file: 'activities',
    description: 'E-mails, calls, meetings and demos with customers.',
    key: ['activity_id'],
    required: false,
    columns: {
      activity_id: id('Activity identifier.'),
      account_id: id('Account.', 'accounts'),
      opportunity_id: {
        type: 'VARCHAR',
        references: 'opportunities',
        description: 'Deal, if the activity belongs to one.',
      },
      type: { type: 'VARCHAR', required: true, description: 'email, call, meeting, demo.' },
      direction: text('inbound (customer-initiated) or outbound.'),
      owner_id: text(
        'Our employee who owns the activity (a Salesforce task or event owner); counted as one of its participants.',
      ),
      occurred_at: { type: 'TIMESTAMP', required: true, description: 'When it happened.' },
      duration_minutes: { type: 'DOUBLE', description: 'Duration.' },
    },
  },
  activity_participants: {
    file: 'activity_participants',
    description: 'Who took part in each activity, on both sides.',
    key: ['activity_id', 'participant_type', 'participant_id'],
    required: false,
    columns: {
      activity_id: id('Activity.', 'activities'),
      participant_type: { type: 'VARCHAR', required: true, description: 'user (ours) or contact (theirs).' },
      participant_id: id('A user_id or contact_id.'),
    },
  },
  opportunity_competitors: {
    file: 'opportunity_competitors',
    description: 'Competitors on each deal.',
    key: ['opportunity_id', 'competitor'],
    required: false,
    columns: {
      opportunity_id: id('Deal.', 'opportunities'),
      competitor: { type: 'VARCHAR', required: true, description: 'Competitor name.' },
      is_incumbent: { type: 'BOOLEAN', description: 'The competitor is the incumbent supplier.' },
      created_date: { type: 'DATE', required: true, description: 'When the competitor was recorded.' },
    },
  },
  opportunity_line_items: {
    file: 'opportunity_line_items',
    description: 'Products quoted on each deal.',
    key: [],
    required: false,
    columns: {
      opportunity_id: id('Deal.', 'opportunities'),
      product: { type: 'VARCHAR', required: true, description: 'Product.' },
      quantity: { type: 'DOUBLE', description: 'Quantity.' },
      unit_price: { type: 'DOUBLE', description: 'List unit price.' },
      discount: { type: 'DOUBLE', description: 'Discount, 0..1.' },
      created_date: { type: 'DATE', required: true, description: 'When the line was added.' },
    },
  },
} as const satisfies Record<string, EntitySpec>;

export type EntityName = keyof typeof SCHEMA;
export const ENTITY_NAMES = Object.keys(SCHEMA) as EntityName[];
