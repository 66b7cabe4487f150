/**
 * Feature columns to the network's input matrix. Statistics come from the training rows only and
 * are saved with the model (preprocess.json), so scoring applies exactly what training learned:
 *  - numeric: (x - mean) / std, clipped to [-clip, clip] so one wild value cannot dominate;
 *  - a missing value (NULL/NaN/Infinity) becomes the training mean, i.e. 0 after standardising;
 *  - a feature that had missing values in training also gets a 0/1 "<name>__missing" column,
 *    because whether a value is known can itself predict the outcome;
 *  - categorical (text): one 0/1 column per level seen at least `minLevelCount` times and on at least
 *    `minLevelShare` of the training rows, plus one "<name>=__other__" column for rare, unseen and
 *    missing levels (an export's free-text column then cannot grow the input without bound).
 * Each feature also keeps its training median (or most common level): the "typical" value that
 * explanations compare a deal with and replace its value by.
 */
import { IDENTITY_SCALING, type PlattScaling } from '../calibration.ts';

export interface FeatureScaling {
  name: string;
  mean: number;
  std: number;
  /** Median of the known training values (NaN when none): the typical deal. */
  median: number;
  /** Share of training rows where the feature was missing. */
  missingShare: number;
  /** Whether an indicator column follows the standardised columns. */
  missingIndicator: boolean;
}

export interface CategoricalEncoding {
  name: string;
  /** Levels with their own column, most common first; everything else is OTHER_LEVEL. */
  levels: string[];
  /** The most common training level (or OTHER_LEVEL): the typical deal. */
  mode: string;
}

export interface Preprocessing {
  format: 'wuwei-preprocess-2';
  features: FeatureScaling[];
  categorical: CategoricalEncoding[];
  clip: number;
  /** Platt scaling applied to the network's logit (fitted after training, on the validation split). */
  calibration: PlattScaling;
  /** Blend towards the stage's win rate where training saw few deals (stage-shrinkage.ts); absent: none. */
  shrinkage?: StageShrinkage;
}

/** Raw inputs of one table: numeric columns (NaN = missing) and text columns (null = missing), by feature order. */
export interface FeatureColumns {
  numeric: readonly Float32Array[];
  categorical?: readonly (readonly (string | null)[])[];
}

export const MISSING_SUFFIX = '__missing';
export const OTHER_LEVEL = '__other__';
/** Levels seen fewer times than this in training are bucketed into OTHER_LEVEL. */
export const DEFAULT_MIN_LEVEL_COUNT = 20;
/** ... and on fewer than this share of the training rows. */
export const DEFAULT_MIN_LEVEL_SHARE = 0.01;

/** Learns the scaling of each feature from `rows` of the numeric (and categorical) columns. */
export function fitPreprocessing(
  featureNames: readonly string[],
  columns: readonly Float32Array[],
  rows: Int32Array,
  clip = 5,
  categorical: {
    names: readonly string[];
    columns: readonly (readonly (string | null)[])[];
    minLevelCount?: number;
    minLevelShare?: number;
  } = { names: [], columns: [] },
): Preprocessing {
  const features = featureNames.map((name, j): FeatureScaling => {
    const column = columns[j]!;
    const known: number[] = [];
    let sum = 0;
    for (const i of rows) {
      const x = column[i]!;
      if (Number.isFinite(x)) {
        known.push(x);
        sum += x;
      }
    }
    const n = known.length;
    const mean = n > 0 ? sum / n : 0;
    let squares = 0;
    for (const x of known) squares += (x - mean) ** 2;
    const std = n > 0 ? Math.sqrt(squares / n) : 0;
    const missing = rows.length - n;
    return {
      name,
      mean,
      // a constant (or all-missing) feature carries no information: leave it at 0 instead of dividing by 0
      std: std > 1e-12 ? std : 1,
      median: median(known),
      missingShare: rows.length > 0 ? missing / rows.length : 0,
      missingIndicator: missing > 0,
    };
  });
  const minLevelCount = Math.max(
    categorical.minLevelCount ?? DEFAULT_MIN_LEVEL_COUNT,
    Math.ceil((categorical.minLevelShare ?? DEFAULT_MIN_LEVEL_SHARE) * rows.length),
  );
  const encodings = categorical.names.map((name, k): CategoricalEncoding => {
    const counts = new Map<string, number>();
    for (const i of rows) {
      const level = categorical.columns[k]![i] ?? null;
      if (level !== null) counts.set(level, (counts.get(level) ?? 0) + 1);
    }
    const byCount = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    const levels = byCount.filter(([, count]) => count >= minLevelCount).map(([level]) => level);
    return { name, levels, mode: levels[0] ?? OTHER_LEVEL };
  });
  return { format: 'wuwei-preprocess-2', features, categorical: encodings, clip, calibration: { ...IDENTITY_SCALING } };
}

/** Names of the network's input columns: the numeric features, their missing indicators, then the one-hot columns. */
export function inputColumnNames(preprocessing: Preprocessing): string[] {
  return [
    ...preprocessing.features.map((feature) => feature.name),
    ...preprocessing.features
      .filter((feature) => feature.missingIndicator)
      .map((feature) => feature.name + MISSING_SUFFIX),
    ...categoricalOf(preprocessing).flatMap((encoding) =>
      [...encoding.levels, OTHER_LEVEL].map((level) => `${encoding.name}=${level}`),
    ),
  ];
}

/** Every feature, numeric then categorical, by name: the units explanations and importance work on. */
export function featureUnitNames(preprocessing: Preprocessing): string[] {
  return [
    ...preprocessing.features.map((feature) => feature.name),
    ...categoricalOf(preprocessing).map((encoding) => encoding.name),
  ];
}

/**
 * Input columns that a feature unit feeds: a numeric feature's own column and, if any, its
 * indicator; a categorical feature's whole one-hot block. Units are numbered as in featureUnitNames.
 */
export function inputColumnsOf(preprocessing: Preprocessing, unitIndex: number): number[] {
  const numericCount = preprocessing.features.length;
  if (unitIndex < numericCount) {
    const own = [unitIndex];
    const indicator = indicatorIndices(preprocessing)[unitIndex];
    if (indicator !== undefined && indicator >= 0) own.push(indicator);
    return own;
  }
  const k = unitIndex - numericCount;
  const start = oneHotStarts(preprocessing)[k]!;
  const size = categoricalOf(preprocessing)[k]!.levels.length + 1;
  return Array.from({ length: size }, (_, c) => start + c);
}

/**
 * The input matrix, row-major (rows x inputColumnNames().length), for `rows` of the columns
 * (all rows when omitted). Numeric columns follow the preprocessing's feature order, categorical
 * columns its categorical order.
 */
export function transform(
  preprocessing: Preprocessing,
  columns: readonly Float32Array[] | FeatureColumns,
  rows?: Int32Array,
): Float32Array {
  const input: FeatureColumns = isFeatureColumns(columns) ? columns : { numeric: columns };
  const { features, clip } = preprocessing;
  const encodings = categoricalOf(preprocessing);
  if (input.numeric.length !== features.length)
    throw new RangeError(`transform: ${input.numeric.length} columns for ${features.length} features`);
  if ((input.categorical?.length ?? 0) !== encodings.length)
    throw new RangeError(
      `transform: ${input.categorical?.length ?? 0} text columns for ${encodings.length} categorical features`,
    );
  const n = rows ? rows.length : (input.numeric[0]?.length ?? input.categorical?.[0]?.length ?? 0);
  const width = inputColumnNames(preprocessing).length;
  const indicators = indicatorIndices(preprocessing);
  const matrix = new Float32Array(n * width);
  features.forEach((feature, j) => {
    const column = input.numeric[j]!;
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
  const starts = oneHotStarts(preprocessing);
  encodings.forEach((encoding, k) => {
    const column = input.categorical![k]!;
    const position = new Map(encoding.levels.map((level, c) => [level, c]));
    const other = encoding.levels.length;
    for (let r = 0; r < n; r++) {
      const level = column[rows ? rows[r]! : r] ?? null;
      const c = level === null ? other : (position.get(level) ?? other);
      matrix[r * width + starts[k]! + c] = 1;
    }
  });
  return matrix;
}

/** The input values a feature unit takes for the typical deal (training median or most common level), in inputColumnsOf order. */
export function typicalInputs(preprocessing: Preprocessing, unitIndex: number): number[] {
  const numericCount = preprocessing.features.length;
  if (unitIndex < numericCount) {
    const feature = preprocessing.features[unitIndex]!;
    const scaled = Number.isFinite(feature.median)
      ? Math.min(preprocessing.clip, Math.max(-preprocessing.clip, (feature.median - feature.mean) / feature.std))
      : 0;
    return feature.missingIndicator ? [scaled, 0] : [scaled];
  }
  const encoding = categoricalOf(preprocessing)[unitIndex - numericCount]!;
  const hot = encoding.levels.indexOf(encoding.mode);
  return Array.from({ length: encoding.levels.length + 1 }, (_, c) =>
    c === (hot >= 0 ? hot : encoding.levels.length) ? 1 : 0,
  );
}

/** For each feature, the index of its indicator column, or -1. */
function indicatorIndices(preprocessing: Preprocessing): number[] {
  let next = preprocessing.features.length;
  return preprocessing.features.map((feature) => (feature.missingIndicator ? next++ : -1));
}

/** For each categorical feature, the index of its first one-hot column. */
function oneHotStarts(preprocessing: Preprocessing): number[] {
  let next =
    preprocessing.features.length + preprocessing.features.filter((feature) => feature.missingIndicator).length;
  return categoricalOf(preprocessing).map((encoding) => {
    const start = next;
    next += encoding.levels.length + 1;
    return start;
  });
}

function categoricalOf(preprocessing: Preprocessing): CategoricalEncoding[] {
  return preprocessing.categorical ?? [];
}

function isFeatureColumns(columns: readonly Float32Array[] | FeatureColumns): columns is FeatureColumns {
  return !Array.isArray(columns) && 'numeric' in columns;
}

function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Blends each probability towards its stage's training win rate where the stage saw few deals (stage-shrinkage.ts). */
export interface StageShrinkage {
  /** The categorical input the baselines are kept by. */
  column: string;
  /** Per one-hot column of `column`, in input order: the training win rate there and the closed deals behind it. */
  baselines: { rate: number; deals: number }[];
  /** Prior strength in deals: the model's weight at a level is deals / (deals + strength). */
  strength: number;
}
