/**
 * Company-specific columns (`wuwei generate --custom-columns`): the fields a real CRM export carries
 * beside the contract's, with their effect on the deal's win propensity z. Some carry signal that
 * no ECM or PBM feature can see (it is not in any activity, role or history record), one is noise,
 * and one is leaky: filled only once a deal is lost. Their values are drawn from their own random
 * stream, so the deals, activities and outcomes of an export without them are unchanged.
 */
import type { CsvValue } from './csv-writer.ts';
import type { Segment } from './process.ts';
import { SEGMENTS } from './process.ts';
import { Random } from '../base/random.ts';

/** Extra columns of opportunities.csv and accounts.csv, in the order written. */
export const CUSTOM_COLUMNS = {
  opportunities: ['tender_flag', 'budget_allocated', 'marketing_score', 'loss_reason'],
  accounts: ['client_revenue_band', 'revenue_from_client_2y'],
} as const;

/** The effects on z (log-odds of advancing at every stage); see README.md beside this file. */
export const CUSTOM_EFFECTS = {
  /** Formal tenders (RFPs) are open to every bidder: a quarter of deals, harder to win. */
  tenderShare: 0.25,
  tender: -0.6,
  /** The customer has a budget line for it: less than half the deals, easier to win. */
  budgetShare: 0.45,
  budget: 0.55,
  /** The account's revenue band in the customer's own ranking (A best). */
  revenueBands: [
    ['A', 0.15, 0.45],
    ['B', 0.3, 0.15],
    ['C', 0.35, 0],
    ['D', 0.2, -0.35],
  ] as const,
  /** Revenue from the client in the past two years, from billing outside the CRM: customers of other lines of ours. */
  billedShare: 0.5,
  billed: 0.3,
  lossReasons: ['price', 'competitor', 'no decision', 'timing', 'budget'] as const,
} as const;

/** The columns' average effect, taken off so that the win rate stays that of an export without them. */
const MEAN_EFFECT =
  CUSTOM_EFFECTS.tenderShare * CUSTOM_EFFECTS.tender +
  CUSTOM_EFFECTS.budgetShare * CUSTOM_EFFECTS.budget +
  CUSTOM_EFFECTS.revenueBands.reduce((sum, [, share, effect]) => sum + share * effect, 0) +
  CUSTOM_EFFECTS.billedShare * CUSTOM_EFFECTS.billed;

interface AccountColumns {
  band: string;
  bandEffect: number;
  billed: number;
}

export interface DealColumns {
  tender: boolean;
  budget: number | null;
  marketingScore: number;
  lossReason: string;
  /** What the columns add to z. */
  effect: number;
}

/** Draws the columns of accounts (once each) and deals, from a stream apart from the simulation's. */
export class CustomColumns {
  private readonly random: Random;
  private readonly accounts = new Map<string, AccountColumns>();

  constructor(seed: number) {
    this.random = new Random(seed * 7919 + 104_729);
  }

  /** The account's columns; its revenue figure scales with the segment's deal size. */
  account(accountId: string, segment: Segment): AccountColumns {
    let columns = this.accounts.get(accountId);
    if (!columns) {
      const [band, , bandEffect] = this.random.weighted(CUSTOM_EFFECTS.revenueBands.map((b) => [b, b[1]] as const));
      const billed = this.random.bernoulli(CUSTOM_EFFECTS.billedShare)
        ? Math.round((SEGMENTS[segment].medianNeed * this.random.logNormal(0.5, 0.8)) / 100) * 100
        : 0;
      columns = { band, bandEffect, billed };
      this.accounts.set(accountId, columns);
    }
    return columns;
  }

  accountRow(accountId: string, segment: Segment): CsvValue[] {
    const columns = this.account(accountId, segment);
    return [columns.band, columns.billed];
  }

  /** A deal's own columns (the loss reason is chosen now and shown only once the deal is lost). */
  deal(accountId: string, segment: Segment): DealColumns {
    const account = this.account(accountId, segment);
    const tender = this.random.bernoulli(CUSTOM_EFFECTS.tenderShare);
    const budget = this.random.bernoulli(CUSTOM_EFFECTS.budgetShare)
      ? Math.round((SEGMENTS[segment].medianNeed * this.random.logNormal(0, 0.5)) / 100) * 100
      : null;
    const marketingScore = this.random.int(0, 100);
    const lossReason = this.random.pick(CUSTOM_EFFECTS.lossReasons);
    const effect =
      (tender ? CUSTOM_EFFECTS.tender : 0) +
      (budget !== null ? CUSTOM_EFFECTS.budget : 0) +
      account.bandEffect +
      (account.billed > 0 ? CUSTOM_EFFECTS.billed : 0) -
      MEAN_EFFECT;
    return { tender, budget, marketingScore, lossReason, effect };
  }
}

/** The deal's columns as the export shows them at a cut: the loss reason only once it is lost. */
export function dealRow(columns: DealColumns, lostAtCut: boolean): CsvValue[] {
  return [columns.tender ? 'yes' : 'no', columns.budget, columns.marketingScore, lostAtCut ? columns.lossReason : ''];
}
