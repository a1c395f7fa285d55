// Weight tables per (method, β, N, h, memory), computed once in float64 and cached, with their
// derivatives in β (central differences in float64, error ~1e-10, far below float32 round-off).
import { tf } from "../backend";
import type { Scalar, Tensor, Tensor2D, Variable } from "@tensorflow/tfjs";
import { SCHEMES } from "./schemes";
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

/** Rows of the tables as float32 tensors: [R, k1 - from] for row k1, columns from..k1-1. */
export function tableRows(tables: Float64Array[], n: number, k1: number, from: number): Tensor2D {
  const len = k1 - from;
  const out = new Float32Array(tables.length * len);
  tables.forEach((W, r) => {
    for (let j = 0; j < len; j++) out[r * len + j] = W[k1 * (n + 1) + from + j];
  });
  return tf.tensor2d(out, [tables.length, len]);
}

/** Weights the forward loop reads: constants, or (β a tf.Variable in direct mode) tensors carrying ∂/∂β. */
export interface StepWeights {
  family: "f" | "u";
  R: number;
  rows(k1: number, from: number): Tensor2D;
  s: number | Scalar;
  c: number | Scalar;
}

export function constantWeights(t: Tables): StepWeights {
  return { family: t.family, R: t.W.length, rows: (k1, from) => tableRows(t.W, t.n, k1, from), s: t.s, c: t.c };
}

/** A float32 tensor of `values` whose gradient with respect to β is Σ dy ⊙ derivs. */
function betaDependent(beta: Variable, values: Float64Array, derivs: Float64Array, shape: number[]): Tensor {
  const op = tf.customGrad(() => {
    return {
      value: tf.tensor(Float32Array.from(values), shape),
      gradFunc: (dy: Tensor) => tf.tidy(() => tf.sum(tf.mul(dy, tf.tensor(Float32Array.from(derivs), shape)))),
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
    rows: (k1, from) => tf.reshape(tf.slice(table, [0, k1, from], [R, 1, k1 - from]), [R, k1 - from]) as Tensor2D,
    s: tf.reshape(tf.slice(sc, [0], [1]), []) as Scalar,
    c: tf.reshape(tf.slice(sc, [1], [1]), []) as Scalar,
  };
}
