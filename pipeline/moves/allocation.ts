/**
 * MCI: our scarce people (executives, solutions engineers) on the moves worth most. Each person has a
 * weekly capacity (the config's, else their own average of deals touched per week over the last 13
 * weeks); a move gets at most one person, of the kind it needs, from its region (or a global one).
 * Maximising the summed expected-value gain is an assignment problem whose linear programme has
 * integral optima, solved exactly by javascript-lp-solver. Assigning by deal size alone, the rule
 * of thumb, is computed beside it for comparison.
 */
import lpSolver, { type SolverAPI } from 'javascript-lp-solver';
import { queryRows, quoteLiteral, type DuckDBConnection } from '../base/db.ts';
import type { Resource } from './candidates.ts';

export interface Person {
  userId: string;
  resource: Resource;
  /** null or 'Global': may serve any region. */
  region: string | null;
  capacity: number;
}

export interface AllocatableMove {
  moveId: string;
  opportunityId: string;
  resource: Resource;
  region: string | null;
  /** The model's expected-value gain if the move is made. */
  gain: number;
  /** What the by-deal-size rule ranks by. */
  dealSize: number;
}

export interface Assignment {
  moveId: string;
  userId: string;
}

const WEEKS_OF_HISTORY = 13;
// Node loads the package's ES module, whose default export is the solver; its types are read as CommonJS
// under NodeNext (the default is then the module object), hence the one cast.
const solver = lpSolver as unknown as SolverAPI;

/** Can this person make this move (kind and region)? */
export function eligible(person: Person, move: AllocatableMove): boolean {
  return (
    person.resource === move.resource &&
    (person.region === null || person.region === 'Global' || person.region === move.region)
  );
}

/** The assignment with the largest summed gain (moves with no gain are left out). */
export function allocateByGain(people: Person[], moves: AllocatableMove[]): Assignment[] {
  const worth = moves.filter((move) => move.gain > 0);
  const variables: Record<string, Record<string, number>> = {};
  const constraints: Record<string, { max: number }> = {};
  const pairs = new Map<string, Assignment>();
  worth.forEach((move, m) => {
    constraints[`m${m}`] = { max: 1 };
    people.forEach((person, p) => {
      if (!eligible(person, move) || person.capacity <= 0) return;
      const name = `x${p}_${m}`;
      variables[name] = { gain: move.gain, [`m${m}`]: 1, [`p${p}`]: 1 };
      pairs.set(name, { moveId: move.moveId, userId: person.userId });
    });
  });
  for (const [p, person] of people.entries()) constraints[`p${p}`] = { max: person.capacity };
  if (pairs.size === 0) return [];
  const ints = Object.fromEntries([...pairs.keys()].map((name) => [name, true]));
  const result = solver.Solve({ optimize: 'gain', opType: 'max', constraints, variables, ints }) as Record<
    string,
    unknown
  >;
  if (!result['feasible'])
    throw new Error('the allocation programme is infeasible, which an assignment with upper bounds cannot be');
  return [...pairs].filter(([name]) => Number(result[name] ?? 0) > 0.5).map(([, assignment]) => assignment);
}

/** The rule of thumb: the biggest deals first, each to the eligible person with most capacity left. */
export function allocateByDealSize(people: Person[], moves: AllocatableMove[]): Assignment[] {
  const left = new Map(people.map((person) => [person.userId, person.capacity]));
  const assignments: Assignment[] = [];
  for (const move of [...moves].sort((a, b) => b.dealSize - a.dealSize || a.moveId.localeCompare(b.moveId))) {
    const free = people.filter((person) => eligible(person, move) && left.get(person.userId)! > 0);
    if (free.length === 0) continue;
    const person = free.reduce((best, p) => (left.get(p.userId)! > left.get(best.userId)! ? p : best));
    left.set(person.userId, left.get(person.userId)! - 1);
    assignments.push({ moveId: move.moveId, userId: person.userId });
  }
  return assignments;
}

/**
 * Our executives and solutions engineers with their weekly capacity: the configured one, else the
 * distinct deals each took part in per week over the 13 weeks before tonight (at least 1).
 */
export async function peopleWithCapacity(
  conn: DuckDBConnection,
  options: {
    asOf: string;
    executiveRole: string;
    engineerRole: string;
    executiveCapacity?: number | undefined;
    engineerCapacity?: number | undefined;
  },
): Promise<Person[]> {
  const rows = await queryRows<{ user_id: string; role: string; region: string | null; deals: number }>(
    conn,
    `WITH touched AS (
       SELECT p.participant_id AS user_id, count(DISTINCT a.opportunity_id)::DOUBLE AS deals
       FROM activities AS a JOIN activity_participants AS p ON p.activity_id = a.activity_id AND p.participant_type = 'user'
       WHERE a.opportunity_id IS NOT NULL
         AND a.occurred_at::DATE > DATE ${quoteLiteral(options.asOf)} - ${WEEKS_OF_HISTORY * 7}
         AND a.occurred_at::DATE <= DATE ${quoteLiteral(options.asOf)}
       GROUP BY ALL)
     SELECT users.user_id, users.role, users.region, coalesce(touched.deals, 0) AS deals
     FROM users LEFT JOIN touched USING (user_id)
     WHERE users.role IN (${quoteLiteral(options.executiveRole)}, ${quoteLiteral(options.engineerRole)})
     ORDER BY users.user_id`,
  );
  return rows.map((row) => {
    const resource: Resource = row.role === options.executiveRole ? 'executive' : 'solutions_engineer';
    const configured = resource === 'executive' ? options.executiveCapacity : options.engineerCapacity;
    return {
      userId: row.user_id,
      resource,
      region: row.region,
      capacity: configured ?? Math.max(1, Math.round(row.deals / WEEKS_OF_HISTORY)),
    };
  });
}
