/**
 * Bookings from deals not yet created at the as-of date: no open deal stands for them, yet some
 * close within the period. Their run rate is measured point in time on analog windows: the same
 * (as-of date, period) pair shifted back by whole periods (the as-of date kept as many days from the
 * period's start) until the shifted period has ended by the as-of date; in each analog, the won amount of deals created after the shifted as-of date and
 * closed in the shifted period. Per segment, the level is the least-squares line through the analogs
 * (by how many periods back each lies) read at the period itself, once there are at least
 * TREND_MIN_ANALOGS: such bookings grow as accounts become customers and win rates rise with their
 * history, so the analogs' plain mean (centred periods in the past) lags. The spread is the analogs'
 * standard deviation around that line.
 */
import { queryRows, quoteLiteral, type DuckDBConnection } from '../base/db.ts';
import type { Period } from '../base/periods.ts';
import { addDays, dayNumber } from '../base/dates.ts';

/** `iso` moved by `months` calendar months, the day clamped to the month's length. */
export function shiftMonths(iso: string, months: number): string {
  const year = Number(iso.slice(0, 4));
  const month = Number(iso.slice(5, 7)) - 1 + months;
  const day = Number(iso.slice(8, 10));
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return new Date(Date.UTC(year, month, Math.min(day, lastDay))).toISOString().slice(0, 10);
}

export interface AnalogWindow {
  period: number;
  /** How many periods back the analog lies (1 = the one just before). */
  lag: number;
  asOf: string;
  start: string;
  end: string;
}

/** Up to `lookback` analog windows per period, the most recent first; none if history is too short. */
export function analogWindows(asOf: string, periods: Period[], lookback: number, earliest: string): AnalogWindow[] {
  const windows: AnalogWindow[] = [];
  periods.forEach((period, index) => {
    const step = period.type === 'month' ? 1 : 3;
    let found = 0;
    for (let k = 1; found < lookback && k < 200; k++) {
      const start = shiftMonths(period.start, -k * step);
      const end = addDays(shiftMonths(period.start, -(k - 1) * step), -1);
      if (end > asOf) continue;
      // as far from the analog's start as the as-of date is from the period's: shifting the date by
      // months would clamp 06-30 to 03-30 and count a day of deals created before the analog's as-of
      const analogAsOf = addDays(start, dayNumber(asOf) - dayNumber(period.start));
      if (analogAsOf < earliest) break;
      windows.push({ period: index, lag: k, asOf: analogAsOf, start, end });
      found++;
    }
  });
  return windows;
}

/**
 * Mean and sd of the analogs' not-yet-created bookings per period x segment (index period *
 * segmentCount + segment). Needs `deal_closes` and `deal_segments` (./deal-facts.ts).
 */
export async function newDealRunRate(
  conn: DuckDBConnection,
  windows: AnalogWindow[],
  segmentIndex: Map<string, number>,
  periodCount: number,
): Promise<{ mean: Float64Array; sd: Float64Array; analogs: number[] }> {
  const cells = periodCount * segmentIndex.size;
  const mean = new Float64Array(cells);
  const sd = new Float64Array(cells);
  const analogs = new Array<number>(periodCount).fill(0);
  if (windows.length === 0) return { mean, sd, analogs };
  for (const window of windows) analogs[window.period]! += 1;

  const values = windows.map(
    (w, i) =>
      `(${w.period}, ${i}, DATE ${quoteLiteral(w.asOf)}, DATE ${quoteLiteral(w.start)}, DATE ${quoteLiteral(w.end)})`,
  );
  const rows = await queryRows<{ period: number; analog: number; segment_key: string; won: number }>(
    conn,
    `WITH windows(period, analog, as_of, start_date, end_date) AS (VALUES ${values.join(', ')})
     SELECT windows.period::INTEGER AS period, windows.analog::INTEGER AS analog,
            segments.segment_type || '|' || segments.segment AS segment_key, sum(closes.final_amount ORDER BY closes.opportunity_id)::DOUBLE AS won
     FROM windows
     JOIN deal_segments AS segments ON segments.created_date > windows.as_of
     JOIN deal_closes AS closes ON closes.opportunity_id = segments.opportunity_id
          AND closes.won AND closes.closed_on BETWEEN greatest(windows.start_date, windows.as_of + 1) AND windows.end_date
     GROUP BY ALL`,
  );
  // Each analog's bookings per cell (an analog with no such deal counts as 0).
  const byCell = new Map<number, Float64Array>();
  for (const row of rows) {
    const segment = segmentIndex.get(row.segment_key);
    if (segment === undefined) continue;
    const cell = row.period * segmentIndex.size + segment;
    if (!byCell.has(cell)) byCell.set(cell, new Float64Array(windows.length));
    byCell.get(cell)![row.analog] = row.won;
  }
  for (let period = 0; period < periodCount; period++) {
    const own = windows.flatMap((window, index) => (window.period === period ? [index] : []));
    const lags = own.map((index) => windows[index]!.lag);
    for (let segment = 0; segment < segmentIndex.size; segment++) {
      const cell = period * segmentIndex.size + segment;
      const cellValues = byCell.get(cell);
      if (!cellValues) continue;
      const level = levelAtLagZero(
        lags,
        own.map((index) => cellValues[index]!),
      );
      mean[cell] = level.value;
      sd[cell] = level.sd;
    }
  }
  return { mean, sd, analogs };
}

/** Fewest analogs a trend is fitted on; with fewer, the level is their mean. */
export const TREND_MIN_ANALOGS = 4;

/**
 * The level of `values` (one per analog, `lags` periods back) extrapolated to lag 0 by least squares
 * (never below 0), and the residuals' standard deviation; their mean and sd with fewer than
 * TREND_MIN_ANALOGS analogs or when all lie at one lag.
 */
export function levelAtLagZero(lags: readonly number[], values: readonly number[]): { value: number; sd: number } {
  const n = values.length;
  if (n === 0) return { value: 0, sd: 0 };
  const meanOf = (list: readonly number[]) => list.reduce((total, x) => total + x, 0) / list.length;
  const meanLag = meanOf(lags);
  const meanValue = meanOf(values);
  const spread = lags.reduce((total, lag) => total + (lag - meanLag) ** 2, 0);
  const trended = n >= TREND_MIN_ANALOGS && spread > 0;
  const slope = trended
    ? lags.reduce((total, lag, i) => total + (lag - meanLag) * (values[i]! - meanValue), 0) / spread
    : 0;
  const fitted = (lag: number) => meanValue + slope * (lag - meanLag);
  const freedom = n - (trended ? 2 : 1);
  const squares = values.reduce((total, value, i) => total + (value - fitted(lags[i]!)) ** 2, 0);
  return { value: Math.max(0, fitted(0)), sd: freedom > 0 ? Math.sqrt(squares / freedom) : 0 };
}
