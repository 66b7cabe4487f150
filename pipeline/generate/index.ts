import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dayOf, isoDate, isoTimestamp } from './calendar.ts';
import { CsvWriter } from './csv-writer.ts';
import { simulateDeal, trueWinProbability, type AccountHistory, type SimulatedDeal } from './deal.ts';
import { ACTIVITY, LOST_STAGE, OPEN_STAGES, WON_STAGE, Z } from './process.ts';
import { Random, sigmoid } from '../random.ts';
import { buildWorld, contactEmail } from './world.ts';
import type { Logger } from '../log.ts';
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
  log: Logger;
}

export { GENERATE_DEFAULTS } from './defaults.ts';

export interface GenerateSummary {
  out: string;
  asOf: string;
  seed: number;
  files: Record<string, number>;
  openAtCut: number;
  wonAtCut: number;
  lostAtCut: number;
}

/** The export files and their columns: the canonical layout Wuwei loads. */
export const EXPORT_FILES = {
  accounts: ['account_id', 'name', 'industry', 'region', 'segment', 'employees', 'annual_revenue', 'owner_id', 'created_date'],
  users: ['user_id', 'name', 'title', 'role', 'team', 'region', 'manager_id', 'hire_date'],
  contacts: ['contact_id', 'account_id', 'first_name', 'last_name', 'email', 'title', 'seniority', 'department', 'created_date'],
  opportunities: ['opportunity_id', 'account_id', 'owner_id', 'name', 'type', 'lead_source', 'product_line', 'currency', 'created_date', 'close_date', 'stage', 'probability', 'forecast_category', 'is_closed', 'is_won', 'amount'],
  opportunity_history: ['opportunity_id', 'changed_at', 'stage', 'amount', 'close_date', 'probability', 'forecast_category'],
  opportunity_contact_roles: ['opportunity_id', 'contact_id', 'role', 'stance', 'is_primary', 'created_date'],
  activities: ['activity_id', 'account_id', 'opportunity_id', 'type', 'direction', 'occurred_at', 'duration_minutes'],
  activity_participants: ['activity_id', 'participant_type', 'participant_id'],
  opportunity_competitors: ['opportunity_id', 'competitor', 'is_incumbent', 'created_date'],
  opportunity_line_items: ['opportunity_id', 'product', 'quantity', 'unit_price', 'discount', 'created_date'],
} as const;

export type ExportName = keyof typeof EXPORT_FILES;

const GROUND_TRUTH_COLUMNS = ['opportunity_id', 'open_at_cut', 'true_win_probability', 'final_outcome', 'final_amount', 'final_close_date'];

/**
 * Simulates a CRM: a world of accounts, contacts and our people, then every deal's whole life in
 * creation order (so a deal knows whether its account was already a customer), then cuts the exports
 * at `asOf`. Deterministic by seed. Writes ground_truth.csv beside the exports; the pipeline never reads it.
 */
export async function generate(options: GenerateOptions): Promise<GenerateSummary> {
  const random = new Random(options.seed);
  const startDay = dayOf(options.start);
  const cutDay = dayOf(options.asOf);
  // A record belongs to the export if it happened on or before the cut date.
  const exported = (day: number) => day < cutDay + 1;
  mkdirSync(options.out, { recursive: true });
  const writers = Object.fromEntries(
    Object.entries(EXPORT_FILES).map(([name, columns]) => [name, new CsvWriter(join(options.out, `${name}.csv`), columns)]),
  ) as Record<ExportName, CsvWriter>;
  const truth = new CsvWriter(join(options.out, 'ground_truth.csv'), GROUND_TRUTH_COLUMNS);
  // The export states its own cut, so loading it stamps the snapshot with that date rather than today.
  writeFileSync(join(options.out, AS_OF_FILE), `${options.asOf}\n`);

  const allWriters = [...Object.values(writers), truth];
  const world = await buildWorld(random, options.opportunities, startDay, Z.repSkillSd, async (account, contacts) => {
    writers.accounts.write([account.id, account.name, account.industry, account.region, account.segment, account.employees, account.annualRevenue, account.ownerId, isoDate(account.createdDay)]);
    for (const c of contacts) {
      writers.contacts.write([c.id, c.accountId, c.firstName, c.lastName, contactEmail(c, account), c.title, c.seniority, c.department, isoDate(c.createdDay)]);
    }
    await drainAll(allWriters);
  });
  for (const user of world.users) {
    writers.users.write([user.id, user.name, user.title, user.role, user.team, user.region, user.managerId, isoDate(user.hireDay)]);
  }

  const createdDays = Array.from({ length: options.opportunities }, () => random.int(startDay, cutDay)).sort((a, b) => a - b);
  const histories = new Map<string, AccountHistory>();
  const habitsOf = options.untidyReps ? untidyHabits(options.seed) : undefined;
  let activitySeq = 0;
  const summary = { openAtCut: 0, wonAtCut: 0, lostAtCut: 0 };
  for (let i = 0; i < createdDays.length; i++) {
    const account = random.pick(world.accounts);
    const history = histories.get(account.id) ?? { wonCloseDays: [] };
    histories.set(account.id, history);
    const deal = simulateDeal(random, world, `O${String(i + 1).padStart(7, '0')}`, account, createdDays[i]!, history, habitsOf?.());
    if (deal.won) history.wonCloseDays.push(deal.closeDay);
    const closedAtCut = exported(deal.closeDay);
    if (!closedAtCut) summary.openAtCut += 1;
    else if (deal.won) summary.wonAtCut += 1;
    else summary.lostAtCut += 1;

    writeDeal(deal, cutDay, writers, exported);
    for (const activity of deal.activities) {
      if (!exported(activity.day)) break;
      activitySeq += 1;
      writeActivity(writers, `T${String(activitySeq).padStart(9, '0')}`, activity);
    }
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
      writeActivity(writers, `T${String(activitySeq).padStart(9, '0')}`, {
        day,
        type: random.pick(['email', 'call', 'meeting']),
        direction: random.bernoulli(sigmoid(-0.5 + account.affinity)) ? 'inbound' : 'outbound',
        durationMinutes: 30,
        accountId: account.id,
        opportunityId: '',
        users: [account.ownerId],
        contacts: [random.pick(account.contacts).id],
      });
    }
    await drainAll(allWriters);
  }

  await Promise.all(allWriters.map((w) => w.close()));
  const files = Object.fromEntries(Object.entries(writers).map(([name, w]) => [name, w.rows]));
  options.log.info(
    `generated ${options.opportunities} opportunities (${summary.openAtCut} open, ${summary.wonAtCut} won, ${summary.lostAtCut} lost at ${options.asOf}) and ${files['activities']} activities in ${options.out}`,
  );
  return { out: options.out, asOf: options.asOf, seed: options.seed, files, ...summary };
}

/** The deal as the CRM shows it at the cut, and every change to it up to then. */
function writeDeal(deal: SimulatedDeal, cutDay: number, writers: Record<ExportName, CsvWriter>, exported: (day: number) => boolean): void {
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
    writers.opportunity_history.write([deal.id, isoDate(change.day), spec.name, amount, isoDate(expectedClose), spec.probability, spec.forecastCategory]);
  }
  if (closed) {
    amount = deal.finalAmount;
    writers.opportunity_history.write([deal.id, isoDate(deal.closeDay), deal.won ? WON_STAGE : LOST_STAGE, amount, isoDate(deal.closeDay), deal.won ? 1 : 0, deal.won ? 'closed' : 'omitted']);
  }
  const spec = OPEN_STAGES[shownStage(stage, deal.habits)]!;
  writers.opportunities.write([
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
    amount,
  ]);
  for (const r of deal.roles) {
    if (exported(r.day) && r.day < deal.closeDay) writers.opportunity_contact_roles.write([deal.id, r.contact.id, r.role, r.stance, r.isPrimary, isoDate(r.day)]);
  }
  for (const c of deal.competitors) {
    if (exported(c.day) && c.day < deal.closeDay) writers.opportunity_competitors.write([deal.id, c.name, c.incumbent, isoDate(c.day)]);
  }
  for (const item of deal.lineItems) {
    if (exported(item.day)) writers.opportunity_line_items.write([deal.id, item.product, item.quantity, item.unitPrice, item.discount, isoDate(item.day)]);
  }
}

function writeActivity(writers: Record<ExportName, CsvWriter>, id: string, activity: SimulatedDeal['activities'][number]): void {
  writers.activities.write([id, activity.accountId, activity.opportunityId, activity.type, activity.direction, isoTimestamp(activity.day), activity.durationMinutes]);
  for (const user of activity.users) writers.activity_participants.write([id, 'user', user]);
  for (const contact of activity.contacts) writers.activity_participants.write([id, 'contact', contact]);
}

async function drainAll(writers: CsvWriter[]): Promise<void> {
  for (const writer of writers) await writer.drain();
}
