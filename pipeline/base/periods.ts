/**
 * Reporting periods: calendar months and fiscal quarters (the fiscal year starts in a configurable
 * month), read by scoring (slip risk), the forecast and the backtest alike.
 */
import { addDays } from './dates.ts';

export type PeriodType = 'month' | 'quarter';

export interface Period {
  type: PeriodType;
  /** First and last day, inclusive. */
  start: string;
  end: string;
  /** e.g. 2026-07 or FY2026 Q3 (a fiscal year is named by the calendar year it starts in). */
  label: string;
}

/** First day of the month `months` after the month of `iso`. */
function monthStart(year: number, monthIndex: number): string {
  return new Date(Date.UTC(year, monthIndex, 1)).toISOString().slice(0, 10);
}

export function monthContaining(iso: string, offset = 0): Period {
  const year = Number(iso.slice(0, 4));
  const month = Number(iso.slice(5, 7)) - 1 + offset;
  const start = monthStart(year, month);
  return { type: 'month', start, end: addDays(monthStart(year, month + 1), -1), label: start.slice(0, 7) };
}

/** The fiscal quarter holding `iso`, or the one `offset` quarters after it. */
export function quarterContaining(iso: string, fiscalYearStartMonth: number, offset = 0): Period {
  const year = Number(iso.slice(0, 4));
  const month = Number(iso.slice(5, 7)) - 1;
  const startIndex = fiscalYearStartMonth - 1;
  const monthsIntoYear = (((month - startIndex) % 12) + 12) % 12;
  const quarterStartMonth = month - (monthsIntoYear % 3) + 3 * offset;
  const start = monthStart(year, quarterStartMonth);
  const end = addDays(monthStart(year, quarterStartMonth + 3), -1);
  const startYear = Number(start.slice(0, 4));
  const startMonth = Number(start.slice(5, 7)) - 1;
  const fiscalYear = startMonth >= startIndex ? startYear : startYear - 1;
  const quarter = Math.floor(((((startMonth - startIndex) % 12) + 12) % 12) / 3) + 1;
  return { type: 'quarter', start, end, label: `FY${fiscalYear} Q${quarter}` };
}

export function periodContaining(iso: string, type: PeriodType, fiscalYearStartMonth: number, offset = 0): Period {
  return type === 'month' ? monthContaining(iso, offset) : quarterContaining(iso, fiscalYearStartMonth, offset);
}

/** The periods a forecast covers: the current month and quarter and the next ones. */
export function forecastPeriods(
  asOf: string,
  options: { months: number; quarters: number; fiscalYearStartMonth: number },
): Period[] {
  const periods: Period[] = [];
  for (let i = 0; i < options.months; i++) periods.push(monthContaining(asOf, i));
  for (let i = 0; i < options.quarters; i++) periods.push(quarterContaining(asOf, options.fiscalYearStartMonth, i));
  return periods;
}
