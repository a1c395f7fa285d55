// A scheme's weights per (method, β, N, h, memory), computed once in float64 and cached, with their
// derivatives in β (docs/design.md §2), and the views the forward and reverse histories read them through.
import { tf } from "../backend";
import type { Scalar, Tensor, Tensor2D, Variable } from "@tensorflow/tfjs";
import { customOp } from "../tfjs-internals";
import type { HistoryWeights } from "./history";
import { SCHEME_WEIGHTS, type SchemeWeights } from "./schemes";
import type { Method } from "./types";

/** A scheme's weights on a grid, truncated to the memory window, and their derivatives in β. */
export interface WeightsAndDerivatives {
  value: SchemeWeights;
  betaDerivative: SchemeWeights;
}

const DELTA = 1e-6;
const cache = new Map<string, WeightsAndDerivatives>();
const CACHE_SIZE = 24;

function truncate(W: Float64Array, n: number, memory: number): Float64Array {
  if (memory >= n) return W;
  for (let k1 = 1; k1 <= n; k1++) for (let j = 0; j < k1 - memory; j++) W[k1 * (n + 1) + j] = 0;
  return W;
}

export function schemeWeights(method: Method, beta: number, steps: number, stepSize: number, memory: number): WeightsAndDerivatives {
  const key = `${method}|${beta}|${steps}|${stepSize}|${memory}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const build = SCHEME_WEIGHTS[method];
  const mid = build(beta, steps, stepSize);
  const up = build(beta + DELTA, steps, stepSize);
  const down = build(beta - DELTA, steps, stepSize);
  const diff = (a: number, b: number) => (a - b) / (2 * DELTA);
  const weights: WeightsAndDerivatives = {
    value: { history: mid.history.map((w) => truncate(w, steps, memory)), field: mid.field, stage: mid.stage },
    betaDerivative: {
      history: mid.history.map((_, r) => truncate(up.history[r].map((v, i) => diff(v, down.history[r][i])), steps, memory)),
      field: diff(up.field, down.field),
      stage: diff(up.stage, down.stage),
    },
  };
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(key, weights);
  return weights;
}

/** What the forward loop reads: the history's weights and the scalar weights s and c. */
export interface ForwardWeights {
  history: HistoryWeights;
  /** s and c, as tensors carrying ∂/∂β when β is learned by autodiff. */
  field: number | Scalar;
  stage: number | Scalar;
}

/** Forward row (q, r) = W_r[q, e], one entry row per history step. */
function constantForward(weights: SchemeWeights, steps: number): ForwardWeights {
  const { history } = weights;
  const sums = history.length;
  const m = steps + 1;
  const block = (q0: number, q1: number, e0: number, e1: number) => {
    const cols = e1 - e0;
    const out = new Float32Array((q1 - q0) * sums * cols);
    for (let q = q0; q < q1; q++) {
      for (let r = 0; r < sums; r++) {
        const base = ((q - q0) * sums + r) * cols;
        for (let e = e0; e < e1; e++) out[base + e - e0] = history[r][q * m + e];
      }
    }
    return tf.tensor2d(out, [(q1 - q0) * sums, cols]);
  };
  return { history: { sums, entryRows: 1, block }, field: weights.field, stage: weights.stage };
}

/** A float32 tensor of `values` whose gradient with respect to β is Σ dy ⊙ derivs. */
function betaDependent(beta: Variable, values: Float64Array, derivs: Float64Array, shape: number[]): Tensor {
  return customOp(() => ({
    value: tf.tensor(Float32Array.from(values), shape),
    // summed in float64: the weights' β-derivatives alternate in sign (GL, trapezoid) and cancel
    gradFunc: (dy: Tensor) => {
      const d = dy.dataSync();
      let acc = 0;
      for (let i = 0; i < d.length; i++) acc += d[i] * derivs[i];
      return [tf.scalar(acc)];
    },
  }))(beta);
}

function differentiableForward({ value, betaDerivative }: WeightsAndDerivatives, steps: number, beta: Variable): ForwardWeights {
  const sums = value.history.length;
  const m = steps + 1;
  const cat = (xs: Float64Array[]) => {
    const out = new Float64Array(sums * m * m);
    xs.forEach((x, r) => out.set(x, r * m * m));
    return out;
  };
  const table = betaDependent(beta, cat(value.history), cat(betaDerivative.history), [sums, m, m]);
  const scalars = betaDependent(beta, Float64Array.from([value.field, value.stage]),
    Float64Array.from([betaDerivative.field, betaDerivative.stage]), [2]);
  return {
    history: {
      sums,
      entryRows: 1,
      block: (q0, q1, e0, e1) =>
        tf.reshape(tf.transpose(tf.slice(table, [0, q0, e0], [sums, q1 - q0, e1 - e0]), [1, 0, 2]), [(q1 - q0) * sums, e1 - e0]) as Tensor2D,
    },
    field: tf.reshape(tf.slice(scalars, [0], [1]), []) as Scalar,
    stage: tf.reshape(tf.slice(scalars, [1], [1]), []) as Scalar,
  };
}

/** Constant weights, or (β a tf.Variable, under the tape) tensors that carry ∂/∂β. */
export function forwardWeights(weights: WeightsAndDerivatives, steps: number, learnedBeta: Variable | null): ForwardWeights {
  return learnedBeta ? differentiableForward(weights, steps, learnedBeta) : constantForward(weights.value, steps);
}

/**
 * The reverse sweep's history: row q = N - j, entry e = N - m, entry row r: W_r[m, j] (and, as a second
 * sum when β is learned, ∂W_r[m, j]/∂β).
 */
export function reverseHistoryWeights({ value, betaDerivative }: WeightsAndDerivatives, steps: number, withBeta: boolean): HistoryWeights {
  const entryRows = value.history.length;
  const tables = withBeta ? [value.history, betaDerivative.history] : [value.history];
  const sums = tables.length;
  const n = steps;
  return {
    sums,
    entryRows,
    block: (q0, q1, e0, e1) => {
      const cols = (e1 - e0) * entryRows;
      const out = new Float32Array((q1 - q0) * sums * cols);
      for (let q = q0; q < q1; q++) {
        for (let r = 0; r < sums; r++) {
          const base = ((q - q0) * sums + r) * cols;
          for (let e = e0; e < e1; e++) {
            const at = (n - e) * (n + 1) + (n - q);
            for (let c = 0; c < entryRows; c++) out[base + (e - e0) * entryRows + c] = tables[r][c][at];
          }
        }
      }
      return tf.tensor2d(out, [(q1 - q0) * sums, cols]);
    },
  };
}
