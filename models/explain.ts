/**
 * Why a deal scores as it does: baseline occlusion. For each feature, the deal's value is replaced
 * by the typical training value (median, or most common level for a categorical feature) and the
 * deal is scored again; the feature's effect is (probability as it is) - (probability with the
 * typical value). Positive effects raise the win probability, negative ones lower it.
 * Batched: one forward pass per feature over all deals, so the cost is (features + 1) predictions.
 * Effects of features are not additive (the network has interactions); each answers "what if only
 * this were typical?".
 */
import { plainLabel } from '../pipeline/features/plain-label.ts';
import type { DealFactors, Factor } from './predictions.ts';
import {
  featureUnitNames,
  inputColumnNames,
  inputColumnsOf,
  typicalInputs,
  type Preprocessing,
} from './win/preprocess.ts';
import type { Observations } from './win/data.ts';

export const TOP_FACTORS = 5;

/** Per-feature effects, row-major (deals x features in featureUnitNames order). */
export async function occlusionEffects(
  score: (matrix: Float32Array) => Promise<Float32Array>,
  matrix: Float32Array,
  probabilities: Float32Array,
  preprocessing: Preprocessing,
): Promise<Float32Array> {
  const width = inputColumnNames(preprocessing).length;
  const rows = probabilities.length;
  const units = featureUnitNames(preprocessing);
  const effects = new Float32Array(rows * units.length);
  const occluded = Float32Array.from(matrix);
  for (let u = 0; u < units.length; u++) {
    const columns = inputColumnsOf(preprocessing, u);
    const typical = typicalInputs(preprocessing, u);
    for (let r = 0; r < rows; r++) {
      for (const [k, c] of columns.entries()) occluded[r * width + c] = typical[k]!;
    }
    const withTypical = await score(occluded);
    for (let r = 0; r < rows; r++) {
      effects[r * units.length + u] = probabilities[r]! - withTypical[r]!;
      for (const c of columns) occluded[r * width + c] = matrix[r * width + c]!;
    }
  }
  return effects;
}

/** The top positive and negative factors of every deal, in plain words from the feature catalog. */
export function topFactors(
  effects: Float32Array,
  observations: Observations,
  preprocessing: Preprocessing,
  top = TOP_FACTORS,
): DealFactors[] {
  const units = featureUnitNames(preprocessing);
  const numericCount = preprocessing.features.length;
  const labels = units.map(plainLabel);
  const deals: DealFactors[] = [];
  for (let r = 0; r < observations.rowCount; r++) {
    const order = Array.from({ length: units.length }, (_, u) => u).sort(
      (a, b) => effects[r * units.length + b]! - effects[r * units.length + a]!,
    );
    const factor = (u: number): Factor => {
      const effect = effects[r * units.length + u]!;
      if (u < numericCount) {
        const value = observations.features[u]![r]!;
        const typical = preprocessing.features[u]!.median;
        return {
          feature: units[u]!,
          label: labels[u]!,
          value: Number.isFinite(value) ? value : null,
          typical: Number.isFinite(typical) ? typical : null,
          effect,
        };
      }
      const k = u - numericCount;
      const encoding = preprocessing.categorical[k]!;
      const level = observations.categories[k]![r] ?? 'unknown';
      // a category in words with its level: "Segment is enterprise"
      return {
        feature: units[u]!,
        label: `${labels[u]!} is ${level}`,
        value: null,
        typical: null,
        valueLabel: level,
        typicalLabel: encoding.mode,
        effect,
      };
    };
    deals.push({
      positive: order
        .filter((u) => effects[r * units.length + u]! > 0)
        .slice(0, top)
        .map(factor),
      negative: order
        .filter((u) => effects[r * units.length + u]! < 0)
        .reverse()
        .slice(0, top)
        .map(factor),
    });
  }
  return deals;
}
