/**
 * What each vendor export shape gives the models, measured end to end (load, features, train, score)
 * on the seeded 220-deal org test/load/vendor-exports.test.ts writes in each shape; that test prints
 * these figures (`npx vitest run test/load/vendor-exports.test.ts`) and asserts the dead features.
 * docs/layouts.md shows the table; update it from the test's output when the figures move.
 */
export interface ShapeFigures {
  shape: string;
  layout: string;
  /** Holdout AUC of the win model, and of the stage-probability baseline on the same rows. */
  auc: number;
  baselineAuc: number;
  /** Catalog features constant or empty on the training rows, of `features`. */
  dead: number;
  features: number;
  /** What the figures mean for a user of the shape, where they need saying. */
  note?: string;
}

export const SHAPE_FIGURES: ShapeFigures[] = [
  {
    shape: 'Salesforce Data Loader / weekly export',
    layout: 'salesforce',
    auc: 0.84,
    baselineAuc: 0.77,
    dead: 12,
    features: 78,
  },
  { shape: 'Salesforce report CSV', layout: 'salesforce', auc: 0.903, baselineAuc: 0.77, dead: 12, features: 78 },
  { shape: 'HubSpot CRM API v3 JSON', layout: 'hubspot', auc: 0.935, baselineAuc: 0.774, dead: 19, features: 78 },
  {
    shape: 'HubSpot UI export',
    layout: 'hubspot',
    auc: 0.303,
    baselineAuc: 0.5,
    dead: 55,
    features: 78,
    note: 'below chance: without history, engagements or roles no usable model trains; not investigated further. Export through the CRM API',
  },
  {
    shape: 'Dynamics 365 Dataverse Web API JSON',
    layout: 'dynamics',
    auc: 0.929,
    baselineAuc: 0.767,
    dead: 17,
    features: 78,
  },
  {
    shape: 'Dynamics 365 Synapse Link (no audit)',
    layout: 'dynamics',
    auc: 0.833,
    baselineAuc: 0.5,
    dead: 26,
    features: 78,
  },
];
