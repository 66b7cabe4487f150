/**
 * What an export leaves implicit, made explicit on the staged rows before validation:
 * - an activity without an account belongs to its deal's account (Dataverse activities name only
 *   the record they are regarding);
 * - a contact role or competitor without a date (HubSpot's associations and Dataverse's
 *   opportunitycompetitors have none) is dated at its deal's creation,
 *   the earliest it can have been known;
 * - history read as one row per field change (HubSpot's property history) carries each field's last
 *   value forward per deal, so that every row is the deal's state after it; rows before the first
 *   known stage are left out (counted);
 * - the history of a deal that gives only stages (HubSpot's hs_date_entered_<stage>) carries the
 *   deal's amount and expected close date as the export has them: the only ones known;
 * - an activity's owner took part in it (Salesforce keeps a task's or event's owner on the record,
 *   not among its relations): a user participant unless the relations already list them.
 */
import { queryRows, quoteLiteral, type DuckDBConnection } from '../../base/db.ts';
import { rawTable, stagedView } from './stage.ts';

export interface Derived {
  accountsFromDeals: number;
  ownerParticipants: number;
  /** Field-change rows before the deal's first known stage, left out. */
  changesBeforeFirstStage: number;
}

export async function deriveImplicitRows(
  conn: DuckDBConnection,
  options: { participantsStaged: boolean; historyStaged: boolean; changeFiles: string[] },
): Promise<Derived> {
  const changesBeforeFirstStage =
    options.changeFiles.length > 0 ? await carryChangesForward(conn, options.changeFiles) : 0;
  const activities = rawTable('activities');
  const deals = rawTable('opportunities');
  const [filled] = await queryRows<{ n: number }>(
    conn,
    `SELECT count(*)::INTEGER AS n FROM ${activities} a JOIN ${deals} o USING (opportunity_id) WHERE a.account_id IS NULL AND o.account_id IS NOT NULL`,
  );
  await conn.run(
    `UPDATE ${activities} a SET account_id = o.account_id FROM ${deals} o WHERE a.account_id IS NULL AND a.opportunity_id = o.opportunity_id`,
  );
  if (options.historyStaged) {
    const history = rawTable('opportunity_history');
    await conn.run(`UPDATE ${history} h SET amount = o.amount, close_date = o.close_date
      FROM ${deals} o WHERE h.amount IS NULL AND h.close_date IS NULL AND h.opportunity_id = o.opportunity_id
        AND o.opportunity_id NOT IN (SELECT opportunity_id FROM ${history} WHERE (amount IS NOT NULL OR close_date IS NOT NULL) AND opportunity_id IS NOT NULL)`);
  }
  for (const entity of ['opportunity_contact_roles', 'opportunity_competitors'] as const) {
    await conn.run(
      `UPDATE ${rawTable(entity)} r SET created_date = o.created_date FROM ${deals} o WHERE r.created_date IS NULL AND r.opportunity_id = o.opportunity_id`,
    );
  }
  if (!options.participantsStaged)
    return { accountsFromDeals: filled!.n, ownerParticipants: 0, changesBeforeFirstStage };
  const participants = rawTable('activity_participants');
  const owners = `
    SELECT a.__file, a.__line, a.activity_id, 'user' AS participant_type, a.owner_id AS participant_id
    FROM ${stagedView('activities')} a
    WHERE a.owner_id IS NOT NULL AND a.activity_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM ${participants} p WHERE p.activity_id = a.activity_id AND p.participant_type = 'user' AND p.participant_id = a.owner_id)`;
  const [added] = await queryRows<{ n: number }>(conn, `SELECT count(*)::INTEGER AS n FROM (${owners})`);
  await conn.run(`
    INSERT INTO ${participants} BY NAME ${owners}`);
  return { accountsFromDeals: filled!.n, ownerParticipants: added!.n, changesBeforeFirstStage };
}

/** Each field-change row becomes the deal's state after it: every field's last value so far (full-state rows count too). */
async function carryChangesForward(conn: DuckDBConnection, files: string[]): Promise<number> {
  const changes = `h.__file IN (${files.map(quoteLiteral).join(', ')})`;
  const history = rawTable('opportunity_history');
  const fields = ['stage', 'amount', 'close_date', 'probability', 'forecast_category'];
  await conn.run(`
    UPDATE ${history} h SET ${fields.map((f) => `${f} = s.${f}`).join(', ')}
    FROM (
      SELECT rowid AS __row, ${fields.map((f) => `last_value(${f} IGNORE NULLS) OVER deal AS ${f}`).join(', ')}
      FROM ${history}
      WINDOW deal AS (PARTITION BY opportunity_id ORDER BY changed_at, rowid ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
    ) s
    WHERE s.__row = h.rowid AND ${changes}`);
  const before = `FROM ${history} h WHERE ${changes} AND h.stage IS NULL AND h.opportunity_id IS NOT NULL`;
  const [dropped] = await queryRows<{ n: number }>(conn, `SELECT count(*)::INTEGER AS n ${before}`);
  await conn.run(`DELETE FROM ${history} WHERE rowid IN (SELECT h.rowid ${before})`);
  return dropped!.n;
}
