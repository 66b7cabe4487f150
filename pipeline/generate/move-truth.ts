/**
 * The truth about moves (pipeline/moves/): what engaging a buying-group role, bringing in our
 * executive sponsor or a solutions engineer, or re-engaging a quiet key person really does to a
 * deal's win probability in the simulated world. A deal's propensity z is fixed at creation and
 * already counts every role and the sponsor it engages during its whole life (process.ts), so a
 * move adds an effect only when the deal would never have had it: engaging a role the deal never
 * engages adds that role's effect; a sponsor adds `Z.sponsorEffect` unless one comes anyway.
 * Solutions engineers and re-engaging a quiet contact change nothing in this world: activity is a
 * symptom of relationship quality, not its cause. Written as ground_truth_moves.csv beside
 * ground_truth.csv; the pipeline never reads it.
 */
import { trueWinProbability, type SimulatedDeal } from './deal.ts';
import { BUYING_ROLES, Z } from './process.ts';

/** What a move does, as the truth sees it: a buying-group role engaged, or one of our people brought in. */
export type TruthMove =
  | { role: (typeof BUYING_ROLES)[number]['role'] }
  | { kind: 'executive_sponsor' | 'solutions_engineer' | 'reengage' };

/** The moves the truth file lists for each open deal, keyed as pipeline/moves/ names them (`truth_key`). */
export const TRUTH_MOVES: readonly { key: string; move: TruthMove }[] = [
  ...BUYING_ROLES.map((spec) => ({ key: spec.role, move: { role: spec.role } })),
  { key: 'executive_sponsor', move: { kind: 'executive_sponsor' } },
  { key: 'solutions_engineer', move: { kind: 'solutions_engineer' } },
  { key: 'reengage', move: { kind: 'reengage' } },
];

export const MOVE_TRUTH_COLUMNS = ['opportunity_id', 'move', 'true_win_probability', 'true_win_probability_after'];

/** The change in z the move makes to this deal (0 when the deal gets it anyway, or the move has no effect). */
export function trueMoveEffect(deal: SimulatedDeal, move: TruthMove): number {
  if ('role' in move) {
    if (deal.roles.some((r) => r.role === move.role)) return 0;
    return BUYING_ROLES.find((spec) => spec.role === move.role)!.effect;
  }
  if (move.kind === 'executive_sponsor') return deal.hasSponsor ? 0 : Z.sponsorEffect;
  return 0;
}

/** The deal's true win probability at the start of `day` if the move is made then. */
export function trueWinProbabilityWithMove(deal: SimulatedDeal, day: number, move: TruthMove): number {
  const effect = trueMoveEffect(deal, move);
  return effect === 0 ? trueWinProbability(deal, day) : trueWinProbability({ ...deal, z: deal.z + effect }, day);
}

/** The truth file's rows for one deal open at the cut: one per move, before and after. */
export function moveTruthRows(deal: SimulatedDeal, day: number): string[][] {
  const before = trueWinProbability(deal, day).toFixed(6);
  return TRUTH_MOVES.map(({ key, move }) => [
    deal.id,
    key,
    before,
    trueWinProbabilityWithMove(deal, day, move).toFixed(6),
  ]);
}
