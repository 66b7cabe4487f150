/**
 * The shapes a real CRM export comes in (`wuwei generate --shape`), and amounts reps leave at 0 or
 * empty. The simulation is the same for every shape; only what is written differs:
 *   - history:   the export and its opportunity_history.csv (every stage, amount and close-date change);
 *   - snapshots: one folder per night (`<out>/<YYYY-MM-DD>/`), each the export as it stood that night,
 *                without a history file: `wuwei load` run on them oldest first derives the history;
 *   - flat:      the export without a history file: a plain report of opportunities as they stand.
 */
import { Random } from '../base/random.ts';

export const EXPORT_SHAPES = ['history', 'snapshots', 'flat'] as const;
export type ExportShape = (typeof EXPORT_SHAPES)[number];

export const DEFAULT_SNAPSHOTS = { count: 8, everyDays: 7 } as const;

/** The cut days of the folders to write, oldest first; the last is the export's as-of date. */
export function cutDaysOf(
  shape: ExportShape,
  asOfDay: number,
  snapshots: { count: number; everyDays: number } = DEFAULT_SNAPSHOTS,
): number[] {
  if (shape !== 'snapshots') return [asOfDay];
  return Array.from({ length: snapshots.count }, (_, i) => asOfDay - (snapshots.count - 1 - i) * snapshots.everyDays);
}

/** How a deal's amount is shown: as entered, 0, or empty (two in three hidden amounts are 0). */
export type ZeroAmount = 'shown' | 'zero' | 'missing';

/** Draws, per deal, whether the rep left its amount at 0 or empty, from a stream apart from the simulation's. */
export class ZeroAmounts {
  private readonly random: Random;

  constructor(
    seed: number,
    private readonly share: number,
  ) {
    this.random = new Random(seed * 6007 + 15_485_863);
  }

  draw(): ZeroAmount {
    if (!(this.share > 0)) return 'shown';
    if (!this.random.bernoulli(this.share)) return 'shown';
    return this.random.bernoulli(2 / 3) ? 'zero' : 'missing';
  }
}
