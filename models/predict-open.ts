/**
 * predictOpenDeals: everything scoring and forecasting need for each open deal (the contract in
 * predictions.ts). With an active model: calibrated win probability, expected amount if won,
 * close timing and the top factors. Without one (too little history, or never trained): the
 * CRM's stage probability, the rep's amount and close date, marked source 'stage_baseline'.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Logger } from '../pipeline/base/log.ts';
import { occlusionEffects, topFactors } from './explain.ts';
import { amountsFromOutputs, referenceAmounts } from './heads/amount.ts';
import { closeTimingAt } from './heads/horizon-spread.ts';
import { predictRegression } from './heads/regression.ts';
import type { DealPredictions } from './predictions.ts';
import { disposeModel } from './win/artifacts.ts';
import { readObservations } from './win/data.ts';
import { predictProbabilities, selectionOf } from './win/predict.ts';
import { inputColumnNames, transform } from './win/preprocess.ts';
import { loadActiveModel } from './win/registry.ts';

export interface PredictOpenOptions {
  modelsDir: string;
  table?: string;
  /** Compute the top factors (default true); off, scoring costs one forward pass. */
  explain?: boolean;
  log: Logger;
}

export const STAGE_BASELINE_VERSION = 'stage_baseline';
/** Log-scale spread of close timing when no model has measured it: a median of 60 days then puts ~80% of closes between 17 and 215 days. */
export const DEFAULT_CLOSE_LOG_SIGMA = 1;

export async function predictOpenDeals(conn: DuckDBConnection, options: PredictOpenOptions): Promise<DealPredictions> {
  const table = options.table ?? 'features_score';
  const model = await loadActiveModel(conn, options.modelsDir, options.log);
  if (!model) {
    options.log.warn(
      "no trained model (too little closed-deal history, or `wuwei train` not run): scores are the CRM stage probabilities, amounts and close dates the rep's",
    );
    return stageBaseline(conn, table);
  }
  try {
    const observations = await readObservations(conn, table, selectionOf(model.preprocessing));
    if (observations.missingInputs)
      options.log.warn(
        `the export no longer has ${observations.missingInputs.map((name) => name.replace(/^custom_/, '')).join(', ')}, input${observations.missingInputs.length === 1 ? '' : 's'} of model ${model.version}: scored as missing on every deal; \`wuwei run --retrain\` trains a model without ${observations.missingInputs.length === 1 ? 'it' : 'them'}`,
      );
    const matrix = transform(model.preprocessing, {
      numeric: observations.features,
      categorical: observations.categories,
    });
    const width = inputColumnNames(model.preprocessing).length;
    const score = (x: Float32Array) => predictProbabilities(model, x);
    const winProbabilities = await score(matrix);
    const predictions: DealPredictions = {
      opportunityIds: observations.opportunityIds,
      winProbabilities,
      modelVersion: model.version,
      source: 'model',
    };
    if (model.amount) {
      const { head, network } = model.amount;
      const outputs = await predictRegression(network, matrix, width);
      predictions.expectedAmounts = amountsFromOutputs(
        referenceAmounts(observations, null, head.fallbackAmount),
        outputs.map((o) => o + head.offset),
      );
    }
    if (model.close) {
      const { head, network } = model.close;
      const outputs = await predictRegression(network, matrix, width);
      const timing = Array.from(outputs, (o) => closeTimingAt(head, o + head.offset));
      predictions.closeDays = {
        median: Float64Array.from(timing, (t) => t.median),
        logSigma: Float64Array.from(timing, (t) => t.logSigma),
      };
    }
    if (options.explain !== false && observations.rowCount > 0) {
      const effects = await occlusionEffects(score, matrix, winProbabilities, model.preprocessing);
      predictions.factors = topFactors(effects, observations, model.preprocessing);
    }
    return predictions;
  } finally {
    disposeModel(model);
  }
}

/** The CRM's own numbers, for when there is no model. */
async function stageBaseline(conn: DuckDBConnection, table: string): Promise<DealPredictions> {
  const observations = await readObservations(conn, table, { numeric: [] });
  const n = observations.rowCount;
  return {
    opportunityIds: observations.opportunityIds,
    // a deal without a stage probability gets the mean of the others
    winProbabilities: fillMissing(observations.stageProbability),
    expectedAmounts: Float64Array.from(observations.repAmount),
    closeDays: {
      // a deal without a rep's close date (a flat export gives none) gets the mean of the others, else a quarter
      median: fillMissing(
        Float32Array.from(observations.repCloseDays, (days) =>
          Number.isFinite(days) ? Math.max(1, days) : Number.NaN,
        ),
        90,
      ),
      logSigma: new Float64Array(n).fill(DEFAULT_CLOSE_LOG_SIGMA),
    },
    modelVersion: STAGE_BASELINE_VERSION,
    source: 'stage_baseline',
  };
}

function fillMissing(values: Float32Array, otherwise = 0.5): Float64Array {
  let total = 0;
  let known = 0;
  for (const value of values) {
    if (Number.isFinite(value)) {
      total += value;
      known++;
    }
  }
  const fill = known > 0 ? total / known : otherwise;
  return Float64Array.from(values, (value) => (Number.isFinite(value) ? value : fill));
}
