/**
 * Classification metrics as pure functions over parallel arrays, predictions first, labels second:
 * `scores` are any ranking score, `probabilities` are in [0, 1], `labels` are 0/1. The same
 * functions judge the model and the stage baseline, so the two are always measured alike.
 */

export interface CalibrationBin {
  /** Bin edges: [lower, upper), the last bin includes 1. */
  lower: number;
  upper: number;
  /** Observations in the bin. */
  n: number;
  /** Mean predicted probability in the bin (NaN when empty). */
  meanPredicted: number;
  /** Observed positive rate in the bin (NaN when empty). */
  observedRate: number;
}

export interface CurvePoint {
  x: number;
  y: number;
}

export interface ClassificationMetrics {
  auc: number;
  prAuc: number;
  logLoss: number;
  brier: number;
  ece: number;
}

/** Probabilities are clipped to [eps, 1 - eps] for log loss, so one confident miss costs ~13.8, not infinity. */
export const LOG_LOSS_EPSILON = 1e-6;

/** All five headline metrics for one set of predictions. */
export function classificationMetrics(
  probabilities: ArrayLike<number>,
  labels: ArrayLike<number>,
): ClassificationMetrics {
  return {
    auc: auc(probabilities, labels),
    prAuc: averagePrecision(probabilities, labels),
    logLoss: logLoss(probabilities, labels),
    brier: brierScore(probabilities, labels),
    ece: expectedCalibrationError(probabilities, labels),
  };
}

/**
 * Area under the ROC curve by ranks (Mann–Whitney U): tied scores share their average rank, so a
 * tie between a positive and a negative counts one half. NaN when either class is absent.
 */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkLengths(scores, labels);
  const order = ascendingOrder(scores);
  let positives = 0;
  let rankSumOfPositives = 0;
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && scores[order[end + 1]!] === scores[order[start]!]) end++;
    const averageRank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) {
      if (labels[order[k]!] === 1) {
        positives++;
        rankSumOfPositives += averageRank;
      }
    }
    start = end + 1;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSumOfPositives - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * Average precision, the step-wise area under the precision–recall curve:
 * sum over distinct thresholds of (recall gained) x (precision there). Tied scores form one step.
 * NaN when there are no positives.
 */
export function averagePrecision(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkLengths(scores, labels);
  const steps = thresholdSteps(scores, labels);
  if (steps.positives === 0) return Number.NaN;
  let ap = 0;
  let previousRecall = 0;
  for (let k = 0; k < steps.truePositives.length; k++) {
    const tp = steps.truePositives[k]!;
    const fp = steps.falsePositives[k]!;
    const recall = tp / steps.positives;
    ap += (recall - previousRecall) * (tp / (tp + fp));
    previousRecall = recall;
  }
  return ap;
}

/** Mean negative log likelihood of the labels (natural log), probabilities clipped by LOG_LOSS_EPSILON. */
export function logLoss(probabilities: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkLengths(probabilities, labels);
  let total = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(1 - LOG_LOSS_EPSILON, Math.max(LOG_LOSS_EPSILON, probabilities[i]!));
    total -= labels[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return labels.length === 0 ? Number.NaN : total / labels.length;
}

/** Mean squared difference between probability and outcome. */
export function brierScore(probabilities: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkLengths(probabilities, labels);
  let total = 0;
  for (let i = 0; i < labels.length; i++) total += (probabilities[i]! - labels[i]!) ** 2;
  return labels.length === 0 ? Number.NaN : total / labels.length;
}

/** Reliability table over `bins` equal-width probability bins (the last bin includes 1). */
export function calibrationTable(
  probabilities: ArrayLike<number>,
  labels: ArrayLike<number>,
  bins = 10,
): CalibrationBin[] {
  checkLengths(probabilities, labels);
  const n = new Float64Array(bins);
  const predictedSum = new Float64Array(bins);
  const positiveSum = new Float64Array(bins);
  for (let i = 0; i < labels.length; i++) {
    const p = probabilities[i]!;
    const bin = Math.min(bins - 1, Math.max(0, Math.floor(p * bins)));
    n[bin]!++;
    predictedSum[bin]! += p;
    positiveSum[bin]! += labels[i]!;
  }
  return Array.from({ length: bins }, (_, b) => ({
    lower: b / bins,
    upper: (b + 1) / bins,
    n: n[b]!,
    meanPredicted: n[b]! > 0 ? predictedSum[b]! / n[b]! : Number.NaN,
    observedRate: n[b]! > 0 ? positiveSum[b]! / n[b]! : Number.NaN,
  }));
}

/** Expected calibration error: |mean predicted - observed rate| per bin, weighted by the bin's share of observations. */
export function expectedCalibrationError(
  probabilities: ArrayLike<number>,
  labels: ArrayLike<number>,
  bins = 10,
): number {
  if (labels.length === 0) return Number.NaN;
  let ece = 0;
  for (const bin of calibrationTable(probabilities, labels, bins)) {
    if (bin.n > 0) ece += (bin.n / labels.length) * Math.abs(bin.meanPredicted - bin.observedRate);
  }
  return ece;
}

/**
 * ROC curve from (0, 0) to (1, 1), one point per distinct score (x = false-positive rate,
 * y = true-positive rate), thinned to at most `maxPoints` points that keep both ends.
 */
export function rocCurve(scores: ArrayLike<number>, labels: ArrayLike<number>, maxPoints = 200): CurvePoint[] {
  checkLengths(scores, labels);
  const steps = thresholdSteps(scores, labels);
  const negatives = labels.length - steps.positives;
  const points: CurvePoint[] = [{ x: 0, y: 0 }];
  for (let k = 0; k < steps.truePositives.length; k++) {
    points.push({
      x: negatives > 0 ? steps.falsePositives[k]! / negatives : 0,
      y: steps.positives > 0 ? steps.truePositives[k]! / steps.positives : 0,
    });
  }
  return thin(points, maxPoints);
}

/** Keeps at most `maxPoints` evenly spaced points, always the first and the last. */
export function thin<T>(points: T[], maxPoints: number): T[] {
  if (points.length <= maxPoints) return points;
  if (maxPoints < 2) return points.slice(0, Math.max(0, maxPoints));
  const kept: T[] = [];
  for (let k = 0; k < maxPoints; k++) kept.push(points[Math.round((k * (points.length - 1)) / (maxPoints - 1))]!);
  return kept;
}

/** Cumulative true and false positives at each distinct score, from the highest score down. */
function thresholdSteps(scores: ArrayLike<number>, labels: ArrayLike<number>) {
  const order = ascendingOrder(scores).reverse();
  const truePositives: number[] = [];
  const falsePositives: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < order.length; k++) {
    if (labels[order[k]!] === 1) tp++;
    else fp++;
    const last = k + 1 === order.length || scores[order[k + 1]!] !== scores[order[k]!];
    if (last) {
      truePositives.push(tp);
      falsePositives.push(fp);
    }
  }
  return { positives: tp, truePositives, falsePositives };
}

/** Indices that sort `scores` ascending (stable; NaN is refused, it has no rank). */
function ascendingOrder(scores: ArrayLike<number>): Int32Array {
  const order = new Int32Array(scores.length);
  for (let i = 0; i < order.length; i++) {
    if (Number.isNaN(scores[i])) throw new RangeError('metrics: a score is NaN');
    order[i] = i;
  }
  return order.sort((a, b) => scores[a]! - scores[b]! || a - b);
}

function checkLengths(predictions: ArrayLike<number>, labels: ArrayLike<number>): void {
  if (predictions.length !== labels.length)
    throw new RangeError(`metrics: ${predictions.length} predictions but ${labels.length} labels`);
}

export interface LiftBin {
  /** 1 = the tenth with the highest scores. */
  decile: number;
  n: number;
  observedRate: number;
  /** observedRate divided by the overall rate. */
  lift: number;
}

/** Win rate and lift per tenth of the rows ranked by score, highest first (ties broken by position). */
export function liftByDecile(scores: ArrayLike<number>, labels: ArrayLike<number>): LiftBin[] {
  checkLengths(scores, labels);
  const order = ascendingOrder(scores).reverse();
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i]!;
  const overall = labels.length > 0 ? positives / labels.length : Number.NaN;
  const bins: LiftBin[] = [];
  for (let d = 0; d < 10; d++) {
    const start = Math.floor((d * order.length) / 10);
    const end = Math.floor(((d + 1) * order.length) / 10);
    let won = 0;
    for (let k = start; k < end; k++) won += labels[order[k]!]!;
    const n = end - start;
    const observedRate = n > 0 ? won / n : Number.NaN;
    bins.push({ decile: d + 1, n, observedRate, lift: observedRate / overall });
  }
  return bins;
}
