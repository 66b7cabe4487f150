import {
  ACTIVITY,
  AMOUNT,
  BUYING_ROLES,
  COMPETITORS,
  DEAL_TYPES,
  LEAD_SOURCES,
  OPEN_STAGES,
  PRODUCT_LINES,
  SEGMENTS,
  STAGE_DURATION,
  Z,
  type DealType,
} from './process.ts';
import { logNormalSurvival, sigmoid, type Random } from '../base/random.ts';
import type { Account, ContactRef, User, World } from './world.ts';
import type { RepHabits } from './untidy-reps.ts';

/** One deal's whole simulated life, from creation to its close (which may lie after the export cut). */
export interface SimulatedDeal {
  id: string;
  account: Account;
  owner: User;
  createdDay: number;
  type: DealType;
  leadSource: string;
  productLine: string;
  /** Latent win propensity: see process.ts. */
  z: number;
  /** Day each open stage was entered, by stage index; shorter than OPEN_STAGES when the deal was lost early. */
  stageEntries: number[];
  closeDay: number;
  won: boolean;
  finalAmount: number;
  amountChanges: { day: number; amount: number }[];
  closeDateChanges: { day: number; expectedClose: number }[];
  roles: {
    contact: ContactRef;
    role: string;
    stance: 'supporter' | 'neutral' | 'opponent';
    isPrimary: boolean;
    day: number;
  }[];
  competitors: { name: string; incumbent: boolean; day: number }[];
  activities: SimulatedActivity[];
  lineItems: { product: string; quantity: number; unitPrice: number; discount: number; day: number }[];
  /** Whether our executive sponsor takes part at some point of the deal's life (already counted in z). */
  hasSponsor: boolean;
  /** The rep's untidy habits in the untidy-reps variant (./untidy-reps.ts); undefined: tidy. */
  habits?: RepHabits;
}

export interface SimulatedActivity {
  day: number;
  type: string;
  direction: 'inbound' | 'outbound';
  durationMinutes: number;
  accountId: string;
  opportunityId: string;
  users: string[];
  contacts: string[];
}

/** What earlier deals tell about an account when a new one is created (is it a customer yet?). */
export interface AccountHistory {
  wonCloseDays: number[];
}

/** `customEffect`: what the company-specific columns (custom-columns.ts) add to z; 0 without them. */
export function simulateDeal(
  random: Random,
  world: World,
  id: string,
  account: Account,
  createdDay: number,
  history: AccountHistory,
  habits?: RepHabits,
  customEffect = 0,
): SimulatedDeal {
  const segment = SEGMENTS[account.segment];
  const reps = world.repsByRegion.get(account.region)!;
  const owner = random.bernoulli(0.75) ? reps.find((r) => r.id === account.ownerId)! : random.pick(reps);
  const isCustomer = history.wonCloseDays.some((day) => day < createdDay);
  const type: DealType = isCustomer
    ? random.weighted([
        ['new', 0.3],
        ['upsell', 0.4],
        ['renewal', 0.3],
      ] as const)
    : 'new';
  const [leadSource, , sourceEffect] = random.weighted(LEAD_SOURCES.map((s) => [s, s[1]] as const));
  const [productLine, , productSize] = random.weighted(PRODUCT_LINES.map((p) => [p, p[1]] as const));
  const plannedCycle = OPEN_STAGES.reduce((sum, stage) => sum + stage.medianDays, 0) * segment.cycleFactor;

  // Relationship quality: partly the account's goodwill and the rep's skill, mostly this deal's own.
  const quality = random.normal(0, 0.8) + 0.4 * account.affinity + 0.5 * owner.skill;

  // The buying committee we manage to engage, and when.
  const roles: SimulatedDeal['roles'] = [];
  const used = new Set<string>();
  let roleEffect = 0;
  for (const spec of BUYING_ROLES) {
    if (!random.bernoulli(sigmoid(spec.engage + 1.2 * quality))) continue;
    const contact = pickContact(random, account, spec.seniorities, used);
    if (!contact) continue;
    roleEffect += spec.effect;
    const day = createdDay + spec.engagedAtCycle * plannedCycle * random.uniform(0.4, 1.4);
    const stance =
      spec.role === 'champion'
        ? 'supporter'
        : random.bernoulli(sigmoid(-0.3 + 0.8 * quality))
          ? 'supporter'
          : 'neutral';
    roles.push({ contact, role: spec.role, stance, isPrimary: false, day });
  }
  if (roles.length === 0) {
    const contact = pickContact(random, account, ['manager', 'staff', 'director'], used)!;
    roles.push({ contact, role: 'influencer', stance: 'neutral', isPrimary: false, day: createdDay });
  }
  // The first contact we engaged is the deal's entry point and primary contact.
  roles.sort((a, b) => a.day - b.day);
  roles[0]!.day = createdDay;
  roles[0]!.isPrimary = true;
  const hasBlocker = random.bernoulli(sigmoid(Z.blockerIntercept - 0.5 * quality));
  if (hasBlocker) {
    const contact = pickContact(random, account, ['vp', 'director', 'manager'], used);
    if (contact)
      roles.push({
        contact,
        role: 'blocker',
        stance: 'opponent',
        isPrimary: false,
        day: createdDay + random.uniform(0.15, 0.6) * plannedCycle,
      });
  }
  const hasSponsor = random.bernoulli(
    sigmoid(Z.sponsorIntercept + (account.segment === 'enterprise' ? 0.9 : 0) + 0.5 * quality),
  );
  const sponsorFrom = createdDay + random.uniform(0.2, 0.6) * plannedCycle;
  const sponsor = random.pick(world.executives);

  const competitors: SimulatedDeal['competitors'] = [];
  const competitorCount = Math.min(3, random.poisson(account.segment === 'smb' ? 0.3 : 0.8));
  let competitorEffect = 0;
  for (let i = 0; i < competitorCount; i++) {
    const [name, strength] = random.pick(COMPETITORS);
    if (competitors.some((c) => c.name === name)) continue;
    const incumbent = i === 0 && random.bernoulli(type === 'new' ? 0.35 : 0.1);
    competitorEffect += Z.perCompetitorEffect - strength + (incumbent ? Z.incumbentEffect : 0);
    competitors.push({ name, incumbent, day: createdDay + random.uniform(0, 0.4) * plannedCycle });
  }

  const need =
    segment.medianNeed *
    productSize *
    Math.pow(account.employees / segment.employees, 0.3) *
    random.logNormal(0, AMOUNT.needSigma);
  const z =
    Z.centre +
    DEAL_TYPES[type] +
    sourceEffect +
    owner.skill +
    roleEffect +
    (hasBlocker ? Z.blockerEffect : 0) +
    (hasSponsor ? Z.sponsorEffect : 0) +
    competitorEffect +
    Z.logSizeEffect * Math.log(need / segment.medianNeed) +
    Z.affinityEffect * account.affinity +
    Z.qualityEffect * quality +
    random.normal(0, Z.hiddenSd) +
    customEffect;

  // Walk the stages: advance or lose at each.
  const stageEntries: number[] = [];
  let day = createdDay;
  let won = false;
  for (let s = 0; s < OPEN_STAGES.length; s++) {
    stageEntries.push(day);
    const advances = random.bernoulli(sigmoid(OPEN_STAGES[s]!.advanceIntercept + z));
    const { mu, sigma } = stageDuration(s, z, segment.cycleFactor, advances);
    day += Math.max(1, random.logNormal(mu, sigma));
    if (!advances) break;
    if (s === OPEN_STAGES.length - 1) won = true;
  }
  const closeDay = Math.floor(day);

  // Amounts: the rep's first guess, a revision at Proposal, the amount it closes at.
  const finalIfWon = roundMoney(
    need *
      Math.exp(
        AMOUNT.finalQualityEffect * quality +
          AMOUNT.finalPerCompetitor * competitors.length +
          random.normal(0, AMOUNT.finalSigma),
      ),
  );
  // (An untidy rep's numbers replace the tidy ones after they are drawn, so both variants draw the same deals.)
  const firstAmount = roundMoney(need * Math.exp(AMOUNT.repBias + random.normal(0, AMOUNT.repSigma)));
  const amountChanges = [
    { day: createdDay, amount: habits ? roundMoney(need * Math.exp(habits.firstAmountLog)) : firstAmount },
  ];
  const proposalDay = stageEntries[3];
  if (proposalDay !== undefined) {
    const revised = roundMoney(finalIfWon * random.logNormal(0, AMOUNT.proposalSigma));
    if (!habits || habits.revisesAmount) amountChanges.push({ day: proposalDay, amount: revised });
  }
  const finalAmount = won ? finalIfWon : amountChanges[amountChanges.length - 1]!.amount;

  // The rep's expected close date: optimistic, pushed by a month or two each time it passes.
  const tidyCloseDates = expectedCloseDates(createdDay + plannedCycle * random.logNormal(-0.15, 0.3), closeDay, () =>
    random.uniform(25, 60),
  );
  const closeDateChanges = habits
    ? expectedCloseDates(createdDay + plannedCycle * habits.firstCloseShare, closeDay, habits.pushDays)
    : tidyCloseDates;
  closeDateChanges[0]!.day = createdDay;

  const activities = simulateActivities(
    random,
    world,
    id,
    account,
    owner,
    createdDay,
    closeDay,
    quality,
    roles,
    hasSponsor ? { user: sponsor, from: sponsorFrom } : undefined,
  );

  const lineItems: SimulatedDeal['lineItems'] = [];
  if (proposalDay !== undefined) {
    const items = random.int(1, 3);
    const total = amountChanges[amountChanges.length - 1]!.amount;
    for (let i = 0; i < items; i++) {
      const discount = Math.round(random.uniform(0, 0.25) * 100) / 100;
      const quantity = random.int(1, 50);
      lineItems.push({
        product: `${productLine} ${['Core', 'Plus', 'Premium'][i]}`,
        quantity,
        unitPrice: Math.round((total / items / quantity / (1 - discount)) * 100) / 100,
        discount,
        day: proposalDay,
      });
    }
  }

  return {
    id,
    account,
    owner,
    createdDay,
    type,
    leadSource,
    productLine,
    z,
    stageEntries,
    closeDay,
    won,
    finalAmount,
    amountChanges,
    closeDateChanges,
    roles,
    competitors,
    activities,
    lineItems,
    hasSponsor,
    ...(habits ? { habits } : {}),
  };
}

/** The rep's expected close dates: `first`, then each time it lapses with the deal open, pushed by `push()` days. */
function expectedCloseDates(
  first: number,
  closeDay: number,
  push: () => number,
): { day: number; expectedClose: number }[] {
  const dates = [{ day: Number.NaN, expectedClose: first }];
  for (let lapsed = first; lapsed < closeDay; ) {
    const expectedClose = lapsed + push();
    dates.push({ day: lapsed, expectedClose });
    lapsed = expectedClose;
  }
  return dates;
}

/** Log-normal parameters of the time spent in stage `s`, given whether the deal advances from it. */
export function stageDuration(
  s: number,
  z: number,
  cycleFactor: number,
  advances: boolean,
): { mu: number; sigma: number } {
  const median = OPEN_STAGES[s]!.medianDays * cycleFactor;
  return advances
    ? { mu: Math.log(median * Math.exp(-STAGE_DURATION.speedPerZ * z)), sigma: STAGE_DURATION.advanceSigma }
    : { mu: Math.log(median * STAGE_DURATION.loseStallFactor), sigma: STAGE_DURATION.loseSigma };
}

/**
 * The oracle: P(win | z, open in stage s for `daysInStage` days). The time already spent tilts the
 * odds of this stage (stalling deals are more often lost); later stages multiply in.
 */
export function trueWinProbability(deal: SimulatedDeal, day: number): number {
  // closed strictly before `day` (a deal closing on day `day` itself is still open at its start)
  if (deal.closeDay < day) return deal.won ? 1 : 0;
  const s = deal.stageEntries.findLastIndex((entered) => entered <= day);
  const cycleFactor = SEGMENTS[deal.account.segment].cycleFactor;
  const elapsed = day - deal.stageEntries[s]!;
  const q = sigmoid(OPEN_STAGES[s]!.advanceIntercept + deal.z);
  const adv = stageDuration(s, deal.z, cycleFactor, true);
  const lose = stageDuration(s, deal.z, cycleFactor, false);
  const stillAdvancing = q * logNormalSurvival(elapsed, adv.mu, adv.sigma);
  const stillLosing = (1 - q) * logNormalSurvival(elapsed, lose.mu, lose.sigma);
  let p = stillAdvancing / (stillAdvancing + stillLosing);
  for (let later = s + 1; later < OPEN_STAGES.length; later++)
    p *= sigmoid(OPEN_STAGES[later]!.advanceIntercept + deal.z);
  return p;
}

function simulateActivities(
  random: Random,
  world: World,
  opportunityId: string,
  account: Account,
  owner: User,
  fromDay: number,
  toDay: number,
  quality: number,
  roles: SimulatedDeal['roles'],
  sponsor: { user: User; from: number } | undefined,
): SimulatedActivity[] {
  const perDay =
    (SEGMENTS[account.segment].activitiesPerWeek / 7) *
    Math.exp(ACTIVITY.qualityOnRate * quality + ACTIVITY.affinityOnRate * account.affinity);
  const count = random.poisson(perDay * Math.max(1, toDay - fromDay));
  const inbound = sigmoid(ACTIVITY.inboundIntercept + ACTIVITY.inboundPerQuality * quality);
  const engineers = world.engineersByRegion.get(account.region)!;
  const engaged = roles.filter((r) => r.role !== 'blocker');
  const activities: SimulatedActivity[] = [];
  for (let i = 0; i < count; i++) {
    const day = random.uniform(fromDay, toDay);
    const [type, , minutes] = random.weighted(ACTIVITY.types.map((t) => [t, t[1]] as const));
    const users = [random.bernoulli(0.9) || type === 'demo' ? owner.id : random.pick(engineers).id];
    if (type === 'demo' || random.bernoulli(0.1)) users.push(random.pick(engineers).id);
    if (sponsor && day >= sponsor.from && type !== 'email' && random.bernoulli(0.25)) users.push(sponsor.user.id);
    const known = engaged.filter((r) => r.day <= day);
    const reachable = known.length > 0 ? known : engaged.slice(0, 1);
    const contacts = [random.pick(reachable).contact.id];
    if (type !== 'email' && reachable.length > 1 && random.bernoulli(0.4))
      contacts.push(random.pick(reachable).contact.id);
    activities.push({
      day,
      type,
      direction: random.bernoulli(type === 'email' || type === 'call' ? inbound : inbound * 0.5)
        ? 'inbound'
        : 'outbound',
      durationMinutes: minutes === 0 ? 0 : Math.round(minutes * random.logNormal(0, 0.3)),
      accountId: account.id,
      opportunityId,
      users: [...new Set(users)],
      contacts: [...new Set(contacts)],
    });
  }
  return activities.sort((a, b) => a.day - b.day);
}

function pickContact(
  random: Random,
  account: Account,
  seniorities: readonly string[],
  used: Set<string>,
): ContactRef | undefined {
  const free = account.contacts.filter((c) => !used.has(c.id));
  const fitting = free.filter((c) => seniorities.includes(c.seniority));
  const pool = fitting.length > 0 ? fitting : free;
  if (pool.length === 0) return undefined;
  const contact = random.pick(pool);
  used.add(contact.id);
  return contact;
}

function roundMoney(amount: number): number {
  return Math.max(100, Math.round(amount / 100) * 100);
}
