/**
 * `stage_spells`: every deal's time in each stage up to the night. Consecutive history rows in the
 * same stage are one spell (amount edits do not restart it); a spell not yet left has no `left_at`.
 * The pipeline page reads it twice (time in stage against won-deal norms, the funnel).
 *
 * One SQL definition, two readers: the score stage writes it (1M deals: two windows over
 * the whole history, ~1 s the page no longer spends), and the page runs the same SQL itself when
 * the table is absent or stale.
 */
import { quoteLiteral } from '../base/db.ts';

export const STAGE_SPELLS = 'stage_spells';

/** The rows of `stage_spells` as of `asOf`. */
export function stageSpellsSql(asOf: string): string {
  return `
    WITH changes AS (
        SELECT opportunity_id, changed_at::DATE AS changed_at, stage,
               lag(stage) OVER (PARTITION BY opportunity_id ORDER BY changed_at, stage) AS previous_stage
        FROM opportunity_history WHERE changed_at < DATE ${quoteLiteral(asOf)} + 1
    ),
    entries AS (SELECT opportunity_id, changed_at AS entered, stage FROM changes WHERE previous_stage IS DISTINCT FROM stage)
    SELECT opportunity_id, stage, entered,
           lead(entered) OVER (PARTITION BY opportunity_id ORDER BY entered, stage) AS left_at
    FROM entries`;
}
