/**
 * The moves stage (after scoring): what would move each open deal, worth by the model, and who of our
 * scarce people should make which move this week. ECM's improvement suggestions and MCI's matching
 * of resources to deals: ./candidates.ts finds the moves, ./counterfactual.ts prices them with the
 * active model, ./allocation.ts assigns executives and solutions engineers under capacity, and the
 * results go to `next_moves` and `move_allocation`, `next_moves.csv` and the CRM task files.
 */
import { mkdirSync } from 'node:fs';
import { inTransaction, queryRows, quoteLiteral, type DuckDBConnection } from '../base/db.ts';
import type { Logger } from '../base/log.ts';
import { createTableSql } from '../contract/table-spec.ts';
import { outputTable } from '../contract/output-tables.ts';
import type { WuweiConfig } from '../config/config.ts';
import { featureBuildOptions } from '../../models/index.ts';
import { STAGE_BASELINE_VERSION } from '../../models/index.ts';
import { activeModelAuc } from '../../models/win/registry.ts';
import { candidateMoves, type CandidateMove } from './candidates.ts';
import { counterfactualWorth, scoreTable, type MoveWorth } from './counterfactual.ts';
import {
  allocateByDealSize,
  allocateByGain,
  peopleWithCapacity,
  type AllocatableMove,
  type Assignment,
  type Person,
} from './allocation.ts';
import type { StagedMove } from './overlay.ts';
import { describeMove } from './describe.ts';
import { writeMoveFiles } from './move-files.ts';

export interface MovesSummary {
  asOf: string;
  deals: number;
  moves: number;
  /** Moves the model expects to raise the deal's expected value. */
  positiveMoves: number;
  allocation: { assigned: number; gain: number; byDealSizeAssigned: number; byDealSizeGain: number };
  files: string[];
  seconds: number;
}

/** Writes tonight's moves and allocation; without a trained model there is nothing to price, and it says so. */
export async function writeMoves(
  conn: DuckDBConnection,
  options: { asOf: string; config: WuweiConfig; modelsDir: string; outDir: string; log: Logger },
): Promise<MovesSummary> {
  const start = performance.now();
  const { asOf, config, log } = options;
  const features = config.features;
  await conn.run(createTableSql(outputTable('next_moves'), 'if not exists'));
  await conn.run(createTableSql(outputTable('move_allocation'), 'if not exists'));
  const empty: MovesSummary = {
    asOf,
    deals: 0,
    moves: 0,
    positiveMoves: 0,
    allocation: { assigned: 0, gain: 0, byDealSizeAssigned: 0, byDealSizeGain: 0 },
    files: [],
    seconds: 0,
  };
  if ((await activeModelAuc(conn)) === null) {
    log.warn(
      `moves: no trained model (${STAGE_BASELINE_VERSION} scores do not depend on relationships), so no move can be priced tonight`,
    );
    return empty;
  }

  const candidates = await candidateMoves(conn, {
    executiveRole: features.executiveRole,
    engineerRole: features.engineerRole,
    quietDays: config.moves.quietDays,
    maxDeals: config.moves.maxDeals,
  });
  const people = await peopleWithCapacity(conn, {
    asOf,
    executiveRole: features.executiveRole,
    engineerRole: features.engineerRole,
    executiveCapacity: config.moves.executiveCapacity,
    engineerCapacity: config.moves.engineerCapacity,
  });
  const staged = await stageMoves(conn, candidates, people);
  const baseline = await scoreTable(conn, 'features_score', options.modelsDir, log);
  const worth = await counterfactualWorth(conn, staged, {
    asOf,
    features: featureBuildOptions(config).config,
    modelsDir: options.modelsDir,
    baseline,
    log,
  });
  const priced = staged.map(({ move }) => move).filter((move) => worth.has(move.moveId));

  const allocatable: AllocatableMove[] = priced
    .filter((move) => move.resource !== null)
    .map((move) => {
      const w = worth.get(move.moveId)!;
      return {
        moveId: move.moveId,
        opportunityId: move.opportunityId,
        resource: move.resource!,
        region: move.region,
        gain: gainOf(w),
        dealSize: w.before.expectedAmount,
      };
    });
  const optimal = allocateByGain(people, allocatable);
  const bySize = allocateByDealSize(people, allocatable);

  await inTransaction(conn, async () => {
    await writeNextMoves(conn, asOf, priced, worth);
    await writeAllocation(conn, asOf, { optimal, by_deal_size: bySize }, people, allocatable);
  });
  mkdirSync(options.outDir, { recursive: true });
  const files = await writeMoveFiles(conn, {
    asOf,
    outDir: options.outDir,
    perDeal: config.moves.perDeal,
    formats: config.writeback.formats,
  });

  const gainOfAll = (assignments: Assignment[]) => {
    const byId = new Map(allocatable.map((move) => [move.moveId, move.gain]));
    return assignments.reduce((sum, a) => sum + Math.max(0, byId.get(a.moveId) ?? 0), 0);
  };
  const summary: MovesSummary = {
    asOf,
    deals: new Set(priced.map((move) => move.opportunityId)).size,
    moves: priced.length,
    positiveMoves: priced.filter((move) => gainOf(worth.get(move.moveId)!) > 0).length,
    allocation: {
      assigned: optimal.length,
      gain: gainOfAll(optimal),
      byDealSizeAssigned: bySize.length,
      byDealSizeGain: gainOfAll(bySize),
    },
    files,
    seconds: (performance.now() - start) / 1000,
  };
  log.info(
    `moves as of ${asOf}: ${summary.moves} moves on ${summary.deals} open deals (${summary.positiveMoves} the model expects to raise expected value; ` +
      `at most the ${config.moves.maxDeals} of largest expected value are priced, moves.maxDeals); ` +
      `allocation of ${people.length} executives and solutions engineers: expected-value gain ${Math.round(summary.allocation.gain)} ` +
      `against ${Math.round(summary.allocation.byDealSizeGain)} by deal size (${summary.seconds.toFixed(1)} s)`,
  );
  return summary;
}

/** The expected-value gain the allocation maximises. */
export function gainOf(worth: MoveWorth): number {
  return (
    worth.after.winProbability * worth.after.expectedAmount - worth.before.winProbability * worth.before.expectedAmount
  );
}

/**
 * Who takes part in each move's hypothetical activity: the owner, the introducing colleague, or one
 * of the resource's people of the deal's region; with the move's contact, else the deal's best-tied one.
 */
export async function stageMoves(
  conn: DuckDBConnection,
  moves: CandidateMove[],
  people: Person[],
): Promise<StagedMove[]> {
  const rows = await queryRows<{ opportunity_id: string; contact_id: string }>(
    conn,
    `SELECT opportunity_id, arg_max(contact_id, strength) AS contact_id FROM rel_deal_contact_ties GROUP BY ALL`,
  );
  const bestContact = new Map(rows.map((row) => [row.opportunity_id, row.contact_id]));
  const staged: StagedMove[] = [];
  for (const move of moves) {
    const users = [move.ownerId];
    if (move.viaUserId) users.push(move.viaUserId);
    if (move.resource) {
      const fits = people.filter((p) => p.resource === move.resource);
      const person = fits.find((p) => p.region === move.region) ?? fits[0];
      if (!person) continue; // nobody of that kind in the company: the move cannot be made
      users.push(person.userId);
    }
    staged.push({
      move,
      userIds: [...new Set(users)],
      contactId: move.contactId ?? bestContact.get(move.opportunityId) ?? null,
    });
  }
  return staged;
}

async function writeNextMoves(
  conn: DuckDBConnection,
  asOf: string,
  moves: CandidateMove[],
  worth: Map<string, MoveWorth>,
): Promise<void> {
  await conn.run(`DELETE FROM next_moves WHERE as_of = DATE ${quoteLiteral(asOf)}`);
  if (moves.length === 0) return;
  const text = (v: string | null) => (v === null ? 'NULL' : quoteLiteral(v));
  // typed DOUBLE: a literal with many digits would parse as a DECIMAL, and their products overflow
  const num = (v: number | null) => (v === null || !Number.isFinite(v) ? 'NULL' : `${v}::DOUBLE`);
  const values = moves.map((move) => {
    const { before, after } = worth.get(move.moveId)!;
    return `(${[
      text(move.moveId),
      text(move.opportunityId),
      text(move.accountId),
      text(move.ownerId),
      text(move.region),
      text(move.kind),
      text(move.role),
      text(move.contactId),
      text(move.viaUserId),
      num(move.tieStrength),
      move.lastInteraction ? `DATE ${quoteLiteral(move.lastInteraction)}` : 'NULL',
      text(move.resource),
      text(move.truthKey),
      num(before.winProbability),
      num(after.winProbability),
      num(before.expectedAmount),
      num(after.expectedAmount),
      text(describeMove(move)),
    ].join(', ')})`;
  });
  await conn.run(`
    INSERT INTO next_moves BY NAME
    SELECT DATE ${quoteLiteral(asOf)} AS as_of, * EXCLUDE (amount, amount_after),
           win_probability_after - win_probability AS delta_win_probability,
           win_probability * amount AS expected_value,
           win_probability_after * amount_after AS expected_value_after,
           win_probability_after * amount_after - win_probability * amount AS delta_expected_value,
           row_number() OVER (PARTITION BY opportunity_id ORDER BY win_probability_after * amount_after - win_probability * amount DESC, move_id)::INTEGER AS rank_in_deal
    FROM (VALUES ${values.join(', ')}) AS t(move_id, opportunity_id, account_id, owner_id, region, move_kind, role, contact_id, via_user_id, tie_strength,
         last_interaction, resource, truth_key, win_probability, win_probability_after, amount, amount_after, description)`);
}

async function writeAllocation(
  conn: DuckDBConnection,
  asOf: string,
  methods: Record<'optimal' | 'by_deal_size', Assignment[]>,
  people: Person[],
  moves: AllocatableMove[],
): Promise<void> {
  await conn.run(`DELETE FROM move_allocation WHERE as_of = DATE ${quoteLiteral(asOf)}`);
  const person = new Map(people.map((p) => [p.userId, p]));
  const move = new Map(moves.map((m) => [m.moveId, m]));
  const values = Object.entries(methods).flatMap(([method, assignments]) =>
    assignments.map((a) => {
      const p = person.get(a.userId)!;
      return `(${quoteLiteral(method)}, ${quoteLiteral(a.moveId)}, ${quoteLiteral(move.get(a.moveId)!.opportunityId)}, ${quoteLiteral(a.userId)}, ${quoteLiteral(p.resource)}, ${p.capacity}, ${move.get(a.moveId)!.gain})`;
    }),
  );
  if (values.length === 0) return;
  await conn.run(`
    INSERT INTO move_allocation BY NAME
    SELECT DATE ${quoteLiteral(asOf)} AS as_of, t.*
    FROM (VALUES ${values.join(', ')}) AS t(method, move_id, opportunity_id, user_id, resource, capacity, delta_expected_value)`);
}
