/**
 * Shrinkage towards the stage baseline where data is thin. On a small export a stage may hold a few
 * dozen closed deals: the network's calibrated probability there rests on little and wanders. The
 * final probability blends it with the win rate of the training deals seen at the same stage,
 *   p = n / (n + k) * p_model + k / (n + k) * rate(stage),
 * n the closed training deals observed at that stage: the model's weight grows with the data behind
 * it, and on a large export the blend is the model. The prior strength k (in deals) is chosen on the
 * cross-fitted out-of-fold probabilities, with each fold's stage rates taken from the other folds,
 * so it is 0 when the model needs no help. Levels are those of the stage's one-hot block (rare and
 * missing stages share OTHER_LEVEL), so scoring reads the stage from the input matrix itself.
 */
import {
  featureUnitNames,
  inputColumnNames,
  inputColumnsOf,
  type Preprocessing,
  type StageShrinkage,
} from './preprocess.ts';

export const SHRINKAGE_COLUMN = 'stage';
/** Candidate prior strengths, in deals (0: the model alone). */
const STRENGTHS = [0, 5, 10, 20, 35, 50, 75, 100, 150, 200, 300, 500, 750, 1000, 2000, 5000];

export interface ShrinkageInputs {
  /** One-hot level (index within the block) of each training row. */
  levels: Int32Array;
  levelCount: number;
  labels: ArrayLike<number>;
  weights?: ArrayLike<number>;
  opportunityIds: readonly string[];
  /** Cross-fold calibrated probability of each training row, and the fold that scored it. */
  outOfFold: ArrayLike<number>;
  foldOf: Int32Array;
  folds: number;
}

/** The one-hot level of each row of a preprocessed matrix, or null when the model has no `column` input. */
export function levelsInMatrix(
  preprocessing: Preprocessing,
  matrix: Float32Array,
  column = SHRINKAGE_COLUMN,
): { levels: Int32Array; levelCount: number } | null {
  const unit = featureUnitNames(preprocessing).indexOf(column);
  if (unit < preprocessing.features.length) return null;
  const block = inputColumnsOf(preprocessing, unit);
  const width = inputColumnNames(preprocessing).length;
  const rows = width > 0 ? matrix.length / width : 0;
  const levels = new Int32Array(rows).fill(block.length - 1);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < block.length; c++) {
      if (matrix[r * width + block[c]!] === 1) {
        levels[r] = c;
        break;
      }
    }
  }
  return { levels, levelCount: block.length };
}

/** Baselines from all training rows, strength chosen by weighted log loss on the out-of-fold probabilities. */
export function fitStageShrinkage(inputs: ShrinkageInputs, column = SHRINKAGE_COLUMN): StageShrinkage {
  const all = new Int32Array(inputs.levels.length).fill(-1);
  const baselines = levelBaselines(inputs, all, -1);
  const heldOut = Array.from({ length: inputs.folds }, (_, k) => levelBaselines(inputs, inputs.foldOf, k));
  let best = { strength: 0, loss: Number.POSITIVE_INFINITY };
  for (const strength of STRENGTHS) {
    let loss = 0;
    for (let i = 0; i < inputs.levels.length; i++) {
      const base = heldOut[inputs.foldOf[i]!]![inputs.levels[i]!]!;
      const p = blend(inputs.outOfFold[i]!, base, strength);
      const y = inputs.labels[i]!;
      const clipped = Math.min(1 - 1e-7, Math.max(1e-7, p));
      loss -= (inputs.weights ? inputs.weights[i]! : 1) * (y * Math.log(clipped) + (1 - y) * Math.log(1 - clipped));
    }
    if (loss < best.loss - 1e-9) best = { strength, loss };
  }
  return { column, baselines, strength: best.strength };
}

/** Applies the blend to calibrated probabilities, given each row's level (in place, returned). */
export function applyStageShrinkage(
  shrinkage: StageShrinkage,
  probabilities: Float32Array,
  levels: Int32Array,
): Float32Array {
  if (shrinkage.strength <= 0) return probabilities;
  for (let i = 0; i < probabilities.length; i++) {
    const base = shrinkage.baselines[levels[i]!];
    if (base) probabilities[i] = blend(probabilities[i]!, base, shrinkage.strength);
  }
  return probabilities;
}

function blend(p: number, base: { rate: number; deals: number }, strength: number): number {
  if (strength <= 0 || !Number.isFinite(base.rate)) return p;
  const w = base.deals / (base.deals + strength);
  return w * p + (1 - w) * base.rate;
}

/**
 * Weighted win rate and distinct deals per level over the rows whose fold is not `exclude` (all rows
 * when `exclude` is -1). A level without rows takes the overall rate with 0 deals (all prior).
 */
function levelBaselines(
  inputs: ShrinkageInputs,
  foldOf: Int32Array,
  exclude: number,
): { rate: number; deals: number }[] {
  const weight = new Float64Array(inputs.levelCount);
  const won = new Float64Array(inputs.levelCount);
  const deals = Array.from({ length: inputs.levelCount }, () => new Set<string>());
  let totalWeight = 0;
  let totalWon = 0;
  for (let i = 0; i < inputs.levels.length; i++) {
    if (exclude >= 0 && foldOf[i] === exclude) continue;
    const level = inputs.levels[i]!;
    const w = inputs.weights ? inputs.weights[i]! : 1;
    weight[level]! += w;
    won[level]! += w * inputs.labels[i]!;
    deals[level]!.add(inputs.opportunityIds[i]!);
    totalWeight += w;
    totalWon += w * inputs.labels[i]!;
  }
  const overall = totalWeight > 0 ? totalWon / totalWeight : Number.NaN;
  return deals.map((set, level) => ({
    rate: weight[level]! > 0 ? won[level]! / weight[level]! : overall,
    deals: weight[level]! > 0 ? set.size : 0,
  }));
}
