/**
 * Training step 5, the verdict: the calibrated model against the CRM's stage probabilities on the
 * holdout (and on validation, for the record), then which features it leans on (permutation importance).
 */
import { classificationMetrics, type ClassificationMetrics } from '../../pipeline/base/metrics.ts';
import { meanOf } from '../heads/regression.ts';
import { baselineProbabilities, evaluate, type Evaluation } from './evaluate.ts';
import { permutationImportance, type FeatureImportance } from './importance.ts';
import { predictLogits, predictProbabilities, probabilitiesOfLogits } from './predict.ts';
import type { Networks } from './train-ensemble.ts';
import type { TrainingInputs } from './training-inputs.ts';

export interface HoldoutVerdict {
  holdout: Evaluation;
  validation: { model: ClassificationMetrics; baseline: ClassificationMetrics };
  holdoutProbabilities: Float32Array;
  holdoutBaseline: Float32Array;
  /** The judged network's logits for the validation and holdout rows (refitOnHistory's recalibration reuses them). */
  logits: { validation: Float32Array; holdout: Float32Array };
  evaluateSeconds: number;
}

export async function judgeOnHoldout(networks: Networks, inputs: TrainingInputs): Promise<HoldoutVerdict> {
  const { data, split, fitData, validationData, holdoutData, preprocessing, width, log } = inputs;
  const started = performance.now();
  const trainRate = meanOf(fitData.y);
  const logits = {
    validation: await predictLogits(networks.model!, validationData.x, width),
    holdout: await predictLogits(networks.model!, holdoutData.x, width),
  };
  const holdoutProbabilities = probabilitiesOfLogits(preprocessing, logits.holdout, holdoutData.x);
  const holdoutBaseline = baselineProbabilities(data.stageProbability, split.holdout.rows, trainRate);
  const holdout = evaluate(holdoutProbabilities, holdoutBaseline, holdoutData.y);
  const validation = {
    model: classificationMetrics(
      probabilitiesOfLogits(preprocessing, logits.validation, validationData.x),
      validationData.y,
    ),
    baseline: classificationMetrics(
      baselineProbabilities(data.stageProbability, split.validation.rows, trainRate),
      validationData.y,
    ),
  };
  const evaluateSeconds = (performance.now() - started) / 1000;
  const { model, baseline } = holdout;
  log.info(
    `holdout: AUC ${model.auc.toFixed(3)} (stage baseline ${baseline.auc.toFixed(3)}), ` +
      `log loss ${model.logLoss.toFixed(3)} (${baseline.logLoss.toFixed(3)}), ` +
      `Brier ${model.brier.toFixed(3)} (${baseline.brier.toFixed(3)}), ECE ${model.ece.toFixed(3)} (${baseline.ece.toFixed(3)})`,
  );
  if (holdoutData.w) {
    let w = 0;
    let wp = 0;
    let wy = 0;
    for (let i = 0; i < holdoutData.rows; i++) {
      w += holdoutData.w[i]!;
      wp += holdoutData.w[i]! * holdoutProbabilities[i]!;
      wy += holdoutData.w[i]! * holdoutData.y[i]!;
    }
    log.info(`holdout per deal-day: mean predicted ${(wp / w).toFixed(3)}, win rate ${(wy / w).toFixed(3)}`);
  }
  return { holdout, validation, holdoutProbabilities, holdoutBaseline, logits, evaluateSeconds };
}

/** Permutation importance on the holdout; `repeats` 0 skips it. */
export async function holdoutImportance(
  networks: Networks,
  inputs: TrainingInputs,
  repeats: number,
): Promise<{ importances: FeatureImportance[]; importanceSeconds: number }> {
  const started = performance.now();
  const scorer = { network: networks.model!, preprocessing: inputs.preprocessing };
  const { holdoutData, preprocessing, seed, log } = inputs;
  const importances =
    repeats > 0
      ? await permutationImportance(
          (matrix) => predictProbabilities(scorer, matrix),
          holdoutData.x,
          holdoutData.y,
          preprocessing,
          { seed, repeats },
        )
      : [];
  if (importances.length > 0) {
    log.info(
      `most important on the holdout: ${importances
        .slice(0, 5)
        .map((f) => `${f.feature} ${f.importance.toFixed(3)}`)
        .join(', ')}`,
    );
  }
  return { importances, importanceSeconds: (performance.now() - started) / 1000 };
}
