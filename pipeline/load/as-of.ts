import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isIsoDate } from '../base/dates.ts';
import { WuweiError } from '../errors.ts';

/** A one-line file in an export folder that states the export's cut date (`wuwei generate` writes it). */
export const AS_OF_FILE = 'as_of.txt';

/**
 * The as-of date a load is stamped with: the `--as-of` option, else the cut the export states in
 * `as_of.txt` (in the export folder, or the folder of the first export file that has one), else
 * today (UTC), since a nightly export is cut the night it is loaded.
 */
export function resolveAsOf(source: string | string[], option: string | undefined, today: Date = new Date()): { asOf: string; from: 'option' | 'export' | 'today' } {
  if (option) return { asOf: checkDate(option, '--as-of'), from: 'option' };
  const folders = (Array.isArray(source) ? source : [source]).map((path) => (existsSync(path) && statSync(path).isFile() ? dirname(path) : path));
  const file = folders.map((folder) => join(folder, AS_OF_FILE)).find((candidate) => existsSync(candidate));
  if (file) return { asOf: checkDate(readFileSync(file, 'utf8').trim(), file), from: 'export' };
  return { asOf: today.toISOString().slice(0, 10), from: 'today' };
}

function checkDate(value: string, where: string): string {
  if (!isIsoDate(value)) {
    throw new WuweiError('bad_input', `${where}: not a date YYYY-MM-DD: '${value.slice(0, 40)}'`);
  }
  return value;
}
