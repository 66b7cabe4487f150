/**
 * Inverse-probability-of-censoring weights. The model learns from deals closed by the end of its
 * split, T; a deal created c days before T is there only if it closed within c days. So a deal that
 * took D days is in the history only when it was created at least D days before T, and long deals
 * (the wins: on generated data won deals take ~84 days, lost ones ~55) are under-represented among
 * the recently created: the history looks more lost than the deals open today will turn out.
 *
 * From the creation dates of every deal known at the cut (closed and open), G(D) is the share of
 * the deals created by T that were created at least D days before it: the chance that a deal
 * lasting D days had closed by T. Weighing each of a closed deal's observations by 1 / G(D) makes
 * the closed history stand for every deal created by T, as if all had finished. Point in time:
 * only creation dates and durations known at the cut. The weight is capped (MIN_CLOSED_SHARE).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows, quoteIdent, tableColumns, tableExists } from '../../pipeline/base/db.ts';
import type { ClosedObservations } from './data.ts';

/** The feature that gives a deal's creation date: as_of minus it. */
export const DEAL_AGE_FEATURE = 'pbm_timing_deal_age_days';
/** G below this counts as this: no deal weighs more than 1 / MIN_CLOSED_SHARE. */
export const MIN_CLOSED_SHARE = 0.25;

/**
 * Creation day (days since 1970-01-01) of every deal in the given feature tables, ascending: the
 * closed deals of the training table and the open ones of the scoring table. Tables lacking the
 * age column are skipped.
 */
export async function readCreationDays(conn: DuckDBConnection, tables: readonly string[]): Promise<Float64Array> {
  const parts: string[] = [];
  for (const table of tables) {
    if (!(await tableExists(conn, table))) continue;
    if (!(await tableColumns(conn, table)).includes(DEAL_AGE_FEATURE)) continue;
    parts.push(
      `SELECT opportunity_id, date_diff('day', DATE '1970-01-01', as_of) - ${quoteIdent(DEAL_AGE_FEATURE)} AS day
       FROM ${quoteIdent(table)} WHERE ${quoteIdent(DEAL_AGE_FEATURE)} IS NOT NULL`,
    );
  }
  if (parts.length === 0) return new Float64Array(0);
  const rows = await queryRows<{ day: number }>(
    conn,
    `SELECT min(day)::DOUBLE AS day FROM (${parts.join(' UNION ALL ')}) GROUP BY opportunity_id ORDER BY day`,
  );
  return Float64Array.from(rows, (row) => row.day);
}

/**
 * One weight per row, 1 / G(D) for the row's deal with G taken at `referenceDay(row)` (the last close
 * day of the row's split); 1 for every row when the creation dates are unknown. Not normalised.
 */
export function censoringWeights(
  data: ClosedObservations,
  createdDays: Float64Array,
  referenceDay: (row: number) => number,
): Float32Array {
  const n = data.rowCount;
  const weights = new Float32Array(n).fill(1);
  const age = data.features[data.featureNames.indexOf(DEAL_AGE_FEATURE)];
  if (createdDays.length === 0 || age === undefined) return weights;
  // each deal's creation: the earliest as_of - age over its rows (rows of a deal are consecutive)
  let start = 0;
  for (let i = 0; i <= n; i++) {
    if (i < n && data.opportunityIds[i] === data.opportunityIds[start]) continue;
    let created = Number.POSITIVE_INFINITY;
    for (let r = start; r < i; r++) {
      const asOf = data.closeDays[r]! - data.daysToClose[r]!;
      if (Number.isFinite(age[r]!)) created = Math.min(created, asOf - age[r]!);
    }
    if (Number.isFinite(created)) {
      const reference = referenceDay(start);
      const closedShare = shareCreatedBy(createdDays, reference - (data.closeDays[start]! - created), reference);
      const weight = 1 / Math.max(MIN_CLOSED_SHARE, closedShare);
      for (let r = start; r < i; r++) weights[r] = weight;
    }
    start = i;
  }
  return weights;
}

/** Of the deals created by `reference`, the share created by `day` (sorted `createdDays`). */
function shareCreatedBy(createdDays: Float64Array, day: number, reference: number): number {
  const byReference = countAtMost(createdDays, reference);
  return byReference > 0 ? countAtMost(createdDays, day) / byReference : 1;
}

/** How many of the sorted values are at most `value`. */
function countAtMost(sorted: Float64Array, value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (sorted[mid]! <= value) low = mid + 1;
    else high = mid;
  }
  return low;
}
