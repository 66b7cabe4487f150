/**
 * Training step 4, calibration: on small histories cross-fitted Platt scaling, whose fold networks then
 * become the model (see cross-fit-calibration.ts); on larger ones Platt scaling on the validation split
 * (refitted on the most recent closes once the holdout has judged: refitOnHistory).
 */
import { fitPlatt } from '../calibration.ts';
import {
  calibrationWeights,
  CROSS_FIT_MAX_DEALS,
  crossFittedPlatt,
  DEFAULT_CALIBRATION_FOLDS,
} from './cross-fit-calibration.ts';
import { buildEnsemble } from './ensemble.ts';
import { predictLogits } from './predict.ts';
import { fitStageShrinkage, levelsInMatrix } from './stage-shrinkage.ts';
import type { HoldoutVerdict } from './holdout-verdict.ts';
import type { Networks } from './train-ensemble.ts';
import type { TrainingInputs } from './training-inputs.ts';

/** Sets `inputs.preprocessing.calibration`; may replace `networks.model`. */
export async function calibrateModel(
  networks: Networks,
  inputs: TrainingInputs,
  epochs: number,
  options: { folds?: number | undefined; stageShrinkage: boolean },
): Promise<void> {
  const { train, width, network, fitConfig, seed, log, preprocessing, validationData } = inputs;
  const model = networks.model!;
  const folds = options.folds ?? (train.deals <= CROSS_FIT_MAX_DEALS ? DEFAULT_CALIBRATION_FOLDS : 0);
  if (folds < 2) {
    const logits = await predictLogits(model, validationData.x, width);
    preprocessing.calibration = fitPlatt(
      logits,
      validationData.y,
      validationData.w ? { weights: validationData.w } : {},
    );
    return;
  }
  const crossFit = await crossFittedPlatt({
    rows: train.rows,
    opportunityIds: inputs.data.opportunityIds,
    matrixOf: (rows) => inputs.matrixOf({ ...train, rows }),
    width,
    network,
    fitConfig,
    closeDays: Array.from(train.rows, (r) => inputs.data.closeDays[r]!),
    epochs,
    folds,
    seed,
    log,
  });
  // the fold networks, whose out-of-fold logits the scaling was fitted on, become the model
  networks.members.push(...crossFit.members);
  if (!networks.members.includes(model)) model.dispose();
  networks.model = buildEnsemble(crossFit.members, width, network);
  preprocessing.calibration = crossFit.scaling;
  const stages = levelsInMatrix(preprocessing, crossFit.matrix.x);
  if (stages && options.stageShrinkage) {
    const { foldOf, probabilities, weights } = crossFit.outOfFold;
    const opportunityIds = Array.from(train.rows, (r) => inputs.data.opportunityIds[r]!);
    preprocessing.shrinkage = fitStageShrinkage({
      ...stages,
      labels: crossFit.matrix.y,
      weights,
      opportunityIds,
      outOfFold: probabilities,
      foldOf,
      folds,
    });
    log.info(`shrinkage towards the stage baseline: prior strength ${preprocessing.shrinkage.strength} deals`);
  }
}

/**
 * Training step 6: once the holdout has judged the recipe, the model that scores learns from the
 * holdout too. The holdout is the most recent fifth of the closes: where win rates drift up (accounts
 * becoming customers), a model that never saw it scores today's deals at an older level (issue 18's
 * backtests: open deals' probabilities ×0.84–0.90 of what they won). Where calibration is cross-fitted
 * the model is refitted on every closed deal, holdout included (the same recipe on more rows); on larger
 * histories, where refitting would double the night's training, the network stays and its Platt scaling
 * is refitted on the validation and holdout closes, the most recent third, which the network never saw
 * (the heads' levels likewise, heads/train.ts relevelOnRecentCloses; 50k backtests in models/README.md).
 * Returns what it did.
 */
export async function refitOnHistory(
  networks: Networks,
  inputs: TrainingInputs,
  epochs: number,
  options: { folds?: number | undefined; stageShrinkage: boolean },
  judged: Pick<HoldoutVerdict, 'logits'>,
): Promise<'refitted' | 'recalibrated' | false> {
  if (inputs.split.holdout.rows.length === 0) return false;
  if (!refitsOnHistory(inputs, options)) {
    recalibrateOnRecentCloses(inputs, judged.logits);
    return 'recalibrated';
  }
  const folds = options.folds ?? DEFAULT_CALIBRATION_FOLDS;
  await calibrateModel(networks, { ...inputs, train: inputs.history, matrixOf: inputs.historyMatrixOf }, epochs, {
    ...options,
    folds,
  });
  return 'refitted';
}

/**
 * Platt scaling refitted on the network's logits for the validation and holdout closes (those the
 * holdout verdict computed), weighted as the refit's rows are (deal-days, censoring at the cut) and,
 * like the cross-fitted calibration, by recency.
 */
function recalibrateOnRecentCloses(
  inputs: TrainingInputs,
  judged: { validation: Float32Array; holdout: Float32Array },
): void {
  const { split, data, historyWeights } = inputs;
  const rows = Int32Array.from([...split.validation.rows, ...split.holdout.rows]);
  const logits = new Float32Array(rows.length);
  logits.set(judged.validation);
  logits.set(judged.holdout, judged.validation.length);
  const labels = Float32Array.from(rows, (r) => data.labels[r]!);
  const weights = calibrationWeights(
    historyWeights ? Float32Array.from(rows, (r) => historyWeights[r]!) : undefined,
    Float64Array.from(rows, (r) => data.closeDays[r]!),
  );
  inputs.preprocessing.calibration = fitPlatt(logits, labels, { weights });
}

/**
 * Whether the scoring models are refitted on every closed deal (not only recalibrated): where calibration is cross-fitted
 * (up to CROSS_FIT_MAX_DEALS training deals, or folds given) and there is a holdout. The deal-size
 * and close-timing heads follow the win model (heads/train.ts refitHead).
 */
export function refitsOnHistory(inputs: TrainingInputs, options: { folds?: number | undefined }): boolean {
  const folds = options.folds ?? (inputs.train.deals <= CROSS_FIT_MAX_DEALS ? DEFAULT_CALIBRATION_FOLDS : 0);
  return folds >= 2 && inputs.split.holdout.rows.length > 0;
}
