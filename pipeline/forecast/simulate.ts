/**
 * Seeded Monte Carlo of the open deals' outcomes, in typed arrays so 100k deals stay fast: in each
 * draw every deal is won with its win probability (times a level factor shared by all deals in the
 * draw) and, if won, closes in one of the day buckets the periods cut the horizon into, drawn from
 * its log-normal close timing; its expected amount then counts in every period holding that
 * bucket, in each of its segments. Bookings from deals not yet created add a normal draw (floored at 0) per
 * period and segment. The result is each period x segment's P10, P50 and P90.
 */
import { Random } from '../base/random.ts';
import { probabilityCloseBetween } from '../outlook/close-timing.ts';

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

  // The periods cut the days after the as-of date into disjoint buckets; each bucket lies in a
  // fixed set of periods (a day in July counts for July and for Q3).
  const edges = [...new Set(periods.flatMap((p) => [p.fromDay, p.toDay + 1]))].sort((a, b) => a - b);
  const buckets = edges.slice(0, -1).map((from, j) => ({ from, to: edges[j + 1]! - 1 }));
  const periodsOfBucket = buckets.map((b) =>
    periods.flatMap((p, k) => (b.from >= p.fromDay && b.to <= p.toDay ? [k] : [])),
  );
  const bucketCount = buckets.length;
  // Flat: bucket j's period rows (period * segmentCount) are bucketRows[bucketStart[j]..bucketStart[j + 1]).
  const bucketStart = new Int32Array(bucketCount + 1);
  for (const [j, list] of periodsOfBucket.entries()) bucketStart[j + 1] = bucketStart[j]! + list.length;
  const bucketRows = Int32Array.from(periodsOfBucket.flat().map((k) => k * segmentCount));

  // Each deal's cumulative chance of closing by the end of each bucket (if won).
  const deals = input.winProbability.length;
  const closeBy = new Float64Array(deals * bucketCount);
  for (let i = 0; i < deals; i++) {
    let cumulative = 0;
    for (let j = 0; j < bucketCount; j++) {
      cumulative += probabilityCloseBetween(
        input.closeMedianDays[i]!,
        input.closeLogSigma[i]!,
        buckets[j]!.from,
        buckets[j]!.to,
      );
      closeBy[i * bucketCount + j] = cumulative;
    }
  }

  // Typed copies keep the hot loop monomorphic.
  const probability = Float64Array.from(input.winProbability);
  const amount = Float64Array.from(input.amount);
  const dealSegments = input.dealSegments;

  // One draw's totals per cell stay small enough for the cache; they are copied out after each draw.
  const draw = new Float64Array(cells);
  for (let s = 0; s < n; s++) {
    draw.fill(0);
    const level = input.levelSigma > 0 ? Math.exp(input.levelSigma * random.normal()) : 1;
    for (let i = 0; i < deals; i++) {
      if (random.next() >= probability[i]! * level) continue;
      const u = random.next();
      const base = i * bucketCount;
      let j = 0;
      while (j < bucketCount && u >= closeBy[base + j]!) j++;
      if (j === bucketCount) continue; // closes after the last period
      const value = amount[i]!;
      const segmentsAt = i * segmentsPerDeal;
      for (let q = bucketStart[j]!; q < bucketStart[j + 1]!; q++) {
        const row = bucketRows[q]!;
        for (let g = 0; g < segmentsPerDeal; g++) {
          const at = row + dealSegments[segmentsAt + g]!;
          draw[at] = draw[at]! + value;
        }
      }
    }
    for (let cell = 0; cell < cells; cell++) totals[cell * n + s] = draw[cell]!;
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
