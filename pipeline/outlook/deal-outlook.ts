/**
 * Each open deal's outlook as scoring and forecasting use it: the models' predictions with the
 * CRM's own view filled in where a prediction is missing (expected amount = the rep's amount times
 * the historical won/rep amount ratio; close timing = the rep's close date through the per-stage
 * rep-date timing fitted on won deals), each marked with its source.
 */
import { queryRows, quoteLiteral, tableExists, type DuckDBConnection } from '../base/db.ts';
import { WuweiError } from '../base/errors.ts';
import type { DealPredictions, Factor } from '../../models/index.ts';
import { readColumns } from '../base/columns.ts';
import { fitRepDateTiming, medianDaysFromRepDate, timingFor, type RepDateTiming } from './close-timing.ts';

export interface DealOutlook {
  asOf: string;
  opportunityIds: string[];
  winProbability: Float64Array;
  expectedAmount: Float64Array;
  closeMedianDays: Float64Array;
  closeLogSigma: Float64Array;
  positiveFactors: string[];
  negativeFactors: string[];
  amountSource: 'model' | 'rep_amount_realized';
  timingSource: 'model' | 'rep_close_date';
  repDateTiming: RepDateTiming | null;
  /** Fallback amounts: the rep's amount times this historical ratio of won amount to the rep's amount. */
  amountRealization: AmountRealization | null;
  modelVersion: string;
  predictionSource: DealPredictions['source'];
}

/** Builds the outlook of every deal in `features_score` (as of `asOf`) from the predictions. */
export async function dealOutlook(
  conn: DuckDBConnection,
  predictions: DealPredictions,
  options: { asOf: string; factors: number },
): Promise<DealOutlook> {
  const { rowCount, columns } = await readColumns(
    conn,
    `SELECT opportunity_id, stage, coalesce(amount, 0)::DOUBLE AS amount, datediff('day', DATE '${options.asOf}', expected_close_date)::DOUBLE AS rep_days
     FROM features_score ORDER BY opportunity_id`,
    { opportunity_id: 'text', stage: 'text', amount: 'float64', rep_days: 'float64' },
  );
  const position = new Map(predictions.opportunityIds.map((id, i) => [id, i]));
  const missing = columns.opportunity_id.filter((id) => !position.has(id!));
  if (missing.length > 0)
    throw new WuweiError(
      'no_model',
      `no prediction for ${missing.length} open deals (e.g. ${missing[0]}): score again after \`wuwei features\``,
    );

  const repDateTiming = predictions.closeDays ? null : await fitRepDateTiming(conn);
  const realization = predictions.expectedAmounts ? null : await fitAmountRealization(conn);
  const outlook: DealOutlook = {
    asOf: options.asOf,
    opportunityIds: columns.opportunity_id as string[],
    winProbability: new Float64Array(rowCount),
    expectedAmount: new Float64Array(rowCount),
    closeMedianDays: new Float64Array(rowCount),
    closeLogSigma: new Float64Array(rowCount),
    positiveFactors: new Array<string>(rowCount).fill(''),
    negativeFactors: new Array<string>(rowCount).fill(''),
    amountSource: predictions.expectedAmounts ? 'model' : 'rep_amount_realized',
    timingSource: predictions.closeDays ? 'model' : 'rep_close_date',
    repDateTiming,
    amountRealization: realization,
    modelVersion: predictions.modelVersion,
    predictionSource: predictions.source,
  };
  for (let row = 0; row < rowCount; row++) {
    const i = position.get(outlook.opportunityIds[row]!)!;
    outlook.winProbability[row] = Math.min(1, Math.max(0, Number(predictions.winProbabilities[i])));
    outlook.expectedAmount[row] = predictions.expectedAmounts
      ? Number(predictions.expectedAmounts[i])
      : columns.amount[row]! * realization!.ratio;
    if (predictions.closeDays) {
      outlook.closeMedianDays[row] = Number(predictions.closeDays.median[i]);
      outlook.closeLogSigma[row] = Number(predictions.closeDays.logSigma[i]);
    } else {
      const repDays = columns.rep_days[row]!;
      const fit = timingFor(repDateTiming!, columns.stage[row] ?? null);
      outlook.closeMedianDays[row] = medianDaysFromRepDate(fit, Number.isNaN(repDays) ? null : repDays);
      outlook.closeLogSigma[row] = fit.logSigma;
    }
    const factors = predictions.factors?.[i];
    if (factors) {
      outlook.positiveFactors[row] = describeFactors(factors.positive, options.factors);
      outlook.negativeFactors[row] = describeFactors(factors.negative, options.factors);
    }
  }
  return outlook;
}

export interface AmountRealization {
  ratio: number;
  /** Won-deal observations it was measured on; 0 means the default of 1 (the rep's amount as is). */
  measuredOn: number;
}

const MIN_REALIZATION_OBSERVATIONS = 100;

/**
 * What share of the rep's amount a won deal books, measured on won deals observed during their
 * life (sum of final amounts over sum of the amounts the rep showed then). Reps' amounts drift from
 * what is finally signed; one ratio from history corrects the level until an amount model exists.
 */
export async function fitAmountRealization(
  conn: DuckDBConnection,
  table = 'features_train',
): Promise<AmountRealization> {
  // Summed here in a fixed order (not in DuckDB's parallel aggregate) so the ratio is bit-identical run to run.
  const { rowCount, columns } = await readColumns(
    conn,
    `SELECT final_amount::DOUBLE AS won, amount::DOUBLE AS shown FROM ${table}
     WHERE label_won = 1 AND amount > 0 AND final_amount IS NOT NULL ORDER BY opportunity_id, as_of`,
    { won: 'float64', shown: 'float64' },
  );
  let won = 0;
  let shown = 0;
  for (let i = 0; i < rowCount; i++) {
    won += columns.won[i]!;
    shown += columns.shown[i]!;
  }
  if (rowCount < MIN_REALIZATION_OBSERVATIONS || !(shown > 0) || !(won > 0)) return { ratio: 1, measuredOn: 0 };
  return { ratio: won / shown, measuredOn: rowCount };
}

/** "Champion strength (+4.2 pts); Engaged contacts (+2.0 pts)": the strongest first. */
export function describeFactors(factors: readonly Factor[], count: number): string {
  return factors
    .slice(0, count)
    .map(
      (factor) => `${factor.label} (${factor.effect >= 0 ? '+' : '−'}${Math.abs(factor.effect * 100).toFixed(1)} pts)`,
    )
    .join('; ');
}

/** The outlook a night's scoring stored in the `scores` table, so the forecast reads what was scored. */
export async function outlookFromScores(conn: DuckDBConnection, asOf: string): Promise<DealOutlook> {
  const { rowCount, columns } = await readColumns(
    conn,
    `SELECT opportunity_id, win_probability::DOUBLE AS p, expected_amount::DOUBLE AS amount, close_median_days::DOUBLE AS median,
            close_log_sigma::DOUBLE AS sigma, top_positive_factors AS positive, top_negative_factors AS negative,
            model_version, prediction_source, amount_source, timing_source
     FROM scores WHERE as_of = DATE '${asOf}' ORDER BY opportunity_id`,
    {
      opportunity_id: 'text',
      p: 'float64',
      amount: 'float64',
      median: 'float64',
      sigma: 'float64',
      positive: 'text',
      negative: 'text',
      model_version: 'text',
      prediction_source: 'text',
      amount_source: 'text',
      timing_source: 'text',
    },
  );
  if (rowCount === 0) {
    // Every deal closed: tonight's features, built as of the date, found no open deal to score. The
    // forecast still has the won deals and the new ones to come; only a night not scored is an error.
    const empty = await noOpenDeals(conn, asOf);
    if (empty) return empty;
    throw new WuweiError('missing_input', `no scores as of ${asOf}: run \`wuwei score\` before the forecast`);
  }
  return {
    asOf,
    opportunityIds: columns.opportunity_id as string[],
    winProbability: columns.p,
    expectedAmount: columns.amount,
    closeMedianDays: columns.median,
    closeLogSigma: columns.sigma,
    positiveFactors: columns.positive.map((v) => v ?? ''),
    negativeFactors: columns.negative.map((v) => v ?? ''),
    amountSource: columns.amount_source[0] as DealOutlook['amountSource'],
    timingSource: columns.timing_source[0] as DealOutlook['timingSource'],
    repDateTiming: null,
    amountRealization: null,
    modelVersion: columns.model_version[0]!,
    predictionSource: columns.prediction_source[0] as DealOutlook['predictionSource'],
  };
}

/**
 * Whether the features of the as-of date were built and held no open deal (every deal closed), so
 * scoring had nothing to score: a night like any other, not a missing step.
 */
export async function featuresFoundNoOpenDeal(conn: DuckDBConnection, asOf: string): Promise<boolean> {
  if (!(await tableExists(conn, 'feature_build')) || !(await tableExists(conn, 'features_score'))) return false;
  const [row] = await queryRows<{ built: boolean | null; open: number }>(
    conn,
    `SELECT (SELECT bool_or(as_of = DATE ${quoteLiteral(asOf)}) FROM feature_build) AS built,
            (SELECT count(*) FROM features_score)::INTEGER AS open`,
  );
  return row?.built === true && row.open === 0;
}

/** The outlook of a night whose features found no open deal as of the date, else null. */
async function noOpenDeals(conn: DuckDBConnection, asOf: string): Promise<DealOutlook | null> {
  if (!(await featuresFoundNoOpenDeal(conn, asOf))) return null;
  const none = new Float64Array(0);
  return {
    asOf,
    opportunityIds: [],
    winProbability: none,
    expectedAmount: none,
    closeMedianDays: none,
    closeLogSigma: none,
    positiveFactors: [],
    negativeFactors: [],
    amountSource: 'rep_amount_realized',
    timingSource: 'rep_close_date',
    repDateTiming: null,
    amountRealization: null,
    modelVersion: 'none (no open deals)',
    predictionSource: 'stage_baseline',
  };
}
