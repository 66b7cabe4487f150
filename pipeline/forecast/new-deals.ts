/**
 * Bookings from deals not yet created at the as-of date: no open deal stands for them, yet some
 * close within the period. Their run rate is measured point in time on analog windows: the same
 * (as-of date, period) pair shifted back by whole periods until the shifted period has ended by the
 * as-of date; in each analog, the won amount of deals created after the shifted as-of date and
 * closed in the shifted period. Mean and standard deviation over the analogs, per segment.
 */
import { queryRows, quoteLiteral, type DuckDBConnection } from '../base/db.ts';
import type { Period } from '../base/periods.ts';
import { addDays } from '../base/dates.ts';

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
      const analogAsOf = shiftMonths(asOf, -k * step);
      if (analogAsOf < earliest) break;
      windows.push({ period: index, asOf: analogAsOf, start, end });
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
  // Sums per cell over analogs (an analog with no such deal counts as 0).
  const sum = new Float64Array(cells);
  const sumSquares = new Float64Array(cells);
  for (const row of rows) {
    const segment = segmentIndex.get(row.segment_key);
    if (segment === undefined) continue;
    const cell = row.period * segmentIndex.size + segment;
    sum[cell]! += row.won;
    sumSquares[cell]! += row.won * row.won;
  }
  for (let cell = 0; cell < cells; cell++) {
    const n = analogs[Math.floor(cell / segmentIndex.size)]!;
    if (n === 0) continue;
    mean[cell] = sum[cell]! / n;
    sd[cell] = n > 1 ? Math.sqrt(Math.max(0, (sumSquares[cell]! - n * mean[cell]! * mean[cell]!) / (n - 1))) : 0;
  }
  return { mean, sd, analogs };
}
