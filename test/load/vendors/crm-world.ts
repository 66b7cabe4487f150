/**
 * A small seeded sales org in plain terms (accounts, people, deals moving through stages, calls,
 * e-mails and meetings), from which ./write-vendor-exports.ts writes each vendor's own export shape.
 * Written for the vendor-fixture tests only: it shares no code with the loader it feeds, nor with the
 * project's generator. Winning deals have more two-way contact and a reached decision maker, so a
 * model that reads the exports right beats one that does not.
 */

/** Deterministic PRNG (mulberry32): the same seed writes the same export. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Person {
  n: number;
  first: string;
  last: string;
  title: string;
}
export interface Account {
  n: number;
  name: string;
  industry: string;
  country: string;
  employees: number;
  revenue: number;
  owner: number;
  created: Date;
}
export interface Contact extends Person {
  account: number;
  created: Date;
  role: string | null;
  department: string;
}
export interface User extends Person {
  manager: number | null;
  department: string;
}
export interface StageStep {
  stage: number;
  at: Date;
  amount: number;
  close: Date;
}
export interface Deal {
  n: number;
  account: number;
  owner: number;
  name: string;
  created: Date;
  /** Index into the open stages; the current one for an open deal, the last reached for a closed one. */
  stage: number;
  outcome: 'open' | 'won' | 'lost';
  closed: Date | null;
  expectedClose: Date;
  amount: number;
  currency: 'USD' | 'EUR';
  history: StageStep[];
  /** Contacts with their role on the deal (vendor-neutral role names). */
  roles: { contact: number; role: string; at: Date }[];
  kind: 'new' | 'upsell' | 'renewal';
  competitors: { name: string; at: Date }[];
  lineItems: { product: string; quantity: number; price: number; discount: number; at: Date }[];
}
export interface Activity {
  n: number;
  deal: number | null;
  account: number;
  owner: number;
  kind: 'call' | 'email' | 'meeting' | 'other';
  inbound: boolean;
  at: Date;
  minutes: number;
  contacts: number[];
}
export interface World {
  asOf: Date;
  accounts: Account[];
  users: User[];
  contacts: Contact[];
  deals: Deal[];
  activities: Activity[];
  /** Open stages in order with their default probability (0..1). */
  stages: { name: string; probability: number }[];
}

const DAY = 86_400_000;
const FIRST = ['Ana', 'Ben', 'Chen', 'Dana', 'Eli', 'Fay', 'Gus', 'Hana', 'Ivo', 'Jun', 'Kai', 'Lea'];
const LAST = ['Ahn', 'Berg', 'Costa', 'Dahl', 'Eder', 'Funk', 'Gray', 'Holm', 'Ito', 'Jung', 'Kern', 'Lund'];
const ROLES = ['decision_maker', 'economic_buyer', 'champion', 'technical', 'end_user', 'influencer'];

export function buildWorld(options: {
  deals: number;
  seed: number;
  stages: { name: string; probability: number }[];
}): World {
  const r = random(options.seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(r() * list.length)]!;
  const asOf = new Date(Date.UTC(2026, 5, 30));
  const start = Date.UTC(2024, 6, 1);
  const users: User[] = Array.from({ length: 8 }, (_, i) => ({
    n: i + 1,
    first: FIRST[i]!,
    last: LAST[i]!,
    title: i === 0 ? 'VP Sales' : i === 7 ? 'Solutions Engineer' : 'Account Executive',
    manager: i === 0 ? null : 1,
    department: i === 7 ? 'Presales' : 'Sales',
  }));
  const accounts: Account[] = Array.from({ length: Math.min(24, Math.ceil(options.deals / 4)) }, (_, i) => ({
    n: i + 1,
    name: `Account ${i + 1} GmbH`,
    industry: pick(['Manufacturing', 'Retail', 'Technology', 'Finance']),
    country: pick(['Germany', 'France', 'United States']),
    employees: 50 + Math.floor(r() * 5000),
    revenue: Math.round(1e6 + r() * 9e8),
    owner: 2 + (i % 6),
    created: new Date(start - Math.floor(r() * 400) * DAY),
  }));
  const contacts: Contact[] = accounts.flatMap((a) =>
    Array.from({ length: 4 }, (_, j) => ({
      n: (a.n - 1) * 4 + j + 1,
      account: a.n,
      first: pick(FIRST),
      last: pick(LAST),
      title: ['CIO', 'Head of Purchasing', 'IT Manager', 'Engineer'][j]!,
      created: new Date(a.created.getTime() + j * 20 * DAY),
      role: ROLES[j] ?? null,
      department: ['IT', 'Purchasing', 'IT', 'Engineering'][j]!,
    })),
  );
  const stages = options.stages;
  const deals: Deal[] = [];
  const activities: Activity[] = [];
  for (let i = 0; i < options.deals; i++) {
    const account = accounts[i % accounts.length]!;
    const quality = r();
    const created = new Date(start + Math.floor(r() * 715) * DAY + Math.floor(r() * 10) * 3_600_000);
    const amount = Math.round((20 + r() * 180) * 1000);
    // Later deals are more often still open.
    const age = (asOf.getTime() - created.getTime()) / DAY;
    const closesAfter = 60 + Math.floor(r() * 180);
    const isOpen = closesAfter > age;
    const won = !isOpen && r() < 1 / (1 + Math.exp(-6 * (quality - 0.5)));
    const reached = won
      ? stages.length - 1
      : Math.min(stages.length - 1, Math.floor(r() * stages.length * (0.4 + quality)));
    const stage = isOpen ? Math.min(reached, Math.floor((age / closesAfter) * stages.length)) : reached;
    const closed = isOpen ? null : new Date(created.getTime() + closesAfter * DAY);
    const history: StageStep[] = [];
    const span = (closed ?? asOf).getTime() - created.getTime();
    for (let s = 0; s <= stage; s++) {
      const at = new Date(created.getTime() + Math.floor((span * s) / (stage + 2)));
      history.push({
        stage: s,
        at,
        amount: s === 0 ? Math.round(amount * 0.8) : amount,
        close: new Date(created.getTime() + (closesAfter + (s > 1 ? 20 : 0)) * DAY),
      });
    }
    // Some weak deals fall back a stage before they are lost.
    if (!won && !isOpen && stage >= 2 && quality < 0.3) {
      history.push({
        stage: stage - 1,
        at: new Date(created.getTime() + Math.floor(span * 0.9)),
        amount,
        close: new Date(created.getTime() + (closesAfter + 20) * DAY),
      });
    }
    const deal: Deal = {
      n: i + 1,
      account: account.n,
      owner: account.owner,
      name: `Deal ${i + 1}`,
      created,
      stage,
      outcome: isOpen ? 'open' : won ? 'won' : 'lost',
      closed,
      expectedClose: new Date(created.getTime() + closesAfter * DAY),
      amount,
      currency: i % 5 === 0 ? 'EUR' : 'USD',
      history,
      roles: [],
      kind: i % 7 === 0 ? 'renewal' : i % 3 === 0 ? 'upsell' : 'new',
      competitors:
        r() < 0.5
          ? [{ name: pick(['Acme Corp', 'Globex', 'Initech']), at: new Date(created.getTime() + 5 * DAY) }]
          : [],
      lineItems: Array.from({ length: 1 + Math.floor(r() * 2) }, (_, k) => ({
        product: ['Platform', 'Analytics', 'Support'][(i + k) % 3]!,
        quantity: 1 + Math.floor(r() * 20),
        price: 500 + Math.floor(r() * 20) * 100,
        discount: Math.floor(r() * 4) * 5,
        at: new Date(created.getTime() + 2 * DAY),
      })),
    };
    // Good deals reach more of the buying committee, earlier.
    const people = contacts.filter((c) => c.account === account.n);
    const reachedPeople = people.filter((_, j) => (j === 0 ? quality > 0.45 : r() < 0.3 + quality * 0.5));
    for (const c of reachedPeople)
      deal.roles.push({
        contact: c.n,
        role: c.role ?? 'influencer',
        at: new Date(created.getTime() + Math.floor(r() * 0.3 * span)),
      });
    deals.push(deal);
    const count = 2 + Math.floor(quality * 10 + r() * 3);
    for (let k = 0; k < count; k++) {
      const at = new Date(created.getTime() + Math.floor(r() * span) + 9 * 3_600_000);
      if (at > asOf) continue;
      const kind = pick(['call', 'email', 'email', 'meeting', k % 7 === 6 ? 'other' : 'call'] as const);
      const who = reachedPeople.length > 0 ? [pick(reachedPeople).n] : [pick(people).n];
      activities.push({
        n: activities.length + 1,
        deal: deal.n,
        account: account.n,
        owner: r() < 0.15 ? 8 : deal.owner,
        kind,
        inbound: r() < 0.2 + quality * 0.4,
        at,
        minutes: kind === 'meeting' ? 60 : kind === 'call' ? 5 + Math.floor(r() * 30) : 0,
        contacts: who,
      });
    }
  }
  // Account-level touches, on no deal.
  for (const account of accounts) {
    for (let k = 0; k < 3; k++) {
      const at = new Date(start + Math.floor(r() * 700) * DAY + 10 * 3_600_000);
      const people = contacts.filter((c) => c.account === account.n);
      activities.push({
        n: activities.length + 1,
        deal: null,
        account: account.n,
        owner: account.owner,
        kind: 'email',
        inbound: r() < 0.5,
        at,
        minutes: 0,
        contacts: [pick(people).n],
      });
    }
  }
  return { asOf, accounts, users, contacts, deals, activities, stages };
}

/** The deal's stage name as of now: an open stage, or won/lost. */
export function currentStage(world: World, deal: Deal): string {
  return deal.outcome === 'open' ? world.stages[deal.stage]!.name : deal.outcome;
}
