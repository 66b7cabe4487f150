/**
 * What the forecast knows about every deal as of a date, as temporary tables: how and when it
 * closed (from its history stamped on or before the date only) and the segments it counts in.
 */
import { quoteLiteral, type DuckDBConnection } from '../base/db.ts';
import { DEFAULT_FEATURE_CONFIG } from '../features/config.ts';

/** Segment types a forecast is cut by; `all` is the company total. */
export const SEGMENT_TYPES = ['all', 'owner', 'team', 'region', 'product_line'] as const;
export type SegmentType = (typeof SEGMENT_TYPES)[number];

export interface ClosingStages {
  wonStages: readonly string[];
  lostStages: readonly string[];
}

export const DEFAULT_CLOSING_STAGES: ClosingStages = {
  wonStages: DEFAULT_FEATURE_CONFIG.wonStages,
  lostStages: DEFAULT_FEATURE_CONFIG.lostStages,
};

const list = (values: readonly string[]) => (values.length > 0 ? values.map(quoteLiteral).join(', ') : 'NULL');

/**
 * SQL of each deal's close on or before `asOf` (or ever, when `asOf` is null): its first closing change
 * after its last open one, as int_deal_closes.sql reads it, so that a deal reopened after a close is
 * open again. An open and a closing change on one date close the deal that day.
 */
export function dealClosesSql(asOf: string | null, stages: ClosingStages): string {
  const closing = list([...stages.wonStages, ...stages.lostStages]);
  return `
    SELECT opportunity_id,
           min(changed_at) AS closed_on,
           arg_min(stage IN (${list(stages.wonStages)}), changed_at) AS won,
           coalesce(arg_min(amount, changed_at), 0) AS final_amount
    FROM (
        SELECT *, max(changed_at) FILTER (WHERE stage NOT IN (${closing})) OVER (PARTITION BY opportunity_id) AS last_open_on
        FROM opportunity_history
        ${asOf ? `WHERE changed_at <= DATE ${quoteLiteral(asOf)}` : ''})
    WHERE stage IN (${closing}) AND (last_open_on IS NULL OR changed_at >= last_open_on)
    GROUP BY opportunity_id`;
}

/**
 * Creates `deal_closes` (closes known at `asOf`) and `deal_segments` (one row per deal created by
 * `asOf` and segment type). Segments come from attributes that do not change over a deal's life:
 * its owner, the owner's team, the account's region, the deal's product line.
 */
export async function createDealFacts(conn: DuckDBConnection, asOf: string, stages: ClosingStages): Promise<void> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE deal_closes AS ${dealClosesSql(asOf, stages)}`);
  await conn.run(`
    CREATE OR REPLACE TEMP TABLE deal_segments AS
    WITH deals AS (
        SELECT opportunities.opportunity_id, opportunities.created_date,
               coalesce(opportunities.owner_id, '(none)') AS owner,
               coalesce(users.team, '(none)') AS team,
               coalesce(accounts.region, '(none)') AS region,
               coalesce(opportunities.product_line, '(none)') AS product_line
        FROM opportunities
        LEFT JOIN users ON users.user_id = opportunities.owner_id
        LEFT JOIN accounts ON accounts.account_id = opportunities.account_id
        WHERE opportunities.created_date <= DATE ${quoteLiteral(asOf)})
    SELECT opportunity_id, created_date, segment_type, segment
    FROM deals
    CROSS JOIN LATERAL (VALUES ('all', 'all'), ('owner', owner), ('team', team), ('region', region), ('product_line', product_line)) AS s(segment_type, segment)`);
}
