import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dayOf, isoDate, isoTimestamp } from './calendar.ts';
import { CsvWriter, type CsvValue } from './csv-writer.ts';
import { CUSTOM_COLUMNS, CustomColumns, dealRow } from './custom-columns.ts';
import { cutDaysOf, ZeroAmounts, type ExportShape, type ZeroAmount } from './export-shape.ts';
import { moveTruthRows, MOVE_TRUTH_COLUMNS } from './move-truth.ts';
import { simulateDeal, trueWinProbability, type AccountHistory, type SimulatedDeal } from './deal.ts';
import { ACTIVITY, LOST_STAGE, OPEN_STAGES, WON_STAGE, Z } from './process.ts';
import { Random, sigmoid } from '../base/random.ts';
import { buildWorld, contactEmail } from './world.ts';
import type { Logger } from '../base/log.ts';
import { AS_OF_FILE } from '../load/as-of.ts';
import { shownStage, untidyHabits } from './untidy-reps.ts';

export interface GenerateOptions {
  out: string;
  opportunities: number;
  seed: number;
  /** The export cut: records after this date are not exported. */
  asOf: string;
  /** First day deals are created. */
  start: string;
  /** The same deals with rep-entered stages, amounts and close dates as untidy as sales-ops studies report (./untidy-reps.ts). */
  untidyReps?: boolean;
  /** How the export is cut into files (see export-shape.ts); default 'history'. */
  shape?: ExportShape;
  /** Write the company-specific columns of custom-columns.ts (and let them move the outcomes). */
  customColumns?: boolean;
  /** Share of deals whose amount the export shows as 0 or empty (ground truth keeps the real one). */
  zeroAmountShare?: number;
  /** For the snapshots shape: how many nights, and the days between them. */
  snapshots?: { count: number; everyDays: number };
  log: Logger;
}

export { GENERATE_DEFAULTS } from './defaults.ts';

export interface GenerateSummary {
  out: string;
  asOf: string;
  seed: number;
  shape: ExportShape;
  /** The folders to load, oldest first: one, or one per snapshot night. */
  folders: string[];
  files: Record<string, number>;
  openAtCut: number;
  wonAtCut: number;
  lostAtCut: number;
}

/** The export files and their columns: the canonical layout Wuwei loads. */
export const EXPORT_FILES = {
  accounts: [
    'account_id',
    'name',
    'industry',
    'region',
    'segment',
    'employees',
    'annual_revenue',
    'owner_id',
    'created_date',
  ],
  users: ['user_id', 'name', 'title', 'role', 'team', 'region', 'manager_id', 'hire_date'],
  contacts: [
    'contact_id',
    'account_id',
    'first_name',
    'last_name',
    'email',
    'title',
    'seniority',
    'department',
    'created_date',
  ],
  opportunities: [
    'opportunity_id',
    'account_id',
    'owner_id',
    'name',
    'type',
    'lead_source',
    'product_line',
    'currency',
    'created_date',
    'close_date',
    'stage',
    'probability',
    'forecast_category',
    'is_closed',
    'is_won',
    'amount',
  ],
  opportunity_history: [
    'opportunity_id',
    'changed_at',
    'stage',
    'amount',
    'close_date',
    'probability',
    'forecast_category',
  ],
  opportunity_contact_roles: ['opportunity_id', 'contact_id', 'role', 'stance', 'is_primary', 'created_date'],
  activities: ['activity_id', 'account_id', 'opportunity_id', 'type', 'direction', 'occurred_at', 'duration_minutes'],
  activity_participants: ['activity_id', 'participant_type', 'participant_id'],
  opportunity_competitors: ['opportunity_id', 'competitor', 'is_incumbent', 'created_date'],
  opportunity_line_items: ['opportunity_id', 'product', 'quantity', 'unit_price', 'discount', 'created_date'],
} as const;

export type ExportName = keyof typeof EXPORT_FILES;

/** Each open deal's true win probability with each move applied (./move-truth.ts). */
export const MOVE_TRUTH_FILE = 'ground_truth_moves.csv';
const GROUND_TRUTH_COLUMNS = [
  'opportunity_id',
  'open_at_cut',
  'true_win_probability',
  'final_outcome',
  'final_amount',
  'final_close_date',
];

/** One export folder cut at one date, with its open file writers (the history file only where the shape has one). */
interface Cut {
  day: number;
  out: string;
  writers: Partial<Record<ExportName, CsvWriter>>;
  exported: (day: number) => boolean;
}

/**
 * Simulates a CRM: a world of accounts, contacts and our people, then every deal's whole life in
 * creation order (so a deal knows whether its account was already a customer), then cuts the exports
 * at `asOf` (and, for the snapshots shape, at earlier nights too). Deterministic by seed. Writes
 * ground_truth.csv beside the exports; the pipeline never reads it.
 */
export async function generate(options: GenerateOptions): Promise<GenerateSummary> {
  const random = new Random(options.seed);
  const shape = options.shape ?? 'history';
  const startDay = dayOf(options.start);
  const cutDay = dayOf(options.asOf);
  const custom = options.customColumns ? new CustomColumns(options.seed) : null;
  const zeroAmounts = new ZeroAmounts(options.seed, options.zeroAmountShare ?? 0);
  const columnsOf = (name: ExportName): readonly string[] =>
    custom && (name === 'opportunities' || name === 'accounts')
      ? [...EXPORT_FILES[name], ...CUSTOM_COLUMNS[name]]
      : EXPORT_FILES[name];
  const cuts: Cut[] = cutDaysOf(shape, cutDay, options.snapshots).map((day) => {
    const out = shape === 'snapshots' ? join(options.out, isoDate(day)) : options.out;
    mkdirSync(out, { recursive: true });
    // The export states its own cut, so loading it stamps the snapshot with that date rather than today.
    writeFileSync(join(out, AS_OF_FILE), `${isoDate(day)}\n`);
    const names = (Object.keys(EXPORT_FILES) as ExportName[]).filter(
      (name) => name !== 'opportunity_history' || shape === 'history',
    );
    const writers = Object.fromEntries(
      names.map((name) => [name, new CsvWriter(join(out, `${name}.csv`), columnsOf(name))]),
    );
    // A record belongs to the export if it happened on or before the cut date.
    return { day, out, writers, exported: (d: number) => d < day + 1 };
  });
  const finalCut = cuts[cuts.length - 1]!;
  const truth = new CsvWriter(join(options.out, 'ground_truth.csv'), GROUND_TRUTH_COLUMNS);
  const moveTruth = new CsvWriter(join(options.out, MOVE_TRUTH_FILE), MOVE_TRUTH_COLUMNS);

  const allWriters = [...cuts.flatMap((cut) => Object.values(cut.writers)), truth, moveTruth];
  const world = await buildWorld(random, options.opportunities, startDay, Z.repSkillSd, async (account, contacts) => {
    const extra = custom ? custom.accountRow(account.id, account.segment) : [];
    for (const { writers } of cuts) {
      writers.accounts!.write([
        account.id,
        account.name,
        account.industry,
        account.region,
        account.segment,
        account.employees,
        account.annualRevenue,
        account.ownerId,
        isoDate(account.createdDay),
        ...extra,
      ]);
      for (const c of contacts) {
        writers.contacts!.write([
          c.id,
          c.accountId,
          c.firstName,
          c.lastName,
          contactEmail(c, account),
          c.title,
          c.seniority,
          c.department,
          isoDate(c.createdDay),
        ]);
      }
    }
    await drainAll(allWriters);
  });
  for (const user of world.users) {
    for (const { writers } of cuts)
      writers.users!.write([
        user.id,
        user.name,
        user.title,
        user.role,
        user.team,
        user.region,
        user.managerId,
        isoDate(user.hireDay),
      ]);
  }

  const createdDays = Array.from({ length: options.opportunities }, () => random.int(startDay, cutDay)).sort(
    (a, b) => a - b,
  );
  const histories = new Map<string, AccountHistory>();
  const habitsOf = options.untidyReps ? untidyHabits(options.seed) : undefined;
  let activitySeq = 0;
  const summary = { openAtCut: 0, wonAtCut: 0, lostAtCut: 0 };
  for (let i = 0; i < createdDays.length; i++) {
    const account = random.pick(world.accounts);
    const history = histories.get(account.id) ?? { wonCloseDays: [] };
    histories.set(account.id, history);
    const columns = custom?.deal(account.id, account.segment);
    const deal = simulateDeal(
      random,
      world,
      `O${String(i + 1).padStart(7, '0')}`,
      account,
      createdDays[i]!,
      history,
      habitsOf?.(),
      columns?.effect,
    );
    if (deal.won) history.wonCloseDays.push(deal.closeDay);
    const closedAtCut = finalCut.exported(deal.closeDay);
    if (!closedAtCut) summary.openAtCut += 1;
    else if (deal.won) summary.wonAtCut += 1;
    else summary.lostAtCut += 1;

    const hideAmount = zeroAmounts.draw();
    const firstActivity = activitySeq + 1;
    for (const cut of cuts) {
      if (!cut.exported(deal.createdDay)) continue;
      const lostAtCut = cut.exported(deal.closeDay) && !deal.won;
      writeDeal(deal, cut.day, cut.writers, cut.exported, {
        hideAmount,
        extra: columns ? dealRow(columns, lostAtCut) : [],
      });
      // Activity ids are the same in every cut: the nth activity of the whole simulation.
      activitySeq = firstActivity - 1;
      for (const activity of deal.activities) {
        if (!cut.exported(activity.day)) break;
        activitySeq += 1;
        writeActivity(cut.writers, `T${String(activitySeq).padStart(9, '0')}`, activity);
      }
    }
    activitySeq = firstActivity - 1 + deal.activities.filter((a) => finalCut.exported(a.day)).length;
    truth.write([
      deal.id,
      !closedAtCut,
      // Fixed decimals: a reader that sniffs column types from the first rows (DuckDB samples 20,480)
      // must not see only the oldest, long-closed deals' 0 and 1 and read the open deals' odds as integers.
      trueWinProbability(deal, cutDay + 1).toFixed(6),
      deal.won ? 'won' : 'lost',
      deal.finalAmount,
      isoDate(deal.closeDay),
    ]);
    if (!closedAtCut) for (const row of moveTruthRows(deal, cutDay + 1)) moveTruth.write(row);
    // Only this deal's records were in memory; wait for the disk before simulating the next.
    await drainAll(allWriters);
  }

  // Account-level touches not tied to any deal: the company-to-company relationship.
  for (const account of world.accounts) {
    const years = (cutDay - startDay) / 365;
    const touches = random.poisson(ACTIVITY.accountTouchesPerYear * Math.exp(account.affinity) * years);
    const days = Array.from({ length: touches }, () => random.uniform(startDay, cutDay + 1)).sort((a, b) => a - b);
    for (const day of days) {
      activitySeq += 1;
      const touch = {
        day,
        type: random.pick(['email', 'call', 'meeting']),
        direction: random.bernoulli(sigmoid(-0.5 + account.affinity)) ? ('inbound' as const) : ('outbound' as const),
        durationMinutes: 30,
        accountId: account.id,
        opportunityId: '',
        users: [account.ownerId],
        contacts: [random.pick(account.contacts).id],
      };
      for (const cut of cuts)
        if (cut.exported(day)) writeActivity(cut.writers, `T${String(activitySeq).padStart(9, '0')}`, touch);
    }
    await drainAll(allWriters);
  }

  await Promise.all(allWriters.map((w) => w.close()));
  const files = Object.fromEntries(Object.entries(finalCut.writers).map(([name, w]) => [name, w.rows]));
  options.log.info(
    `generated ${options.opportunities} opportunities (${summary.openAtCut} open, ${summary.wonAtCut} won, ${summary.lostAtCut} lost at ${options.asOf}) and ${files['activities']} activities in ${options.out}` +
      (shape === 'history'
        ? ''
        : ` (${shape} shape${shape === 'snapshots' ? `: ${cuts.length} nightly folders` : ''})`),
  );
  return {
    out: options.out,
    asOf: options.asOf,
    seed: options.seed,
    shape,
    folders: cuts.map((cut) => cut.out),
    files,
    ...summary,
  };
}

/** The deal as the CRM shows it at the cut, and every change to it up to then. */
function writeDeal(
  deal: SimulatedDeal,
  cutDay: number,
  writers: Partial<Record<ExportName, CsvWriter>>,
  exported: (day: number) => boolean,
  shown: { hideAmount: ZeroAmount; extra: CsvValue[] },
): void {
  const amountShown = (amount: number): number | null =>
    shown.hideAmount === 'zero' ? 0 : shown.hideAmount === 'missing' ? null : amount;
  const closed = exported(deal.closeDay);
  // History: the state after each change, one row per change.
  const changes: { day: number; stage?: number; amount?: number; expectedClose?: number }[] = [
    ...deal.stageEntries.map((day, stage) => ({ day, stage })),
    ...deal.amountChanges.map(({ day, amount }) => ({ day, amount })),
    ...deal.closeDateChanges.map(({ day, expectedClose }) => ({ day, expectedClose })),
  ].sort((a, b) => a.day - b.day);
  let stage = 0;
  let amount = deal.amountChanges[0]!.amount;
  let expectedClose = deal.closeDateChanges[0]!.expectedClose;
  for (const [i, change] of changes.entries()) {
    if (change.day >= deal.closeDay || !exported(change.day)) break;
    stage = change.stage ?? stage;
    amount = change.amount ?? amount;
    expectedClose = change.expectedClose ?? expectedClose;
    // Changes on the same date show as one row: the state at the end of that date.
    const next = changes[i + 1];
    if (next && Math.floor(next.day) === Math.floor(change.day) && next.day < deal.closeDay) continue;
    const spec = OPEN_STAGES[shownStage(stage, deal.habits)]!;
    writers.opportunity_history?.write([
      deal.id,
      isoDate(change.day),
      spec.name,
      amountShown(amount),
      isoDate(expectedClose),
      spec.probability,
      spec.forecastCategory,
    ]);
  }
  if (closed) {
    amount = deal.finalAmount;
    writers.opportunity_history?.write([
      deal.id,
      isoDate(deal.closeDay),
      deal.won ? WON_STAGE : LOST_STAGE,
      amountShown(amount),
      isoDate(deal.closeDay),
      deal.won ? 1 : 0,
      deal.won ? 'closed' : 'omitted',
    ]);
  }
  const spec = OPEN_STAGES[shownStage(stage, deal.habits)]!;
  writers.opportunities!.write([
    deal.id,
    deal.account.id,
    deal.owner.id,
    `${deal.account.name} - ${deal.productLine} ${deal.type}`,
    deal.type,
    deal.leadSource,
    deal.productLine,
    'USD',
    isoDate(deal.createdDay),
    isoDate(closed ? deal.closeDay : Math.max(expectedClose, cutDay)),
    closed ? (deal.won ? WON_STAGE : LOST_STAGE) : spec.name,
    closed ? (deal.won ? 1 : 0) : spec.probability,
    closed ? (deal.won ? 'closed' : 'omitted') : spec.forecastCategory,
    closed,
    closed && deal.won,
    amountShown(amount),
    ...shown.extra,
  ]);
  for (const r of deal.roles) {
    if (exported(r.day) && r.day < deal.closeDay)
      writers.opportunity_contact_roles!.write([deal.id, r.contact.id, r.role, r.stance, r.isPrimary, isoDate(r.day)]);
  }
  for (const c of deal.competitors) {
    if (exported(c.day) && c.day < deal.closeDay)
      writers.opportunity_competitors!.write([deal.id, c.name, c.incumbent, isoDate(c.day)]);
  }
  for (const item of deal.lineItems) {
    if (exported(item.day))
      writers.opportunity_line_items!.write([
        deal.id,
        item.product,
        item.quantity,
        item.unitPrice,
        item.discount,
        isoDate(item.day),
      ]);
  }
}

function writeActivity(
  writers: Partial<Record<ExportName, CsvWriter>>,
  id: string,
  activity: SimulatedDeal['activities'][number],
): void {
  writers.activities!.write([
    id,
    activity.accountId,
    activity.opportunityId,
    activity.type,
    activity.direction,
    isoTimestamp(activity.day),
    activity.durationMinutes,
  ]);
  for (const user of activity.users) writers.activity_participants!.write([id, 'user', user]);
  for (const contact of activity.contacts) writers.activity_participants!.write([id, 'contact', contact]);
}

async function drainAll(writers: CsvWriter[]): Promise<void> {
  for (const writer of writers) await writer.drain();
}
