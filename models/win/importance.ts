/**
 * Permutation feature importance on the holdout: how much AUC the model loses when one feature's
 * values are shuffled across rows (breaking its link to the outcome, keeping its distribution).
 * A feature and its missing indicator (or a categorical feature's one-hot block) move together, as they are one raw feature.
 */
import { auc } from '../metrics.ts';
import { Random } from '../../pipeline/random.ts';
import { featureUnitNames, inputColumnNames, inputColumnsOf, type Preprocessing } from './preprocess.ts';

export interface FeatureImportance {
  feature: string;
  /** Holdout AUC lost when the feature's values are shuffled across rows (mean over repeats). */
  importance: number;
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
  options: { seed: number; repeats?: number },
): Promise<FeatureImportance[]> {
  const width = inputColumnNames(preprocessing).length;
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
