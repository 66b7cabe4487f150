/**
 * A tiny hand-written CRM in DuckDB, small enough that every feature of its one interesting deal
 * (O1, open on 2025-06-30) can be worked out by hand. The story, as of 2025-06-30 (T):
 *
 * - Our people: U1 (account executive, Sales, hired 2020-06-30, owns O1), U2 (sales engineer,
 *   Presales), U3 (executive, Executive).
 * - Account A1 (enterprise): contacts C1 (C-level, Executive), C2 (manager, IT), C3 (staff, Finance).
 *   Account A2 (smb): contact C4 (director).
 * - O1 (A1, U1, upsell, partner, Platform), created 2025-04-01: Prospecting -> Discovery (05-01) ->
 *   back to Qualification (05-16, amount 100k -> 120k, close 06-15 -> 07-15) -> Discovery (06-01).
 *   Roles: C1 decision maker (supporter), C2 champion (supporter), C3 blocker (opponent).
 *   Competitors: Rival (incumbent, 04-15), Newco (05-01). Line items: two quoted in June (10% and
 *   20% off), one after T.
 *   Activities: a1 meeting T with U1+C1; a2 inbound e-mail 05-16 (T-45) U1+C2; a3 call 04-01 (T-90)
 *   U2+C2+C3; a4 meeting T with U3+C1; a9 meeting after T (must not count). Account touch a6: e-mail
 *   02-15 (T-135) U1+C2.
 * - Closed before T: O2 (A1, U1, Platform, inbound) won 60k on 2024-03-01 after 60 days;
 *   O3 (A1, U2, Analytics, outbound, Rival) lost 2024-08-01; O4 (A2, U1, Platform, partner, Rival)
 *   won 20k on 2024-10-01 after 20 days in Discovery; O6 (A2, U2, Analytics, outbound, Rival) lost 2025-01-15.
 * - O5 (A2, U2) created 2025-05-01 closes won only after T: open at T.
 */
import type { DuckDBConnection } from '../../pipeline/base/db.ts';
import { ENTITY_NAMES, SCHEMA } from '../../pipeline/load/schema.ts';

export const TINY_AS_OF = '2025-06-30';

type Row = Record<string, string | number | boolean | null>;

const ROWS: Record<string, Row[]> = {
  users: [
    { user_id: 'U1', role: 'account_executive', team: 'Sales', hire_date: '2020-06-30' },
    { user_id: 'U2', role: 'sales_engineer', team: 'Presales', hire_date: '2021-01-01' },
    { user_id: 'U3', role: 'executive', team: 'Executive', hire_date: '2015-01-01' },
  ],
  accounts: [
    { account_id: 'A1', segment: 'enterprise', created_date: '2020-01-01' },
    { account_id: 'A2', segment: 'smb', created_date: '2020-01-01' },
  ],
  contacts: [
    { contact_id: 'C1', account_id: 'A1', seniority: 'c_level', department: 'Executive', created_date: '2020-01-01' },
    { contact_id: 'C2', account_id: 'A1', seniority: 'manager', department: 'IT', created_date: '2020-01-01' },
    { contact_id: 'C3', account_id: 'A1', seniority: 'staff', department: 'Finance', created_date: '2020-01-01' },
    { contact_id: 'C4', account_id: 'A2', seniority: 'director', department: 'IT', created_date: '2020-01-01' },
  ],
  opportunities: [
    {
      opportunity_id: 'O1',
      account_id: 'A1',
      owner_id: 'U1',
      type: 'upsell',
      lead_source: 'partner',
      product_line: 'Platform',
      created_date: '2025-04-01',
      stage: 'Discovery',
      amount: 120000,
    },
    {
      opportunity_id: 'O2',
      account_id: 'A1',
      owner_id: 'U1',
      type: 'new',
      lead_source: 'inbound',
      product_line: 'Platform',
      created_date: '2024-01-01',
      stage: 'Closed Won',
      amount: 60000,
    },
    {
      opportunity_id: 'O3',
      account_id: 'A1',
      owner_id: 'U2',
      type: 'new',
      lead_source: 'outbound',
      product_line: 'Analytics',
      created_date: '2024-06-01',
      stage: 'Closed Lost',
      amount: 30000,
    },
    {
      opportunity_id: 'O4',
      account_id: 'A2',
      owner_id: 'U1',
      type: 'new',
      lead_source: 'partner',
      product_line: 'Platform',
      created_date: '2024-09-01',
      stage: 'Closed Won',
      amount: 20000,
    },
    {
      opportunity_id: 'O5',
      account_id: 'A2',
      owner_id: 'U2',
      type: 'new',
      lead_source: 'inbound',
      product_line: 'Platform',
      created_date: '2025-05-01',
      stage: 'Closed Won',
      amount: 10000,
    },
    {
      opportunity_id: 'O6',
      account_id: 'A2',
      owner_id: 'U2',
      type: 'new',
      lead_source: 'outbound',
      product_line: 'Analytics',
      created_date: '2024-12-01',
      stage: 'Closed Lost',
      amount: 15000,
    },
  ],
  opportunity_history: [
    history('O1', '2025-04-01', 'Prospecting', 100000, '2025-06-15'),
    history('O1', '2025-05-01', 'Discovery', 100000, '2025-06-15'),
    history('O1', '2025-05-16', 'Qualification', 120000, '2025-07-15'),
    history('O1', '2025-06-01', 'Discovery', 120000, '2025-07-15'),
    history('O1', '2025-07-10', 'Negotiation', 150000, '2025-08-15'), // after T
    history('O2', '2024-01-01', 'Prospecting', 50000, '2024-03-01'),
    history('O2', '2024-02-01', 'Negotiation', 60000, '2024-03-01'),
    history('O2', '2024-03-01', 'Closed Won', 60000, '2024-03-01'),
    history('O3', '2024-06-01', 'Prospecting', 30000, '2024-08-01'),
    history('O3', '2024-08-01', 'Closed Lost', 30000, '2024-08-01'),
    history('O4', '2024-09-01', 'Prospecting', 20000, '2024-10-01'),
    history('O4', '2024-09-11', 'Discovery', 20000, '2024-10-01'),
    history('O4', '2024-10-01', 'Closed Won', 20000, '2024-10-01'),
    history('O5', '2025-05-01', 'Prospecting', 10000, '2025-08-01'),
    history('O5', '2025-08-01', 'Closed Won', 10000, '2025-08-01'), // after T
    history('O6', '2024-12-01', 'Prospecting', 15000, '2025-01-15'),
    history('O6', '2025-01-15', 'Closed Lost', 15000, '2025-01-15'),
  ],
  opportunity_contact_roles: [
    {
      opportunity_id: 'O1',
      contact_id: 'C1',
      role: 'decision_maker',
      stance: 'supporter',
      is_primary: true,
      created_date: '2025-04-01',
    },
    {
      opportunity_id: 'O1',
      contact_id: 'C2',
      role: 'champion',
      stance: 'supporter',
      is_primary: false,
      created_date: '2025-04-10',
    },
    {
      opportunity_id: 'O1',
      contact_id: 'C3',
      role: 'blocker',
      stance: 'opponent',
      is_primary: false,
      created_date: '2025-05-01',
    },
    {
      opportunity_id: 'O1',
      contact_id: 'C3',
      role: 'economic_buyer',
      stance: 'opponent',
      is_primary: false,
      created_date: '2025-07-05',
    }, // after T
  ],
  opportunity_competitors: [
    { opportunity_id: 'O1', competitor: 'Rival', is_incumbent: true, created_date: '2025-04-15' },
    { opportunity_id: 'O1', competitor: 'Newco', is_incumbent: false, created_date: '2025-05-01' },
    { opportunity_id: 'O3', competitor: 'Rival', is_incumbent: false, created_date: '2024-06-10' },
    { opportunity_id: 'O4', competitor: 'Rival', is_incumbent: false, created_date: '2024-09-05' },
    { opportunity_id: 'O6', competitor: 'Rival', is_incumbent: false, created_date: '2024-12-05' },
  ],
  opportunity_line_items: [
    {
      opportunity_id: 'O1',
      product: 'Platform Core',
      quantity: 10,
      unit_price: 1000,
      discount: 0.1,
      created_date: '2025-06-01',
    },
    {
      opportunity_id: 'O1',
      product: 'Platform Plus',
      quantity: 5,
      unit_price: 2000,
      discount: 0.2,
      created_date: '2025-06-02',
    },
    {
      opportunity_id: 'O1',
      product: 'Platform Premium',
      quantity: 1,
      unit_price: 9000,
      discount: 0.9,
      created_date: '2025-07-02',
    }, // after T
  ],
  activities: [
    activity('a1', 'A1', 'O1', 'meeting', 'outbound', '2025-06-30 15:00:00'),
    activity('a2', 'A1', 'O1', 'email', 'inbound', '2025-05-16 09:00:00'),
    activity('a3', 'A1', 'O1', 'call', 'outbound', '2025-04-01 10:00:00'),
    activity('a4', 'A1', 'O1', 'meeting', 'outbound', '2025-06-30 11:00:00'),
    activity('a6', 'A1', null, 'email', 'outbound', '2025-02-15 08:00:00'),
    activity('a9', 'A1', 'O1', 'meeting', 'inbound', '2025-07-01 08:00:00'), // after T
  ],
  activity_participants: [
    ...participants('a1', ['U1'], ['C1']),
    ...participants('a2', ['U1'], ['C2']),
    ...participants('a3', ['U2'], ['C2', 'C3']),
    ...participants('a4', ['U3'], ['C1']),
    ...participants('a6', ['U1'], ['C2']),
    ...participants('a9', ['U1', 'U2'], ['C1', 'C2', 'C3']),
  ],
};

function history(opportunity_id: string, changed_at: string, stage: string, amount: number, close_date: string): Row {
  return { opportunity_id, changed_at, stage, amount, close_date };
}

function activity(
  activity_id: string,
  account_id: string,
  opportunity_id: string | null,
  type: string,
  direction: string,
  occurred_at: string,
): Row {
  return { activity_id, account_id, opportunity_id, type, direction, occurred_at, duration_minutes: 30 };
}

function participants(activity_id: string, users: string[], contacts: string[]): Row[] {
  return [
    ...users.map((participant_id) => ({ activity_id, participant_type: 'user', participant_id })),
    ...contacts.map((participant_id) => ({ activity_id, participant_type: 'contact', participant_id })),
  ];
}

const literal = (value: Row[string]) =>
  value === null || value === undefined
    ? 'NULL'
    : typeof value === 'string'
      ? `'${value.replaceAll("'", "''")}'`
      : String(value);

/** Creates every table of the data contract and fills the tiny CRM; `leaveEmpty` tables stay empty. */
export async function createTinyCrm(conn: DuckDBConnection, options: { leaveEmpty?: string[] } = {}): Promise<void> {
  for (const entity of ENTITY_NAMES) {
    const columns = Object.entries(SCHEMA[entity].columns) as [string, { type: string }][];
    await conn.run(
      `CREATE OR REPLACE TABLE ${entity} (${columns.map(([name, spec]) => `${name} ${spec.type}`).join(', ')})`,
    );
    const rows = options.leaveEmpty?.includes(entity) ? [] : (ROWS[entity] ?? []);
    for (const row of rows) {
      const names = Object.keys(row);
      await conn.run(
        `INSERT INTO ${entity} (${names.join(', ')}) VALUES (${names.map((name) => literal(row[name]!)).join(', ')})`,
      );
    }
  }
}
