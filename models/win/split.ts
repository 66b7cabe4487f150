/**
 * The time split: deals, not observations, are split by their close date, so that every
 * observation of a deal lands in one split and the model is judged on deals that closed after
 * every deal it learned from. Cuts fall between dates: deals closing on the same day stay together.
 *
 *   oldest close ............................................................ newest close
 *   |<------------- fit ------------->|<-- validation -->|<-------- holdout -------->|
 *   |<--------------- train (1 - holdoutFraction) ------>|<--- holdoutFraction ----->|
 */

export interface SplitPart {
  /** Row indices into the observation arrays, ascending. */
  rows: Int32Array;
  deals: number;
  wonDeals: number;
  lostDeals: number;
  /** First and last close day (days since 1970-01-01); +Infinity / -Infinity when empty. */
  fromDay: number;
  toDay: number;
}

export interface TimeSplit {
  fit: SplitPart;
  validation: SplitPart;
  holdout: SplitPart;
}

export interface SplitOptions {
  /** Share of deals (the most recently closed) held out to judge the model. */
  holdoutFraction: number;
  /** Share of the remaining training deals (the most recently closed) used for early stopping and calibration. */
  validationFraction: number;
}

export function splitByCloseDate(
  dealIds: readonly string[],
  closeDays: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: SplitOptions,
): TimeSplit {
  // one entry per deal: its close day and outcome (every observation of a deal shares both)
  const deals = new Map<string, { day: number; won: boolean }>();
  for (let i = 0; i < dealIds.length; i++) {
    if (!deals.has(dealIds[i]!)) deals.set(dealIds[i]!, { day: closeDays[i]!, won: labels[i] === 1 });
  }
  const days = [...deals.values()].map((deal) => deal.day).sort((a, b) => a - b);
  const holdoutFrom = cutDay(days, options.holdoutFraction);
  const trainDays = days.filter((day) => day < holdoutFrom);
  const validationFrom = cutDay(trainDays, options.validationFraction);

  const partOf = (day: number): 'fit' | 'validation' | 'holdout' =>
    day >= holdoutFrom ? 'holdout' : day >= validationFrom ? 'validation' : 'fit';
  const rows = { fit: [] as number[], validation: [] as number[], holdout: [] as number[] };
  for (let i = 0; i < dealIds.length; i++) rows[partOf(deals.get(dealIds[i]!)!.day)].push(i);

  const describe = (name: keyof typeof rows): SplitPart => {
    const own = [...deals.values()].filter((deal) => partOf(deal.day) === name);
    const wonDeals = own.filter((deal) => deal.won).length;
    return {
      rows: Int32Array.from(rows[name]),
      deals: own.length,
      wonDeals,
      lostDeals: own.length - wonDeals,
      fromDay: own.reduce((min, deal) => Math.min(min, deal.day), Number.POSITIVE_INFINITY),
      toDay: own.reduce((max, deal) => Math.max(max, deal.day), Number.NEGATIVE_INFINITY),
    };
  };
  return { fit: describe('fit'), validation: describe('validation'), holdout: describe('holdout') };
}

/** The close day from which the most recent `fraction` of deals start (sorted `days`, one per deal). */
function cutDay(days: number[], fraction: number): number {
  if (days.length === 0) return Number.POSITIVE_INFINITY;
  const count = Math.round(days.length * fraction);
  if (count <= 0) return Number.POSITIVE_INFINITY;
  return days[Math.max(0, days.length - count)]!;
}

/** Rows of two parts together (for "train" = fit + validation). */
export function joinParts(a: SplitPart, b: SplitPart): SplitPart {
  const rows = new Int32Array(a.rows.length + b.rows.length);
  rows.set(a.rows);
  rows.set(b.rows, a.rows.length);
  rows.sort();
  return {
    rows,
    deals: a.deals + b.deals,
    wonDeals: a.wonDeals + b.wonDeals,
    lostDeals: a.lostDeals + b.lostDeals,
    fromDay: Math.min(a.fromDay, b.fromDay),
    toDay: Math.max(a.toDay, b.toDay),
  };
}

/** A day number as an ISO date (YYYY-MM-DD), or null for an empty part. */
export function dayToIsoDate(day: number): string | null {
  return Number.isFinite(day) ? new Date(day * 86_400_000).toISOString().slice(0, 10) : null;
}
