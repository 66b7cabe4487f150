import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { queryRows, type DuckDBConnection } from '../base/db.ts';
import { isIsoDate } from '../base/dates.ts';
import { WuweiError } from '../base/errors.ts';

/** A one-line file in an export folder that states the export's cut date (`wuwei generate` writes it). */
export const AS_OF_FILE = 'as_of.txt';

/**
 * The as-of date a load is stamped with: the `--as-of` option, else the cut the export states in
 * `as_of.txt` (in the export folder, or the folder of the first export file that has one), else
 * today (UTC), since a nightly export is cut the night it is loaded.
 *
 * A date after tomorrow is refused: loaded once, it would make every real export after it "older
 * than the last snapshot". Tomorrow is allowed, for an export cut east of UTC.
 */
export function resolveAsOf(
  source: string | string[],
  option: string | undefined,
  today: Date = new Date(),
): { asOf: string; from: 'option' | 'export' | 'today' } {
  if (option) return { asOf: checkAsOf(option, '--as-of', today), from: 'option' };
  const folders = (Array.isArray(source) ? source : [source]).map((path) =>
    existsSync(path) && statSync(path).isFile() ? dirname(path) : path,
  );
  const file = folders.map((folder) => join(folder, AS_OF_FILE)).find((candidate) => existsSync(candidate));
  if (file) return { asOf: checkAsOf(readFileSync(file, 'utf8').trim(), file, today), from: 'export' };
  return { asOf: today.toISOString().slice(0, 10), from: 'today' };
}

function checkAsOf(value: string, where: string, today: Date): string {
  const date = checkDate(value, where);
  const tomorrow = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + 1))
    .toISOString()
    .slice(0, 10);
  if (date > tomorrow) {
    throw new WuweiError(
      'bad_input',
      `${where}: ${date} is in the future (after ${tomorrow}): an export cannot be cut after tonight; check the date`,
    );
  }
  return date;
}

/** A real calendar date YYYY-MM-DD (2026-02-31 is not one), else one line naming where it came from. */
export function checkDate(value: string, where: string): string {
  if (!isIsoDate(value)) {
    throw new WuweiError('bad_input', `${where}: not a date YYYY-MM-DD: '${value.slice(0, 40)}'`);
  }
  return value;
}

/**
 * Refuses an as-of date before every deal in the export: nothing in it existed yet on that date, so
 * the date is a mistake (a mistyped year, a wrong as_of.txt), not a cut of this export.
 */
export async function checkAsOfNotBeforeExport(conn: DuckDBConnection, asOf: string, source: string): Promise<void> {
  const [oldest] = await queryRows<{ created: string | null }>(
    conn,
    `SELECT strftime(min(created_date), '%Y-%m-%d') AS created FROM opportunities`,
  );
  if (oldest?.created && asOf < oldest.created) {
    throw new WuweiError(
      'bad_input',
      `${source}: the as-of date ${asOf} is before the export's oldest deal (created ${oldest.created}): check --as-of or as_of.txt; nothing was loaded`,
    );
  }
}
