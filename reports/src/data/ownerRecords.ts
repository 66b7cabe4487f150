/**
 * Each deal owner's track record before the night: deals closed and won, counted from the loaded
 * history as the features stage counts them (int_deal_closes / int_owner_history: a deal closes on
 * its first change into a closed stage of `crm_stages`, and counts from that day on). The Deals page
 * says "Owner has won 12 of 30 closed deals" from these counts, not from the smoothed rate; null
 * when the run lacks the tables to count them.
 */
import { queryRows, type DuckDBConnection } from '../../../pipeline/base/db.ts';
import { hasTable } from './tables.ts';

export interface OwnerRecord {
  won: number;
  closed: number;
}

export async function ownerRecords(conn: DuckDBConnection, asOf: string): Promise<Map<string, OwnerRecord> | null> {
  if (!(await hasTable(conn, 'crm_stages')) || !(await hasTable(conn, 'opportunity_history'))) return null;
  const rows = await queryRows<OwnerRecord & { ownerId: string }>(
    conn,
    `WITH stages AS (
         SELECT stage, min(stage_index) AS stage_index, bool_or(is_closed) AS is_closed, bool_or(is_won) AS is_won
         FROM crm_stages GROUP BY stage
     ),
     -- only the moments a deal entered a closed stage can close it: the window sorts those, not the whole history
     closing AS (
         SELECT DISTINCT h.opportunity_id, h.changed_at
         FROM opportunity_history AS h JOIN stages AS s USING (stage) WHERE s.is_closed
     ),
     changes AS (
         SELECT h.opportunity_id, h.changed_at,
                coalesce(s.is_closed, false) AS is_closed, coalesce(s.is_won, false) AS is_won
         FROM opportunity_history AS h SEMI JOIN closing AS c USING (opportunity_id, changed_at)
         LEFT JOIN stages AS s USING (stage)
         QUALIFY row_number() OVER (
             PARTITION BY h.opportunity_id, h.changed_at ORDER BY s.stage_index DESC NULLS LAST) = 1
     ),
     closes AS (
         SELECT opportunity_id, min(changed_at) AS closed_on, arg_min(is_won, changed_at) AS won
         FROM changes WHERE is_closed GROUP BY opportunity_id
     )
     SELECT o.owner_id AS "ownerId", count(*)::INTEGER AS closed,
            count(*) FILTER (WHERE c.won)::INTEGER AS won
     FROM closes AS c JOIN opportunities AS o USING (opportunity_id)
     WHERE c.closed_on <= DATE '${asOf}'
     GROUP BY o.owner_id`,
  );
  return new Map(rows.map(({ ownerId, ...record }) => [ownerId, record]));
}
