/**
 * Feature columns to the network's input matrix. Statistics come from the training rows only and
 * are saved with the model (preprocess.json), so scoring applies exactly what training learned:
 *  - standardise: (x - mean) / std, clipped to [-clip, clip] so one wild value cannot dominate;
 *  - a missing value (NULL/NaN/Infinity) becomes the training mean, i.e. 0 after standardising;
 *  - a feature that had missing values in training also gets a 0/1 "<name>__missing" column,
 *    because whether a value is known can itself predict the outcome.
 */
import { IDENTITY_SCALING, type PlattScaling } from '../calibration.ts';

export interface FeatureScaling {
  name: string;
  mean: number;
  std: number;
  /** Share of training rows where the feature was missing. */
  missingShare: number;
  /** Whether an indicator column follows the standardised columns. */
  missingIndicator: boolean;
}

export interface Preprocessing {
  format: 'wuwei-preprocess-1';
  features: FeatureScaling[];
  clip: number;
  /** Platt scaling applied to the network's logit (fitted after training, on the validation split). */
  calibration: PlattScaling;
}

export const MISSING_SUFFIX = '__missing';

/** Learns the scaling of each feature from `rows` of `columns` (one Float32Array per feature). */
export function fitPreprocessing(featureNames: readonly string[], columns: readonly Float32Array[], rows: Int32Array, clip = 5): Preprocessing {
  const features = featureNames.map((name, j): FeatureScaling => {
    const column = columns[j]!;
    let n = 0;
    let sum = 0;
    for (const i of rows) {
      const x = column[i]!;
      if (Number.isFinite(x)) {
        n++;
        sum += x;
      }
    }
    const mean = n > 0 ? sum / n : 0;
    let squares = 0;
    for (const i of rows) {
      const x = column[i]!;
      if (Number.isFinite(x)) squares += (x - mean) ** 2;
    }
    const std = n > 0 ? Math.sqrt(squares / n) : 0;
    const missing = rows.length - n;
    return {
      name,
      mean,
      // a constant (or all-missing) feature carries no information: leave it at 0 instead of dividing by 0
      std: std > 1e-12 ? std : 1,
      missingShare: rows.length > 0 ? missing / rows.length : 0,
      missingIndicator: missing > 0,
    };
  });
  return { format: 'wuwei-preprocess-1', features, clip, calibration: { ...IDENTITY_SCALING } };
}

/** Names of the network's input columns: the features, then one indicator per feature that had missing values. */
export function inputColumnNames(preprocessing: Preprocessing): string[] {
  return [
    ...preprocessing.features.map((feature) => feature.name),
    ...preprocessing.features.filter((feature) => feature.missingIndicator).map((feature) => feature.name + MISSING_SUFFIX),
  ];
}

/** Input columns that a feature feeds: its own and, if any, its indicator. */
export function inputColumnsOf(preprocessing: Preprocessing, featureIndex: number): number[] {
  const own = [featureIndex];
  const indicator = indicatorIndices(preprocessing)[featureIndex];
  if (indicator !== undefined && indicator >= 0) own.push(indicator);
  return own;
}

/**
 * The input matrix, row-major (rows x inputColumnNames().length), for `rows` of `columns`
 * (all rows when omitted). Columns follow the preprocessing's feature order.
 */
export function transform(preprocessing: Preprocessing, columns: readonly Float32Array[], rows?: Int32Array): Float32Array {
  const { features, clip } = preprocessing;
  if (columns.length !== features.length) throw new RangeError(`transform: ${columns.length} columns for ${features.length} features`);
  const n = rows ? rows.length : (columns[0]?.length ?? 0);
  const width = inputColumnNames(preprocessing).length;
  const indicators = indicatorIndices(preprocessing);
  const matrix = new Float32Array(n * width);
  features.forEach((feature, j) => {
    const column = columns[j]!;
    const indicator = indicators[j]!;
    for (let r = 0; r < n; r++) {
      const x = column[rows ? rows[r]! : r]!;
      const offset = r * width;
      if (Number.isFinite(x)) {
        matrix[offset + j] = Math.min(clip, Math.max(-clip, (x - feature.mean) / feature.std));
      } else if (indicator >= 0) {
        matrix[offset + indicator] = 1;
      }
    }
  });
  return matrix;
}

/** For each feature, the index of its indicator column, or -1. */
function indicatorIndices(preprocessing: Preprocessing): number[] {
  let next = preprocessing.features.length;
  return preprocessing.features.map((feature) => (feature.missingIndicator ? next++ : -1));
}
