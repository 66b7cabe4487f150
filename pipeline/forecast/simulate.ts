/**
 * Seeded Monte Carlo of the open deals' outcomes, in typed arrays so 100k deals stay fast: in each
 * draw every deal is won with its win probability (times a level factor shared by all deals in the
 * draw) and, if won, closes on a day drawn from its
 * log-normal close timing; its expected amount then counts in every period holding that day, in
 * each of its segments. Bookings from deals not yet created add a normal draw (floored at 0) per
 * period and segment. The result is each period x segment's P10, P50 and P90.
 */
import { Random } from '../random.ts';

export interface SimulationInput {
  /** Per deal. */
  winProbability: ArrayLike<number>;
  amount: ArrayLike<number>;
  closeMedianDays: ArrayLike<number>;
  closeLogSigma: ArrayLike<number>;
  /** Per deal, its segment index for each segment type: deal i's are at [i * segmentsPerDeal, (i + 1) * segmentsPerDeal). */
  dealSegments: Int32Array;
  segmentsPerDeal: number;
  segmentCount: number;
  /** Periods as inclusive day ranges after the as-of date (fromDay >= 1). */
  periods: { fromDay: number; toDay: number }[];
  /** Per period x segment (index period * segmentCount + segment): already won, and the not-yet-created deals' mean and sd. */
  base: Float64Array;
  newMean: Float64Array;
  newSd: Float64Array;
  /**
   * Shared uncertainty of the win-probability level: each draw scales every deal's probability by
   * exp(N(0, levelSigma)), so deals move together as they do when the model's level is off.
   */
  levelSigma: number;
  simulations: number;
  seed: number;
}

export interface SimulationResult {
  /** Per period x segment. */
  p10: Float64Array;
  p50: Float64Array;
  p90: Float64Array;
}

export function simulateBookings(input: SimulationInput): SimulationResult {
  const { simulations: n, segmentCount, segmentsPerDeal, periods } = input;
  const cells = periods.length * segmentCount;
  const totals = new Float64Array(cells * n);
  const random = new Random(input.seed);

  // Periods holding each day after the as-of date, as a flat list per day.
  const lastDay = periods.reduce((max, p) => Math.max(max, p.toDay), 0);
  const dayStart = new Int32Array(lastDay + 2);
  const dayPeriods: number[] = [];
  for (let day = 1; day <= lastDay; day++) {
    dayStart[day] = dayPeriods.length;
    periods.forEach((p, k) => {
      if (day >= p.fromDay && day <= p.toDay) dayPeriods.push(k);
    });
  }
  dayStart[lastDay + 1] = dayPeriods.length;
  const periodsOfDay = Int32Array.from(dayPeriods);

  const deals = input.winProbability.length;
  for (let s = 0; s < n; s++) {
    const level = input.levelSigma > 0 ? Math.exp(input.levelSigma * random.normal()) : 1;
    for (let i = 0; i < deals; i++) {
      if (random.next() >= input.winProbability[i]! * level) continue;
      const day = Math.ceil(input.closeMedianDays[i]! * Math.exp(input.closeLogSigma[i]! * random.normal()));
      if (day < 1 || day > lastDay) continue;
      const amount = input.amount[i]!;
      for (let q = dayStart[day]!; q < dayStart[day + 1]!; q++) {
        const k = periodsOfDay[q]!;
        for (let g = 0; g < segmentsPerDeal; g++) {
          const at = (k * segmentCount + input.dealSegments[i * segmentsPerDeal + g]!) * n + s;
          totals[at] = totals[at]! + amount;
        }
      }
    }
  }

  const p10 = new Float64Array(cells);
  const p50 = new Float64Array(cells);
  const p90 = new Float64Array(cells);
  for (let cell = 0; cell < cells; cell++) {
    const draws = totals.subarray(cell * n, (cell + 1) * n);
    const mean = input.newMean[cell]!;
    const sd = input.newSd[cell]!;
    for (let s = 0; s < n; s++) {
      draws[s] = draws[s]! + input.base[cell]! + (mean > 0 || sd > 0 ? Math.max(0, random.normal(mean, sd)) : 0);
    }
    draws.sort();
    p10[cell] = quantile(draws, 0.1);
    p50[cell] = quantile(draws, 0.5);
    p90[cell] = quantile(draws, 0.9);
  }
  return { p10, p50, p90 };
}

/** The nearest-rank quantile of sorted values: the smallest value with at least `q` of the values at or below it. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil(q * sorted.length - 1e-9));
  return sorted[rank - 1]!;
}
