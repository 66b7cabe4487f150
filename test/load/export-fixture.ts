import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { queryRows, type DuckDBConnection } from '../../pipeline/base/db.ts';

/** Writes a small hand-made export: one CSV per entity, given as its text (header line first). */
export function writeExport(dir: string, files: Record<string, string>): string {
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, `${name}.csv`), text);
  return dir;
}

export const HEADERS = {
  accounts: 'account_id,name,industry,region,segment,employees,annual_revenue,owner_id,created_date',
  users: 'user_id,name,title,role,team,region,manager_id,hire_date',
  contacts: 'contact_id,account_id,first_name,last_name,email,title,seniority,department,created_date',
  opportunities:
    'opportunity_id,account_id,owner_id,name,type,lead_source,product_line,currency,created_date,close_date,stage,probability,forecast_category,is_closed,is_won,amount',
  opportunity_history: 'opportunity_id,changed_at,stage,amount,close_date,probability,forecast_category',
  activities: 'activity_id,account_id,opportunity_id,type,direction,occurred_at,duration_minutes',
  activity_participants: 'activity_id,participant_type,participant_id',
} as const;

/** Lines joined under a header, with the trailing newline an export has. */
export function csv(header: string, ...rows: string[]): string {
  return `${[header, ...rows].join('\n')}\n`;
}

/** Every base table of the database with its rows in a stable order: to prove a failed load changed nothing. */
export async function databaseContents(conn: DuckDBConnection): Promise<Record<string, string>> {
  const tables = await queryRows<{ name: string }>(
    conn,
    `SELECT table_name AS name FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND table_schema = 'main' ORDER BY 1`,
  );
  const contents: Record<string, string> = {};
  for (const { name } of tables) {
    const rows = await queryRows(conn, `SELECT * FROM "${name}" ORDER BY ALL`);
    contents[name] = JSON.stringify(rows, (_key, value) => (typeof value === 'bigint' ? value.toString() : value));
  }
  return contents;
}
