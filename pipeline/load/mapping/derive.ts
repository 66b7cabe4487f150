/**
 * What an export leaves implicit, made explicit on the staged rows before validation:
 * - an activity without an account belongs to its deal's account (Dataverse activities name only
 *   the record they are regarding);
 * - a contact role or competitor without a date (HubSpot's associations and Dataverse's
 *   opportunitycompetitors have none) is dated at its deal's creation,
 *   the earliest it can have been known;
 * - a history row that gives only a stage (HubSpot's hs_date_entered_<stage>) carries the deal's
 *   amount and expected close date as the export has them: the only ones known;
 * - an activity's owner took part in it (Salesforce keeps a task's or event's owner on the record,
 *   not among its relations): a user participant unless the relations already list them.
 */
import { queryRows, type DuckDBConnection } from '../../db.ts';
import { rawTable } from './stage.ts';

export interface Derived {
  accountsFromDeals: number;
  ownerParticipants: number;
}

export async function deriveImplicitRows(conn: DuckDBConnection, options: { participantsStaged: boolean; historyStaged: boolean }): Promise<Derived> {
  const activities = rawTable('activities');
  const deals = rawTable('opportunities');
  const [filled] = await queryRows<{ n: number }>(conn, `SELECT count(*)::INTEGER AS n FROM ${activities} a JOIN ${deals} o USING (opportunity_id) WHERE a.account_id IS NULL AND o.account_id IS NOT NULL`);
  await conn.run(`UPDATE ${activities} a SET account_id = o.account_id FROM ${deals} o WHERE a.account_id IS NULL AND a.opportunity_id = o.opportunity_id`);
  if (options.historyStaged) {
    await conn.run(`UPDATE ${rawTable('opportunity_history')} h SET amount = o.amount, close_date = o.close_date
      FROM ${deals} o WHERE h.amount IS NULL AND h.close_date IS NULL AND h.opportunity_id = o.opportunity_id`);
  }
  for (const entity of ['opportunity_contact_roles', 'opportunity_competitors'] as const) {
    await conn.run(`UPDATE ${rawTable(entity)} r SET created_date = o.created_date FROM ${deals} o WHERE r.created_date IS NULL AND r.opportunity_id = o.opportunity_id`);
  }
  if (!options.participantsStaged) return { accountsFromDeals: filled!.n, ownerParticipants: 0 };
  const participants = rawTable('activity_participants');
  const owners = `
    SELECT a.__file, a.__line, a.activity_id, 'user' AS participant_type, a.owner_id AS participant_id
    FROM ${activities} a
    WHERE a.owner_id IS NOT NULL AND a.activity_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM ${participants} p WHERE p.activity_id = a.activity_id AND p.participant_type = 'user' AND p.participant_id = a.owner_id)`;
  const [added] = await queryRows<{ n: number }>(conn, `SELECT count(*)::INTEGER AS n FROM (${owners})`);
  await conn.run(`
    INSERT INTO ${participants} BY NAME
    SELECT (SELECT coalesce(max(__row), 0) FROM ${participants}) + row_number() OVER () AS __row, * FROM (${owners})`);
  return { accountsFromDeals: filled!.n, ownerParticipants: added!.n };
}
