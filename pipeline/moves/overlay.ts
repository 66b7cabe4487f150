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
): Promise<void> {
  const [{ db } = { db: 'main' }] = await queryRows<{ db: string }>(conn, 'SELECT current_database() AS db');
  const loaded = (table: string) => `${quoteIdent(db)}.main.${table}`;
  const accountList = accounts.length > 0 ? accounts.map(quoteLiteral).join(', ') : 'NULL';
  const deals = `SELECT opportunity_id FROM ${loaded('opportunities')} WHERE account_id IN (${accountList})`;
  await conn.run(`CREATE OR REPLACE TEMP TABLE activities AS
    SELECT * FROM ${loaded('activities')}
    WHERE account_id IN (${accountList}) OR opportunity_id IN (${deals}) OR activity_id IN (
        SELECT p.activity_id FROM ${loaded('activity_participants')} AS p JOIN ${loaded('contacts')} AS c ON c.contact_id = p.participant_id
        WHERE p.participant_type = 'contact' AND c.account_id IN (${accountList}))`);
  await conn.run(`CREATE OR REPLACE TEMP TABLE activity_participants AS
    SELECT * FROM ${loaded('activity_participants')} WHERE activity_id IN (SELECT activity_id FROM temp.main.activities)`);
  await conn.run(`CREATE OR REPLACE TEMP TABLE opportunity_contact_roles AS
    SELECT * FROM ${loaded('opportunity_contact_roles')} WHERE opportunity_id IN (${deals})`);
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

/** Drops the temporary copies: the loaded tables are visible again. */
export async function dropOverlay(conn: DuckDBConnection): Promise<void> {
  for (const table of OVERLAID_TABLES) await conn.run(`DROP TABLE IF EXISTS temp.main.${table}`);
}
