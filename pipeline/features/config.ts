/**
 * Feature settings: how deals are observed for training and how relationship strength is weighed.
 * Defaults here; later a config file can override them (the loader of that file validates it).
 */
export interface FeatureConfig {
  /** Open stages in order, with the CRM's default probability (the baseline). */
  stages: { name: string; probability: number }[];
  wonStages: string[];
  lostStages: string[];
  /** Training observations: creation + this many days, each stage entry, then every `spacingDays`. */
  firstLookDays: number;
  spacingDays: number;
  /** Relationship strength: an interaction's weight halves every `halfLifeDays`. */
  halfLifeDays: number;
  /** Customer-initiated interactions show a two-way tie: their weight is multiplied by this. */
  inboundWeight: number;
  activityWeights: Record<string, number>;
  seniorityWeights: Record<string, number>;
  /** Seniority ranks: higher reaches further up the customer's organisation. */
  seniorityRanks: Record<string, number>;
  /** Roles a complete buying committee has. */
  requiredRoles: string[];
}

export const DEFAULT_FEATURE_CONFIG: FeatureConfig = {
  stages: [
    { name: 'Prospecting', probability: 0.1 },
    { name: 'Qualification', probability: 0.2 },
    { name: 'Discovery', probability: 0.4 },
    { name: 'Proposal', probability: 0.6 },
    { name: 'Negotiation', probability: 0.8 },
  ],
  wonStages: ['Closed Won'],
  lostStages: ['Closed Lost'],
  firstLookDays: 7,
  spacingDays: 30,
  halfLifeDays: 45,
  inboundWeight: 1.5,
  activityWeights: { email: 1, call: 2, meeting: 3, demo: 3 },
  seniorityWeights: { c_level: 2, vp: 1.6, director: 1.3, manager: 1, staff: 0.8 },
  seniorityRanks: { c_level: 5, vp: 4, director: 3, manager: 2, staff: 1 },
  requiredRoles: ['decision_maker', 'economic_buyer', 'champion', 'technical_evaluator', 'user', 'influencer'],
};
