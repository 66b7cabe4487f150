/**
 * The moves as files beside scores.csv: `next_moves.csv` (each open deal's best moves by the model's
 * expected-value gain) every night, and for each CRM of `writeback.formats` a task import file of
 * this week's tasks: each allocated executive's and solutions engineer's moves, and each deal's best
 * move its owner can make. Identifiers only, as the score write-back.
 */
import { join } from 'node:path';
import { quoteLiteral, type DuckDBConnection } from '../base/db.ts';
import { copyToSafeCsv } from '../base/spreadsheet-safe-csv.ts';
import type { WritebackFormat } from '../score/writeback-formats.ts';

export const NEXT_MOVES_FILE = 'next_moves.csv';

/** Task import files, one per CRM, each defined column by column as SQL over the week's tasks. */
export const TASK_FILES: Record<'salesforce' | 'dynamics' | 'hubspot', { file: string; columns: [string, string][] }> =
  {
    salesforce: {
      file: 'tasks_salesforce.csv',
      columns: [
        ['WhatId', 'opportunity_id'],
        ['WhoId', "coalesce(contact_id, '')"],
        ['OwnerId', 'user_id'],
        ['Subject', "left('Wuwei: ' || description, 255)"],
        ['Description', 'details'],
        ['ActivityDate', 'due_date'],
        ['Status', "'Not Started'"],
        ['Priority', "CASE WHEN priority = 'high' THEN 'High' ELSE 'Normal' END"],
      ],
    },
    dynamics: {
      file: 'tasks_dynamics.csv',
      columns: [
        ['subject', "left('Wuwei: ' || description, 200)"],
        ['description', 'details'],
        ['regardingobjectid', 'opportunity_id'],
        ['regardingobjecttypecode', "'opportunity'"],
        ['ownerid', 'user_id'],
        ['scheduledend', 'due_date'],
        ['prioritycode', "CASE WHEN priority = 'high' THEN 2 ELSE 1 END"],
      ],
    },
    hubspot: {
      file: 'tasks_hubspot.csv',
      columns: [
        ['Task Title', "left('Wuwei: ' || description, 255)"],
        ['Notes', 'details'],
        ['Due Date', 'due_date'],
        ['Priority', "CASE WHEN priority = 'high' THEN 'HIGH' ELSE 'MEDIUM' END"],
        ['Task Type', "'TODO'"],
        ['Assigned To', 'user_id'],
        ['Deal ID', 'opportunity_id'],
        ['Contact ID', "coalesce(contact_id, '')"],
      ],
    },
  };

/** This week's tasks: the optimal allocation's moves and each deal's best owner move that the model expects to help. */
export function weekTasksSql(asOf: string): string {
  const night = `DATE ${quoteLiteral(asOf)}`;
  return `
    WITH moves AS (SELECT * FROM next_moves WHERE as_of = ${night}),
    allocated AS (
        SELECT moves.*, allocation.user_id FROM moves
        JOIN move_allocation AS allocation ON allocation.as_of = moves.as_of AND allocation.move_id = moves.move_id AND allocation.method = 'optimal'
    ),
    owners AS (
        SELECT moves.*, moves.owner_id AS user_id FROM moves
        WHERE moves.resource IS NULL AND moves.delta_expected_value > 0
        QUALIFY row_number() OVER (PARTITION BY moves.opportunity_id ORDER BY moves.delta_expected_value DESC, moves.move_id) = 1
    ),
    tasks AS (SELECT * FROM allocated UNION ALL SELECT * FROM owners)
    SELECT opportunity_id, contact_id, user_id, description,
           printf('What the model expects if this happens: win probability %.0f%% -> %.0f%%, expected value %+.0f. Move %s.',
                  100 * win_probability, 100 * win_probability_after, delta_expected_value, move_id) AS details,
           (${night} + 7)::DATE AS due_date,
           CASE WHEN delta_expected_value >= quantile_cont(delta_expected_value, 0.9) OVER () THEN 'high' ELSE 'normal' END AS priority
    FROM tasks
    ORDER BY delta_expected_value DESC, move_id`;
}

/** Writes next_moves.csv and the task files of the configured CRMs; returns the paths written. */
export async function writeMoveFiles(
  conn: DuckDBConnection,
  options: { asOf: string; outDir: string; perDeal: number; formats: readonly WritebackFormat[] },
): Promise<string[]> {
  const night = `DATE ${quoteLiteral(options.asOf)}`;
  const csv = join(options.outDir, NEXT_MOVES_FILE);
  await copyToSafeCsv(
    conn,
    `SELECT opportunity_id, rank_in_deal, move_kind, role, contact_id, via_user_id, round(tie_strength, 3) AS tie_strength, last_interaction, resource,
            round(win_probability, 6) AS win_probability, round(win_probability_after, 6) AS win_probability_after,
            round(delta_win_probability, 6) AS delta_win_probability, round(expected_value, 2) AS expected_value,
            round(delta_expected_value, 2) AS delta_expected_value, description, move_id
     FROM next_moves WHERE as_of = ${night} AND rank_in_deal <= ${Math.trunc(options.perDeal)}
     ORDER BY opportunity_id, rank_in_deal`,
    csv,
  );
  const files = [csv];
  for (const format of options.formats) {
    if (format === 'parquet') continue;
    const spec = TASK_FILES[format];
    const path = join(options.outDir, spec.file);
    const select = spec.columns.map(([name, sql]) => `${sql} AS "${name}"`).join(', ');
    await copyToSafeCsv(conn, `SELECT ${select} FROM (${weekTasksSql(options.asOf)})`, path);
    files.push(path);
  }
  return files;
}
