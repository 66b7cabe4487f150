/**
 * ISO calendar dates (YYYY-MM-DD) as the pipeline passes them: checked strictly (2024-02-30 is no
 * date, though `Date.parse` rolls it into March) and counted in whole UTC days so that no time zone
 * can shift them.
 */
import { WuweiError } from './errors.ts';

const DAY_MS = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether `value` is a real calendar date written YYYY-MM-DD. */
export function isIsoDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day); // Date.UTC would read years 0-99 as 1900-1999
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** `value` when it is a real date YYYY-MM-DD; else a one-line user error naming `what` (e.g. `--as-of`). */
export function requireIsoDate(value: string, what: string): string {
  if (!isIsoDate(value)) throw new WuweiError('bad_option', `${what} must be a date YYYY-MM-DD, got '${value}'`);
  return value;
}

/** Days since 1970-01-01 of the date that starts `iso` (a timestamp's time is ignored). */
export function dayNumber(iso: string): number {
  return Math.round(Date.parse(`${iso.slice(0, 10)}T00:00:00Z`) / DAY_MS);
}

export function isoFromDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function addDays(iso: string, days: number): string {
  return isoFromDay(dayNumber(iso) + days);
}
