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
}

export const SHAPE_FIGURES: ShapeFigures[] = [];
