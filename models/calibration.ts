/**
 * Platt scaling: p = sigmoid(a * logit + b), with a and b fitted by Newton's method to minimise log
 * loss on held-out logits. The network is trained with balanced class weights (which shifts its
 * probabilities towards 0.5) and stopped early: calibration maps its logits back to win rates.
 */

export interface PlattScaling {
  a: number;
  b: number;
}

export const IDENTITY_SCALING: PlattScaling = { a: 1, b: 0 };

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

export function applyPlatt(scaling: PlattScaling, logits: ArrayLike<number>): Float32Array {
  const probabilities = new Float32Array(logits.length);
  for (let i = 0; i < logits.length; i++) probabilities[i] = sigmoid(scaling.a * logits[i]! + scaling.b);
  return probabilities;
}

/**
 * Fits (a, b) by Newton's method with step halving (a 2x2 system per step, in float64). A tiny ridge
 * keeps the Hessian invertible when the logits are constant or the classes separate perfectly.
 */
export function fitPlatt(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: { maxIterations?: number; ridge?: number; weights?: ArrayLike<number> } = {},
): PlattScaling {
  if (logits.length !== labels.length)
    throw new RangeError(`fitPlatt: ${logits.length} logits but ${labels.length} labels`);
  if (logits.length === 0) return { ...IDENTITY_SCALING };
  const ridge = options.ridge ?? 1e-6;
  const maxIterations = options.maxIterations ?? 100;
  let a = 1;
  let b = 0;
  const weights = options.weights;
  let loss = plattLoss(logits, labels, a, b, ridge, weights);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    // gradient and Hessian of the mean log loss (plus ridge / 2 * (a - 1)^2 + ridge / 2 * b^2)
    let ga = ridge * (a - 1);
    let gb = ridge * b;
    let haa = ridge;
    let hab = 0;
    let hbb = ridge;
    const n = logits.length;
    for (let i = 0; i < n; i++) {
      const z = logits[i]!;
      const p = sigmoid(a * z + b);
      const sample = weights ? weights[i]! : 1;
      const r = (sample * (p - labels[i]!)) / n;
      const w = (sample * p * (1 - p)) / n;
      ga += r * z;
      gb += r;
      haa += w * z * z;
      hab += w * z;
      hbb += w;
    }
    const det = haa * hbb - hab * hab;
    if (!(det > 0)) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    let step = 1;
    let improved = false;
    while (step > 1e-6) {
      const candidateA = a - step * da;
      const candidateB = b - step * db;
      const candidateLoss = plattLoss(logits, labels, candidateA, candidateB, ridge, weights);
      if (candidateLoss <= loss) {
        improved = loss - candidateLoss > 1e-12;
        a = candidateA;
        b = candidateB;
        loss = candidateLoss;
        break;
      }
      step /= 2;
    }
    if (!improved) break;
  }
  return { a, b };
}

function plattLoss(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  a: number,
  b: number,
  ridge: number,
  weights?: ArrayLike<number>,
): number {
  let total = 0;
  for (let i = 0; i < logits.length; i++) {
    const z = a * logits[i]! + b;
    // log(1 + e^z) - y z, computed without overflow
    total += (weights ? weights[i]! : 1) * (Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - labels[i]! * z);
  }
  return total / logits.length + (ridge / 2) * ((a - 1) ** 2 + b ** 2);
}
