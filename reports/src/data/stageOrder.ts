/**
 * The CRM's stages in funnel order (by their default probability, then by how early deals reach
 * them), closed stages apart: every pipeline chart lists stages the way a sales team says them.
 */
import { queryRows, type DuckDBConnection } from '../../../pipeline/base/db.ts';

export interface StageInfo {
  stage: string;
  probability: number;
  /** 1 for the first open stage; closed stages are not listed. */
  index: number;
}

export async function openStages(conn: DuckDBConnection): Promise<StageInfo[]> {
  const rows = await queryRows<{ stage: string; probability: number }>(
    conn,
    `SELECT stage, coalesce(median(probability), 0)::DOUBLE AS probability
     FROM opportunity_history
     WHERE stage NOT IN (SELECT DISTINCT stage FROM opportunities WHERE is_closed)
     GROUP BY stage
     ORDER BY probability, stage`,
  );
  return rows.map((row, i) => ({ ...row, index: i + 1 }));
}

/** SQL for "this stage is a closed one", from the deals' own flags rather than stage names. */
export const CLOSED_STAGES_SQL = `(SELECT DISTINCT stage FROM opportunities WHERE is_closed)`;
