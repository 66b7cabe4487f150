/**
 * Trains the deal-size and close-timing models on the win model's inputs and time split, and
 * judges them on the holdout against the rep's amount and close date. Both are one regression
 * recipe (trainHead) with their own rows, targets and verdict.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Logger } from '../../pipeline/base/log.ts';
import type { AmountModelHead, CloseModelHead, HeadMetadata } from '../win/artifacts.ts';
import type { ClosedObservations } from '../win/data.ts';
import type { FitConfig } from '../win/fit.ts';
import { calibrationWeights } from '../win/cross-fit-calibration.ts';
import type { WinNetworkConfig } from '../win/model.ts';
import { transform, type FeatureColumns, type Preprocessing } from '../win/preprocess.ts';
import type { TimeSplit } from '../win/split.ts';
import {
  amountsFromOutputs,
  amountTargets,
  evaluateAmounts,
  fallbackAmountOf,
  referenceAmounts,
  wonRowsWithAmount,
  type AmountEvaluation,
} from './amount.ts';
import { closeTargets, evaluateClose, residualSigma, type CloseEvaluation } from './close.ts';
import { fitHorizonSpread } from './horizon-spread.ts';
import { fitRegression, meanOf, predictRegression } from './regression.ts';

// Both models learn with the win model's weights (win/time-weights.ts, win/censoring-weights.ts), as they too predict from a snapshot of open deals and learn from the deals closed by the cut.

/** The fewest rows a regression model is trained on; below it the consumer falls back to the rep's values. */
export const MIN_HEAD_ROWS = 30;
/**
 * The regression models level off within a few epochs: a shorter patience saves most of their training time.
 * 2, not 4: at 100k (seed 7) both found the same best epoch (deal size 5, close timing 3) two epochs
 * sooner, the same models; the two epochs more were a quarter of their work, on the cores the win model needs.
 */
const HEAD_PATIENCE = 2;
/**
 * The regression models keep epochs of 131,072 rows: with the win model's shorter epochs their
 * patience ran out too soon (close timing: validation loss 0.1667 against 0.1567 at 100k).
 */
const HEAD_ROWS_PER_EPOCH = 131_072;

function headConfig(fitConfig: FitConfig): FitConfig {
  return {
    ...fitConfig,
    patience: Math.min(fitConfig.patience, HEAD_PATIENCE),
    maxRowsPerEpoch: Math.max(fitConfig.maxRowsPerEpoch, HEAD_ROWS_PER_EPOCH),
  };
}

export interface Trained<H, E> {
  network: tf.LayersModel;
  metadata: HeadMetadata<H, E>;
}

/** What the win model's training hands to each regression model. */
export interface HeadInputs {
  data: ClosedObservations;
  split: TimeSplit;
  preprocessing: Preprocessing;
  inputs: FeatureColumns;
  width: number;
  network: WinNetworkConfig;
  fitConfig: FitConfig;
  seed: number;
  log: Logger;
  /**
   * Per-row weights: the deal-day weights times the censoring weights taken at the split's end
   * (win/censoring-weights.ts). A head learns from deals closed by the cut, where long deals are
   * under-represented as for the win model: unweighted, the close-timing head books today's won
   * deals too soon (issue 18: +19% of the first backtested quarter on seed 7) and the deal-size head
   * too small (the long deals are the large ones).
   */
  sampleWeights: Float32Array | null;
  /** As sampleWeights, the censoring weights taken at the holdout's end: the refit's weights. */
  historyWeights?: Float32Array | null;
  /**
   * Once the holdout has judged the head, refit it on every closed deal, holdout included, for the
   * epochs early stopping chose, and let that network score (as the win model's refitOnHistory).
   */
  refitOnHistory?: boolean;
  /**
   * Where the win model is only recalibrated (past the cross-fitting size, calibrate-model.ts
   * refitOnHistory), the head keeps its network and its level is refitted on the validation and
   * holdout closes instead (relevelOnRecentCloses).
   */
  relevelOnRecent?: boolean;
}

/** The validation rows' targets and the judged network's outputs (level included): what a head learns its spread from. */
interface ValidationResiduals {
  targets: Float32Array;
  outputs: Float32Array;
}

/** One regression model: which rows it learns from, what it predicts, and how it is judged. */
interface HeadRecipe<H, E> {
  /** The model's name in log lines. */
  name: string;
  /** Said when there are too few rows, after "<fit rows> fit observations". */
  tooFew: (fitRows: number) => string;
  rows: (part: Int32Array) => Int32Array;
  seedOffset: number;
  /** Called once with the fit rows: the targets of any rows, the head's parameters and the holdout verdict. */
  prepare: (fitRows: Int32Array) => {
    targets: (rows: Int32Array) => Float32Array;
    /** Built once for the verdict (at the judged level) and once for scoring (at the level that scores). */
    head: (level: number, validation: ValidationResiduals) => H;
    judge: (holdoutOutputs: Float32Array, head: H, holdoutRows: Int32Array) => { evaluation: E; summary: string };
  };
}

async function trainHead<H, E>(recipe: HeadRecipe<H, E>, given: HeadInputs): Promise<Trained<H, E> | undefined> {
  const { split, preprocessing, inputs, width, sampleWeights, log } = given;
  const rows = {
    fit: recipe.rows(split.fit.rows),
    validation: recipe.rows(split.validation.rows),
    holdout: recipe.rows(split.holdout.rows),
  };
  if (rows.fit.length < MIN_HEAD_ROWS || rows.validation.length === 0 || rows.holdout.length === 0) {
    log.warn(recipe.tooFew(rows.fit.length));
    return undefined;
  }
  const started = performance.now();
  const { targets, head, judge } = recipe.prepare(rows.fit);
  const fitTargets = targets(rows.fit);
  const offset = meanOf(fitTargets);
  const part = partsOf(given, sampleWeights, offset);
  const validationTargets = targets(rows.validation);
  const config = headConfig(given.fitConfig);
  const validation = part(rows.validation, validationTargets); // its inputs serve both early stopping and sigma
  const { network: model, result } = await fitRegression(
    width,
    part(rows.fit, fitTargets),
    validation,
    given.network,
    config,
    given.seed + recipe.seedOffset,
    log,
  );
  const validationOutputs = (await predictRegression(model, validation.x, width)).map((o) => o + offset);
  const residuals = { targets: validationTargets, outputs: validationOutputs };
  const holdoutOutputs = (await predictRegression(model, transform(preprocessing, inputs, rows.holdout), width)).map(
    (o) => o + offset,
  );
  const { evaluation, summary } = judge(holdoutOutputs, head(offset, residuals), rows.holdout);
  log.info(summary);
  const scoring = given.refitOnHistory
    ? await refitHead(given, rows, targets, result.bestEpoch, recipe.seedOffset)
    : undefined;
  if (scoring) {
    model.dispose();
    log.info(
      `${recipe.name} refitted on every closed deal (${scoring.rows} observations, holdout included): that network scores`,
    );
  }
  const level =
    scoring?.offset ??
    (given.relevelOnRecent
      ? relevelOnRecentCloses(given, rows, targets, {
          validation: validationOutputs,
          holdout: holdoutOutputs,
          offset,
        })
      : offset);
  if (level !== offset)
    log.info(
      `${recipe.name} level refitted on the validation and holdout closes: ${offset.toFixed(4)} -> ${level.toFixed(4)}`,
    );
  return {
    network: scoring?.network ?? model,
    metadata: {
      head: head(level, residuals),
      network: given.network,
      training: {
        ...config,
        epochsRun: result.epochsRun,
        bestEpoch: result.bestEpoch,
        bestValidationLoss: result.bestValidationLoss,
        history: result.history,
      },
      data: { fitRows: rows.fit.length, validationRows: rows.validation.length, holdoutRows: rows.holdout.length },
      holdout: evaluation,
      trainSeconds: (performance.now() - started) / 1000,
    },
  };
}

/** A network's rows: their inputs, their targets less the level (offset), and their weights if any. */
function partsOf(given: HeadInputs, sampleWeights: Float32Array | null | undefined, offset: number) {
  return (r: Int32Array, t: Float32Array) => ({
    x: transform(given.preprocessing, given.inputs, r),
    y: t.map((value) => value - offset),
    rows: r.length,
    ...(sampleWeights ? { w: Float32Array.from(r, (i) => sampleWeights[i]!) } : {}),
  });
}

/**
 * The judged head's recipe on every closed deal: the holdout is the most recent fifth of the closes,
 * and a head that never saw it books today's deals at an older level (issue 18: at the first
 * backtest cut, amounts and timing were fitted on the oldest 65% of a year's closes). A fixed
 * number of epochs, the judged fit's best: minDelta = Infinity never counts an epoch as better, so
 * the holdout rows passed as validation only receive predictions. The offset (the level) is the
 * mean target over every closed deal; sigma stays the judged fit's, measured out of sample.
 */
async function refitHead(
  given: HeadInputs,
  rows: { fit: Int32Array; validation: Int32Array; holdout: Int32Array },
  targets: (rows: Int32Array) => Float32Array,
  epochs: number,
  seedOffset: number,
): Promise<{ network: tf.LayersModel; offset: number; rows: number }> {
  const { width } = given;
  const sampleWeights = given.historyWeights ?? given.sampleWeights;
  const history = Int32Array.from([...rows.fit, ...rows.validation, ...rows.holdout]);
  const historyTargets = targets(history);
  const offset = meanOf(historyTargets);
  const part = partsOf(given, sampleWeights, offset);
  const config = headConfig(given.fitConfig);
  const fixed: FitConfig = {
    ...config,
    epochs: Math.max(1, epochs),
    patience: Math.max(1, epochs),
    minDelta: Number.POSITIVE_INFINITY,
  };
  const quiet = { info: () => {}, warn: given.log.warn };
  const { network } = await fitRegression(
    width,
    part(history, historyTargets),
    part(rows.holdout, targets(rows.holdout)),
    given.network,
    fixed,
    given.seed + seedOffset,
    quiet,
  );
  return { network, offset, rows: history.length };
}

/**
 * The level (offset) moved by the judged network's mean residual on the validation and holdout
 * closes, the most recent third, which it never saw: weighted as the refit's rows (deal-days,
 * censoring at the cut) and by recency, as the win model's calibration is. The cheap counterpart of
 * refitHead where refitting would double the night's training.
 */
function relevelOnRecentCloses(
  given: HeadInputs,
  rows: { validation: Int32Array; holdout: Int32Array },
  targets: (rows: Int32Array) => Float32Array,
  judged: { validation: Float32Array; holdout: Float32Array; offset: number },
): number {
  const recent = Int32Array.from([...rows.validation, ...rows.holdout]);
  const observed = targets(recent);
  const predicted = Float32Array.from([...judged.validation, ...judged.holdout]);
  const sampleWeights = given.historyWeights ?? given.sampleWeights;
  const weights = calibrationWeights(
    sampleWeights ? Float32Array.from(recent, (r) => sampleWeights[r]!) : undefined,
    Float64Array.from(recent, (r) => given.data.closeDays[r]!),
  );
  let residual = 0;
  let total = 0;
  for (let i = 0; i < recent.length; i++) {
    residual += weights[i]! * (observed[i]! - predicted[i]!);
    total += weights[i]!;
  }
  return total > 0 ? judged.offset + residual / total : judged.offset;
}

/** Deal size: ln(final / reference amount) of won deals, judged against the rep's amount. */
export function trainAmountModel(given: HeadInputs): Promise<Trained<AmountModelHead, AmountEvaluation> | undefined> {
  const { data } = given;
  return trainHead(
    {
      name: 'deal size',
      tooFew: (fitRows) =>
        `deal-size model not trained: too few won deals with a final amount (${fitRows} fit observations); expected amounts stay the rep's`,
      rows: (part) => wonRowsWithAmount(data, part),
      seedOffset: 1000,
      prepare: (fitRows) => {
        const fallbackAmount = fallbackAmountOf(data, fitRows);
        return {
          targets: (rows) => amountTargets(data, rows, fallbackAmount),
          head: (offset, validation) => ({
            fallbackAmount,
            logSigma: residualSigma(validation.targets, validation.outputs),
            offset,
          }),
          judge: (outputs, _head, rows) => {
            const evaluation = evaluateAmounts(
              amountsFromOutputs(referenceAmounts(data, rows, fallbackAmount), outputs),
              data,
              rows,
            );
            // an export without rep amounts (a flat report, amounts left at 0) has no baseline: say so rather than print NaN
            const baseline = (value: number) =>
              Number.isFinite(value) ? value.toFixed(3) : 'no rep amounts to compare';
            const summary =
              `deal size on ${rows.length} won holdout observations: WAPE ${evaluation.model.wape.toFixed(3)} (rep amount ${baseline(evaluation.baseline.wape)}), ` +
              `median APE ${evaluation.model.medianApe.toFixed(3)} (${baseline(evaluation.baseline.medianApe)})`;
            return { evaluation, summary };
          },
        };
      },
    },
    given,
  );
}

/**
 * Close timing: log days to close of won deals only. The forecast books a deal's amount when it is
 * won, and lost deals close sooner (they die early), so timing over both would pull expected
 * bookings into the near periods.
 */
export function trainCloseModel(given: HeadInputs): Promise<Trained<CloseModelHead, CloseEvaluation> | undefined> {
  const { data } = given;
  return trainHead(
    {
      name: 'close timing',
      tooFew: (fitRows) =>
        `close-timing model not trained: too few won observations (${fitRows}); close dates stay the rep's`,
      rows: (part) => part.filter((i) => data.labels[i] === 1 && Number.isFinite(data.daysToClose[i]!)),
      seedOffset: 2000,
      prepare: () => ({
        targets: (rows) => closeTargets(data, rows),
        head: (offset, validation) => ({
          logSigma: residualSigma(validation.targets, validation.outputs),
          spread: fitHorizonSpread(validation.targets, validation.outputs),
          offset,
        }),
        judge: (outputs, head, rows) => {
          const evaluation = evaluateClose(outputs, head, data, rows);
          const { within, withinWeek } = evaluation;
          const sigmas = head.spread
            ? `sigma ${head.spread.sigma.map((s) => s.toFixed(2)).join('/')} by horizon`
            : `sigma ${head.logSigma.toFixed(2)}`;
          const summary =
            `close timing on ${rows.length} won holdout observations: MAE ${evaluation.model.maeDays.toFixed(1)} days (${Number.isFinite(evaluation.baseline.maeDays) ? `rep close date ${evaluation.baseline.maeDays.toFixed(1)}` : 'no rep close dates to compare'}), ` +
            `${sigmas}, P(close within ${within.horizonDays} days) ECE ${within.ece.toFixed(3)}, ` +
            `closes within ${withinWeek.horizonDays} days ${withinWeek.expected.toFixed(0)} expected against ${withinWeek.observed} observed`;
          return { evaluation, summary };
        },
      }),
    },
    given,
  );
}
