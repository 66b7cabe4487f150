/**
 * Permutation feature importance on the holdout: how much AUC the model loses when one feature's
 * values are shuffled across rows (breaking its link to the outcome, keeping its distribution).
 * A feature and its missing indicator (or a categorical feature's one-hot block) move together, as they are one raw feature.
 */
import { auc } from '../../pipeline/base/metrics.ts';
import { Random } from '../../pipeline/base/random.ts';
import { featureUnitNames, inputColumnNames, inputColumnsOf, type Preprocessing } from './preprocess.ts';

export interface FeatureImportance {
  feature: string;
  /** Holdout AUC lost when the feature's values are shuffled across rows (mean over repeats). */
  importance: number;
}

/** Rows used for permutation importance at most. */
export const MAX_IMPORTANCE_ROWS = 20_000;

function sampleRows(
  matrix: Float32Array,
  labels: ArrayLike<number>,
  width: number,
  maxRows: number,
  seed: number,
): { matrix: Float32Array; labels: ArrayLike<number> } {
  const rows = matrix.length / width;
  if (rows <= maxRows) return { matrix, labels };
  const chosen = new Random(seed ^ 0x5eed).permutation(rows).subarray(0, maxRows).sort();
  const sampled = new Float32Array(maxRows * width);
  for (const [k, row] of chosen.entries()) sampled.set(matrix.subarray(row * width, (row + 1) * width), k * width);
  return { matrix: sampled, labels: Float32Array.from(chosen, (row) => labels[row]!) };
}

/**
 * `score` maps a preprocessed matrix (row-major) to one score per row. Returns one entry per
 * feature, most important first.
 */
export async function permutationImportance(
  score: (matrix: Float32Array) => Promise<Float32Array>,
  matrix: Float32Array,
  labels: ArrayLike<number>,
  preprocessing: Preprocessing,
  options: { seed: number; repeats?: number; maxRows?: number },
): Promise<FeatureImportance[]> {
  const width = inputColumnNames(preprocessing).length;
  // on a large holdout a seeded sample of rows ranks the features as well, for a fraction of the passes' cost
  const sample = sampleRows(matrix, labels, width, options.maxRows ?? MAX_IMPORTANCE_ROWS, options.seed);
  matrix = sample.matrix;
  labels = sample.labels;
  const rows = matrix.length / width;
  const repeats = options.repeats ?? 1;
  const random = new Random(options.seed);
  const baseAuc = auc(await score(matrix), labels);
  const shuffled = new Float32Array(matrix.length);
  const importances: FeatureImportance[] = [];
  const units = featureUnitNames(preprocessing);
  for (let j = 0; j < units.length; j++) {
    const columns = inputColumnsOf(preprocessing, j);
    let drop = 0;
    for (let r = 0; r < repeats; r++) {
      const order = random.permutation(rows);
      shuffled.set(matrix);
      for (let i = 0; i < rows; i++) {
        for (const c of columns) shuffled[i * width + c] = matrix[order[i]! * width + c]!;
      }
      drop += baseAuc - auc(await score(shuffled), labels);
    }
    importances.push({ feature: units[j]!, importance: drop / repeats });
  }
  return importances.sort((a, b) => b.importance - a.importance || a.feature.localeCompare(b.feature));
}
