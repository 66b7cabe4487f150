/**
 * A move as CRM records: the contact-role row and the activity (with its participants) that would
 * exist tonight if the move were made. They go into temporary copies of the exports' tables (the
 * rows of the accounts being priced), which shadow the loaded ones on this connection only, so the
 * feature SQL reads them unchanged and the database file is never touched.
 */
import { queryRows, quoteIdent, quoteLiteral, type DuckDBConnection } from '../base/db.ts';
import type { CandidateMove } from './candidates.ts';

/** A candidate with the people who would take part: the owner, and the colleague or resource it brings in. */
export interface StagedMove {
  move: CandidateMove;
  /** Our people in the hypothetical activity (the owner first). */
  userIds: string[];
  /** The customer contact in it: the move's own, else the deal's best-tied contact. */
  contactId: string | null;
}

/** The exports a move adds rows to. */
export const OVERLAID_TABLES = ['opportunity_contact_roles', 'activities', 'activity_participants'] as const;
/** The loaded tables an overlay reads its accounts' rows from. */
const SOURCE_TABLES = [...OVERLAID_TABLES, 'opportunities', 'contacts'] as const;
/** The narrowed copy of a source table (narrowOverlaySource). */
const narrowed = (table: (typeof SOURCE_TABLES)[number]) => `moves_source_${table}`;

const ACTIVITY_TYPE: Record<CandidateMove['kind'], string> = {
  engage_role: 'meeting',
  introduction: 'meeting',
  multi_thread: 'meeting',
  executive_sponsor: 'meeting',
  solutions_engineer: 'demo',
  reengage: 'meeting',
};

/**
 * Replaces the temporary copies with the loaded tables' rows of `accounts` plus `moves`' records,
 * dated `asOf`. An account's rows are its deals' contact roles and every activity with the account,
 * its deals or its contacts: all that the features of its deals read of these tables.
 */
export async function applyOverlay(
  conn: DuckDBConnection,
  moves: StagedMove[],
  asOf: string,
  accounts: string[],
  from: 'loaded' | 'narrowed' = 'loaded',
): Promise<void> {
  const loaded = await loadedTable(conn);
  const source = (table: (typeof SOURCE_TABLES)[number]) =>
    from === 'narrowed' ? `temp.main.${narrowed(table)}` : loaded(table);
  await conn.run(`CREATE OR REPLACE TEMP TABLE activities AS ${accountRowsSql(source, 'activities', accounts)}`);
  await conn.run(`CREATE OR REPLACE TEMP TABLE activity_participants AS
    SELECT * FROM ${source('activity_participants')} WHERE activity_id IN (SELECT activity_id FROM temp.main.activities)`);
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE opportunity_contact_roles AS ${accountRowsSql(source, 'opportunity_contact_roles', accounts)}`,
  );
  const date = `DATE ${quoteLiteral(asOf)}`;
  const roles: string[] = [];
  const activities: string[] = [];
  const participants: string[] = [];
  moves.forEach(({ move, userIds, contactId }, i) => {
    const id = quoteLiteral(`wuwei-move-${i + 1}`);
    if (move.role !== null && move.contactId !== null && move.kind !== 'reengage') {
      // a champion is by definition on our side; anyone else is engaged, not yet won over
      const stance = move.role === 'champion' ? 'supporter' : 'neutral';
      roles.push(
        `(${quoteLiteral(move.opportunityId)}, ${quoteLiteral(move.contactId)}, ${quoteLiteral(move.role)}, '${stance}', false, ${date})`,
      );
    }
    activities.push(
      `(${id}, ${quoteLiteral(move.accountId)}, ${quoteLiteral(move.opportunityId)}, ${quoteLiteral(ACTIVITY_TYPE[move.kind])}, 'outbound', ${date}::TIMESTAMP, 60)`,
    );
    for (const user of userIds) participants.push(`(${id}, 'user', ${quoteLiteral(user)})`);
    if (contactId !== null) participants.push(`(${id}, 'contact', ${quoteLiteral(contactId)})`);
  });
  if (roles.length > 0) {
    await conn.run(`INSERT INTO temp.main.opportunity_contact_roles BY NAME
      SELECT * FROM (VALUES ${roles.join(', ')}) AS t(opportunity_id, contact_id, role, stance, is_primary, created_date)`);
  }
  if (activities.length > 0) {
    await conn.run(`INSERT INTO temp.main.activities BY NAME
      SELECT * FROM (VALUES ${activities.join(', ')}) AS t(activity_id, account_id, opportunity_id, type, direction, occurred_at, duration_minutes)`);
  }
  if (participants.length > 0) {
    await conn.run(`INSERT INTO temp.main.activity_participants BY NAME
      SELECT * FROM (VALUES ${participants.join(', ')}) AS t(activity_id, participant_type, participant_id)`);
  }
}

/**
 * Copies the loaded rows that overlays of any of `accounts` can read (the same selection as
 * applyOverlay's, over all of them) into temporary tables, so that each round's applyOverlay(...,
 * 'narrowed') of some of these accounts selects the very same rows from these instead of scanning
 * the whole exports again.
 */
export async function narrowOverlaySource(conn: DuckDBConnection, accounts: string[]): Promise<void> {
  const loaded = await loadedTable(conn);
  const list = sqlList(accounts);
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${narrowed('opportunities')} AS
    SELECT * FROM ${loaded('opportunities')} WHERE account_id IN (${list})`);
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${narrowed('contacts')} AS
    SELECT * FROM ${loaded('contacts')} WHERE account_id IN (${list})`);
  for (const table of ['activities', 'opportunity_contact_roles'] as const)
    await conn.run(`CREATE OR REPLACE TEMP TABLE ${narrowed(table)} AS ${accountRowsSql(loaded, table, accounts)}`);
  // every participant of those activities: a round's activities are among them
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${narrowed('activity_participants')} AS
    SELECT * FROM ${loaded('activity_participants')}
    WHERE activity_id IN (SELECT activity_id FROM temp.main.${narrowed('activities')})`);
}

/**
 * An account's rows of `table`: its deals' contact roles; every activity with the account, its deals
 * or its contacts. Row by row the same test over the loaded or the narrowed tables.
 */
function accountRowsSql(
  source: (table: (typeof SOURCE_TABLES)[number]) => string,
  table: 'activities' | 'opportunity_contact_roles',
  accounts: string[],
): string {
  const list = sqlList(accounts);
  const deals = `SELECT opportunity_id FROM ${source('opportunities')} WHERE account_id IN (${list})`;
  if (table === 'opportunity_contact_roles')
    return `SELECT * FROM ${source('opportunity_contact_roles')} WHERE opportunity_id IN (${deals})`;
  return `SELECT * FROM ${source('activities')}
    WHERE account_id IN (${list}) OR opportunity_id IN (${deals}) OR activity_id IN (
        SELECT p.activity_id FROM ${source('activity_participants')} AS p JOIN ${source('contacts')} AS c ON c.contact_id = p.participant_id
        WHERE p.participant_type = 'contact' AND c.account_id IN (${list}))`;
}

/** The loaded (not temporary) table of that name on this connection's database. */
async function loadedTable(conn: DuckDBConnection): Promise<(table: string) => string> {
  const [{ db } = { db: 'main' }] = await queryRows<{ db: string }>(conn, 'SELECT current_database() AS db');
  return (table) => `${quoteIdent(db)}.main.${table}`;
}

/** Values as a SQL list for IN (...); NULL, which matches nothing, when there are none. */
export function sqlList(values: string[]): string {
  return values.length > 0 ? values.map(quoteLiteral).join(', ') : 'NULL';
}

/** Drops the temporary copies and their narrowed source: the loaded tables are visible again. */
export async function dropOverlay(conn: DuckDBConnection): Promise<void> {
  for (const table of OVERLAID_TABLES) await conn.run(`DROP TABLE IF EXISTS temp.main.${table}`);
  for (const table of SOURCE_TABLES) await conn.run(`DROP TABLE IF EXISTS temp.main.${narrowed(table)}`);
}
