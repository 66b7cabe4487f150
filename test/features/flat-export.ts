/**
 * A flat export as many companies hand it over: one opportunities file (no history), accounts and
 * users, and company-specific columns beyond the contract. What each planted column is:
 *   - Tender Score (number) and Budget Approved (yes/no), Channel Tier (text): carry signal;
 *   - Noise Index (number): none;
 *   - Kickoff Date (date, a few days after creation): honest, no signal;
 *   - Loss Reason (text): filled only on lost deals, i.e. at the close: leaky;
 *   - Legacy Flag (yes/no): always "false": dead.
 * Amounts are 0 on some deals and missing on others. One deal (SHORT_DEAL) closes 2 days after creation.
 * Written here, not by the generator, so the reading code is not tested against its own output.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Random } from '../../pipeline/base/random.ts';

export const FLAT_AS_OF = '2026-06-30';
export const SHORT_DEAL = 'O-SHORT';

const DAY = 86_400_000;
const iso = (day: number) => new Date(day * DAY).toISOString().slice(0, 10);
const dayOf = (date: string) => Math.round(Date.parse(date) / DAY);

export interface FlatExportOptions {
  opportunities?: number;
  seed?: number;
  /** Amounts 0 or missing on some deals (default true). */
  amountGaps?: boolean;
}

/** Writes accounts.csv, users.csv and opportunities.csv into `dir`; returns it and each deal's true win log-odds (the oracle). */
export function writeFlatExport(
  dir: string,
  options: FlatExportOptions = {},
): { dir: string; logits: Map<string, number> } {
  const logits = new Map<string, number>();
  const random = new Random(options.seed ?? 11);
  const n = options.opportunities ?? 2000;
  const asOf = dayOf(FLAT_AS_OF);
  const start = dayOf('2024-01-01');
  mkdirSync(dir, { recursive: true });

  const segments = ['enterprise', 'mid_market', 'smb'];
  const segmentEffect: Record<string, number> = { enterprise: 0.5, mid_market: 0, smb: -0.5 };
  const accounts = Array.from({ length: 150 }, (_, i) => ({ id: `A${i + 1}`, segment: segments[i % 3]! }));
  writeFileSync(
    join(dir, 'accounts.csv'),
    [
      'account_id,name,industry,region,segment,created_date',
      ...accounts.map(
        (a, i) =>
          `${a.id},Account ${i + 1},${['Software', 'Retail', 'Banking'][i % 3]},${['EMEA', 'AMER'][i % 2]},${a.segment},2020-01-01`,
      ),
    ].join('\n') + '\n',
  );
  writeFileSync(
    join(dir, 'users.csv'),
    [
      'user_id,name,role,hire_date',
      ...Array.from({ length: 10 }, (_, i) => `U${i + 1},Rep ${i + 1},account_executive,2020-01-01`),
    ].join('\n') + '\n',
  );

  const header =
    'opportunity_id,account_id,owner_id,type,lead_source,product_line,created_date,close_date,stage,is_closed,is_won,amount,Tender Score,Noise Index,Loss Reason,Kickoff Date,Budget Approved,Channel Tier,Legacy Flag';
  const openStages = ['Prospecting', 'Qualification', 'Discovery', 'Proposal', 'Negotiation'];
  const tiers = ['gold', 'silver', 'bronze'];
  const tierEffect: Record<string, number> = { gold: 0.7, silver: 0, bronze: -0.7, platinum: 0 };
  const lines: string[] = [header];
  for (let i = 0; i < n; i++) {
    const short = i === 0;
    const account = accounts[random.int(0, accounts.length - 1)]!;
    const created = short ? dayOf('2026-01-10') : random.int(start, asOf - 10);
    const cycle = short ? 2 : random.bernoulli(0.05) ? random.int(1, 5) : random.int(20, 240);
    const closed = created + cycle <= asOf;
    const tender = Math.round((random.next() + random.next() + random.next() - 1.5) * 200) / 100;
    const budget = random.bernoulli(0.4);
    const tier = random.bernoulli(0.004) ? 'platinum' : tiers[random.int(0, 2)]!;
    const logit = -0.5 + 1.6 * tender + 0.9 * (budget ? 1 : 0) + segmentEffect[account.segment]! + tierEffect[tier]!;
    const won = closed && random.bernoulli(1 / (1 + Math.exp(-logit)));
    logits.set(short ? SHORT_DEAL : `O${i + 1}`, logit);
    const gap = random.bernoulli(0.03) ? '0' : random.bernoulli(0.03) ? '' : null;
    const amount =
      options.amountGaps !== false && gap !== null ? gap : String(Math.round(5000 + 195000 * random.next() ** 2));
    const lossReason = closed && !won ? ['price', 'timing', 'competitor'][random.int(0, 2)]! : '';
    const stage = closed ? (won ? 'Closed Won' : 'Closed Lost') : openStages[random.int(0, openStages.length - 1)]!;
    lines.push(
      [
        short ? SHORT_DEAL : `O${i + 1}`,
        account.id,
        `U${random.int(1, 10)}`,
        ['new', 'upsell', 'renewal'][random.int(0, 2)],
        ['web', 'referral', 'partner'][random.int(0, 2)],
        ['Core', 'Analytics', 'Cloud'][random.int(0, 2)],
        iso(created),
        iso(created + cycle),
        stage,
        closed,
        won,
        amount,
        tender.toFixed(2),
        random.int(0, 100),
        lossReason,
        iso(created + random.int(0, 20)),
        budget,
        tier,
        'false',
      ].join(','),
    );
  }
  writeFileSync(join(dir, 'opportunities.csv'), lines.join('\n') + '\n');
  writeFileSync(join(dir, 'as_of.txt'), `${FLAT_AS_OF}\n`);
  return { dir, logits };
}
