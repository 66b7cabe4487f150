/**
 * The MCI allocation: the solver's assignment is the best one (checked by brute force on small seeded
 * cases), keeps capacity, kind and region, gives a move at most one person, and never gains less
 * than assigning by deal size.
 */
import { describe, expect, it } from 'vitest';
import { Random } from '../../pipeline/base/random.ts';
import {
  allocateByDealSize,
  allocateByGain,
  eligible,
  type AllocatableMove,
  type Assignment,
  type Person,
} from '../../pipeline/moves/allocation.ts';

const REGIONS = ['EMEA', 'APAC'];

function instance(seed: number): { people: Person[]; moves: AllocatableMove[] } {
  const random = new Random(seed);
  const people: Person[] = [
    { userId: 'E1', resource: 'executive', region: 'Global', capacity: random.int(1, 2) },
    { userId: 'S1', resource: 'solutions_engineer', region: 'EMEA', capacity: random.int(0, 2) },
    { userId: 'S2', resource: 'solutions_engineer', region: 'APAC', capacity: random.int(1, 2) },
  ];
  const moves: AllocatableMove[] = Array.from({ length: 7 }, (_, i) => ({
    moveId: `M${i}`,
    opportunityId: `O${i}`,
    resource: random.bernoulli(0.4) ? 'executive' : 'solutions_engineer',
    region: random.pick(REGIONS),
    gain: random.normal(1000, 800),
    // deal size and gain only loosely related, as the model finds them
    dealSize: random.uniform(1000, 100_000),
  }));
  return { people, moves };
}

function valid(people: Person[], moves: AllocatableMove[], assignments: Assignment[]): boolean {
  const byId = new Map(moves.map((m) => [m.moveId, m]));
  const load = new Map<string, number>();
  const seen = new Set<string>();
  for (const a of assignments) {
    const person = people.find((p) => p.userId === a.userId)!;
    if (!eligible(person, byId.get(a.moveId)!) || seen.has(a.moveId)) return false;
    seen.add(a.moveId);
    load.set(a.userId, (load.get(a.userId) ?? 0) + 1);
  }
  return people.every((p) => (load.get(p.userId) ?? 0) <= p.capacity);
}

const total = (moves: AllocatableMove[], assignments: Assignment[]) =>
  assignments.reduce((sum, a) => sum + Math.max(0, moves.find((m) => m.moveId === a.moveId)!.gain), 0);

/** Every way to give each move nobody or one eligible person: the best valid total. */
function bruteForce(people: Person[], moves: AllocatableMove[]): number {
  let best = 0;
  const walk = (i: number, chosen: Assignment[]) => {
    if (i === moves.length) {
      if (valid(people, moves, chosen)) best = Math.max(best, total(moves, chosen));
      return;
    }
    walk(i + 1, chosen);
    for (const person of people)
      if (eligible(person, moves[i]!)) walk(i + 1, [...chosen, { moveId: moves[i]!.moveId, userId: person.userId }]);
  };
  walk(0, []);
  return best;
}

describe('allocation under capacity', () => {
  it('finds the best assignment, valid, and at least as good as by deal size, on 20 seeded cases', () => {
    let strictlyBetter = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const { people, moves } = instance(seed);
      const optimal = allocateByGain(people, moves);
      const bySize = allocateByDealSize(people, moves);
      expect(valid(people, moves, optimal), `seed ${seed}`).toBe(true);
      expect(valid(people, moves, bySize), `seed ${seed}`).toBe(true);
      expect(total(moves, optimal)).toBeCloseTo(bruteForce(people, moves), 6);
      expect(total(moves, optimal)).toBeGreaterThanOrEqual(total(moves, bySize) - 1e-9);
      if (total(moves, optimal) > total(moves, bySize) + 1e-6) strictlyBetter++;
    }
    expect(strictlyBetter).toBeGreaterThan(5);
  });

  it('leaves out moves the model expects nothing from, and people without capacity', () => {
    const people: Person[] = [
      { userId: 'S1', resource: 'solutions_engineer', region: 'EMEA', capacity: 0 },
      { userId: 'S2', resource: 'solutions_engineer', region: null, capacity: 5 },
    ];
    const moves: AllocatableMove[] = [
      { moveId: 'A', opportunityId: 'O1', resource: 'solutions_engineer', region: 'EMEA', gain: -10, dealSize: 9e9 },
      { moveId: 'B', opportunityId: 'O2', resource: 'solutions_engineer', region: 'EMEA', gain: 10, dealSize: 1 },
    ];
    expect(allocateByGain(people, moves)).toEqual([{ moveId: 'B', userId: 'S2' }]);
  });
});
