// Weight tables per (method, β, N, h, memory), computed once in float64 and cached, with their
// derivatives in β (central differences in float64, error ~1e-10, far below float32 round-off).
import { tf } from "../backend";
import type { Scalar, Tensor, Tensor2D, Variable } from "@tensorflow/tfjs";
import { SCHEMES } from "./schemes";
import type { WeightSource } from "./history";
import type { Method } from "./types";

export interface Tables {
  family: "f" | "u";
  n: number;
  /** W[r] and dW[r] = ∂W[r]/∂β, (n+1)×(n+1) row-major, truncated to the memory window. */
  W: Float64Array[];
  dW: Float64Array[];
  s: number;
  ds: number;
  c: number;
  dc: number;
}

const DELTA = 1e-6;
const cache = new Map<string, Tables>();
const CACHE_SIZE = 24;

function truncate(W: Float64Array, n: number, memory: number): Float64Array {
  if (memory >= n) return W;
  for (let k1 = 1; k1 <= n; k1++) for (let j = 0; j < k1 - memory; j++) W[k1 * (n + 1) + j] = 0;
  return W;
}

export function schemeTables(method: Method, beta: number, n: number, h: number, memory: number): Tables {
  const key = `${method}|${beta}|${n}|${h}|${memory}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const build = SCHEMES[method];
  const mid = build(beta, n, h);
  const up = build(beta + DELTA, n, h);
  const down = build(beta - DELTA, n, h);
  const diff = (a: number, b: number) => (a - b) / (2 * DELTA);
  const tables: Tables = {
    family: mid.family,
    n,
    W: mid.W.map((w) => truncate(w, n, memory)),
    dW: mid.W.map((_, r) => truncate(up.W[r].map((v, i) => diff(v, down.W[r][i])), n, memory)),
    s: mid.s, ds: diff(up.s, down.s),
    c: mid.c, dc: diff(up.c, down.c),
  };
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(key, tables);
  return tables;
}

/** Weights the forward loop reads: constants, or (β a tf.Variable in direct mode) tensors carrying ∂/∂β. */
export interface StepWeights {
  family: "f" | "u";
  R: number;
  source: WeightSource;
  s: number | Scalar;
  c: number | Scalar;
}

export function constantWeights(t: Tables): StepWeights {
  const R = t.W.length;
  const m = t.n + 1;
  const block = (q0: number, q1: number, e0: number, e1: number) => {
    const cols = e1 - e0;
    const out = new Float32Array((q1 - q0) * R * cols);
    for (let q = q0; q < q1; q++) {
      for (let r = 0; r < R; r++) {
        const base = ((q - q0) * R + r) * cols;
        for (let e = e0; e < e1; e++) out[base + e - e0] = t.W[r][q * m + e];
      }
    }
    return tf.tensor2d(out, [(q1 - q0) * R, cols]);
  };
  return { family: t.family, R, source: { rows: R, channels: 1, block }, s: t.s, c: t.c };
}

/** A float32 tensor of `values` whose gradient with respect to β is Σ dy ⊙ derivs. */
function betaDependent(beta: Variable, values: Float64Array, derivs: Float64Array, shape: number[]): Tensor {
  const op = tf.customGrad(() => {
    return {
      value: tf.tensor(Float32Array.from(values), shape),
      // summed in float64: the weights' β-derivatives alternate in sign (GL, trapezoid) and cancel
      gradFunc: (dy: Tensor) => {
        const d = dy.dataSync();
        let acc = 0;
        for (let i = 0; i < d.length; i++) acc += d[i] * derivs[i];
        return tf.scalar(acc);
      },
    };
  });
  return (op as unknown as (b: Tensor) => Tensor)(beta);
}

export function differentiableWeights(t: Tables, beta: Variable): StepWeights {
  const R = t.W.length;
  const m = t.n + 1;
  const cat = (xs: Float64Array[]) => {
    const out = new Float64Array(R * m * m);
    xs.forEach((x, r) => out.set(x, r * m * m));
    return out;
  };
  const table = betaDependent(beta, cat(t.W), cat(t.dW), [R, m, m]);
  const sc = betaDependent(beta, Float64Array.from([t.s, t.c]), Float64Array.from([t.ds, t.dc]), [2]);
  return {
    family: t.family,
    R,
    source: {
      rows: R,
      channels: 1,
      block: (q0, q1, e0, e1) =>
        tf.reshape(tf.transpose(tf.slice(table, [0, q0, e0], [R, q1 - q0, e1 - e0]), [1, 0, 2]), [(q1 - q0) * R, e1 - e0]) as Tensor2D,
    },
    s: tf.reshape(tf.slice(sc, [0], [1]), []) as Scalar,
    c: tf.reshape(tf.slice(sc, [1], [1]), []) as Scalar,
  };
}
