/**
 * The latent process behind the synthetic CRM: every coefficient that decides how relationships (ECM)
 * and project behaviour (PBM) drive a deal's outcome, timing and final amount lives here, so the
 * generator's documentation (README.md beside this file) and the code cannot disagree.
 *
 * A deal's win propensity z is fixed when it is created, from traits that the CRM records reveal
 * only gradually (contacts engaged, roles, stances, competitors, activity intensity). The deal then
 * walks the open stages; at each it advances with probability sigmoid(advanceIntercept + z), or is
 * lost. Time spent in a stage is log-normal, shorter for deals that will advance and for strong
 * deals, longer for deals that will be lost (they stall). Nothing after creation depends on the
 * coin flips except through z and the stage clock, so P(win | z, stage, days in stage) has a closed
 * form: that is the oracle `true_win_probability` in ground_truth.csv.
 */

export const OPEN_STAGES = [
  { name: 'Prospecting', probability: 0.1, forecastCategory: 'pipeline', advanceIntercept: 1.25, medianDays: 12 },
  { name: 'Qualification', probability: 0.2, forecastCategory: 'pipeline', advanceIntercept: 0.95, medianDays: 18 },
  { name: 'Discovery', probability: 0.4, forecastCategory: 'pipeline', advanceIntercept: 1.0, medianDays: 24 },
  { name: 'Proposal', probability: 0.6, forecastCategory: 'best_case', advanceIntercept: 1.3, medianDays: 20 },
  { name: 'Negotiation', probability: 0.8, forecastCategory: 'commit', advanceIntercept: 1.9, medianDays: 14 },
] as const;

export const WON_STAGE = 'Closed Won';
export const LOST_STAGE = 'Closed Lost';

/** Spread of time in stage (log scale); losing deals stall longer and vary more. */
export const STAGE_DURATION = {
  advanceSigma: 0.55,
  loseSigma: 0.7,
  loseStallFactor: 1.8,
  /** Strong deals move faster: median days multiplied by exp(-speedPerZ * z). */
  speedPerZ: 0.15,
} as const;

export type Segment = 'enterprise' | 'mid_market' | 'smb';

export const SEGMENTS: Record<
  Segment,
  {
    share: number;
    medianNeed: number;
    cycleFactor: number;
    contacts: [number, number];
    activitiesPerWeek: number;
    employees: number;
  }
> = {
  enterprise: {
    share: 0.2,
    medianNeed: 160_000,
    cycleFactor: 1.7,
    contacts: [10, 24],
    activitiesPerWeek: 2.0,
    employees: 8000,
  },
  mid_market: {
    share: 0.4,
    medianNeed: 45_000,
    cycleFactor: 1.0,
    contacts: [5, 12],
    activitiesPerWeek: 1.4,
    employees: 900,
  },
  smb: { share: 0.4, medianNeed: 12_000, cycleFactor: 0.6, contacts: [2, 6], activitiesPerWeek: 1.0, employees: 90 },
};

export const DEAL_TYPES = { new: 0, upsell: 0.45, renewal: 0.9 } as const;
export type DealType = keyof typeof DEAL_TYPES;

export const LEAD_SOURCES = [
  ['referral', 0.15, 0.4],
  ['partner', 0.15, 0.25],
  ['inbound', 0.3, 0.1],
  ['outbound', 0.3, -0.15],
  ['event', 0.1, 0],
] as const;

export const PRODUCT_LINES = [
  ['Platform', 0.35, 1.0],
  ['Analytics', 0.3, 0.6],
  ['Integration', 0.2, 0.45],
  ['Services', 0.15, 0.3],
] as const;

/** Competitors and how much each lowers our odds when present. */
export const COMPETITORS = [
  ['Acmetrix', 0.35],
  ['Borealis Systems', 0.2],
  ['Cobalt Cloud', 0.1],
  ['Dynamo Soft', 0.25],
  ['Evergreen Data', 0.05],
  ['Fathom Labs', 0.15],
] as const;

/**
 * The roles of a buying committee. `engage` is the intercept of P(we engage this role) =
 * sigmoid(engage + 1.2 * relationshipQuality); `effect` is its contribution to z when engaged.
 * `seniorities` are the titles a contact in that role usually has.
 */
export const BUYING_ROLES = [
  { role: 'decision_maker', engage: -0.4, effect: 0.6, seniorities: ['c_level', 'vp'], engagedAtCycle: 0.55 },
  {
    role: 'economic_buyer',
    engage: -0.8,
    effect: 0.35,
    seniorities: ['c_level', 'vp', 'director'],
    engagedAtCycle: 0.65,
  },
  { role: 'champion', engage: 0.0, effect: 0.65, seniorities: ['director', 'manager'], engagedAtCycle: 0.2 },
  { role: 'technical_evaluator', engage: 0.8, effect: 0.15, seniorities: ['manager', 'staff'], engagedAtCycle: 0.35 },
  { role: 'user', engage: 0.3, effect: 0.1, seniorities: ['staff', 'manager'], engagedAtCycle: 0.4 },
  { role: 'influencer', engage: 0.0, effect: 0.1, seniorities: ['director', 'manager', 'staff'], engagedAtCycle: 0.3 },
] as const;

export const Z = {
  /** A blocker (opponent stance) found on the buying side: P = sigmoid(blockerIntercept - 0.5 * quality). */
  blockerIntercept: -1.6,
  blockerEffect: -0.75,
  /** Our executive sponsor involved: P = sigmoid(sponsorIntercept + 0.9 [enterprise] + 0.5 * quality). */
  sponsorIntercept: -1.3,
  sponsorEffect: 0.35,
  incumbentEffect: -0.5,
  perCompetitorEffect: -0.15,
  /** Bigger asks than the segment's norm are harder to win. */
  logSizeEffect: -0.25,
  /** Account affinity (history with the account, visible in its past results) and rep skill. */
  affinityEffect: 0.45,
  repSkillSd: 0.35,
  /** Relationship quality that shows only through activity intensity and who initiates. */
  qualityEffect: 0.3,
  /** What no record reveals. */
  hiddenSd: 0.5,
  /** Centre so that the average deal's z is near zero. */
  centre: -1.05,
} as const;

/** Activity behaviour: intensity and customer-initiated share rise with relationship quality. */
export const ACTIVITY = {
  qualityOnRate: 0.35,
  affinityOnRate: 0.2,
  inboundIntercept: -0.7,
  inboundPerQuality: 0.6,
  types: [
    ['email', 0.45, 0],
    ['call', 0.27, 25],
    ['meeting', 0.2, 55],
    ['demo', 0.08, 70],
  ] as const,
  /** Account-level touches not tied to a deal, per year, times exp(affinity). */
  accountTouchesPerYear: 3,
} as const;

/** Amounts: the rep's first number is optimistic and noisy; the won amount follows the real need. */
export const AMOUNT = {
  needSigma: 0.55,
  repBias: 0.12,
  repSigma: 0.45,
  proposalSigma: 0.2,
  finalQualityEffect: 0.1,
  finalPerCompetitor: -0.07,
  finalSigma: 0.12,
} as const;
