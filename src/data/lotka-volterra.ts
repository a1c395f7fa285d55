// Fractional Lotka–Volterra system D^β x = x(a − c·y), D^β y = −y(b − d·x) (Caputo, 0 < β <= 1), and a
// noisy data set from it. States are batched as [B, 2] rows (x, y), one row per initial state.
import { tf } from "../backend";
import type { Tensor, Tensor1D, Tensor2D } from "@tensorflow/tfjs";
import { fdeint } from "../solvers/fdeint";
import type { Method, VectorField } from "../solvers/types";
import { Rng } from "../nn/init";

export interface LotkaVolterraParams { a: number; b: number; c: number; d: number }

/** The parameters of the reference data set: [a, b, c, d] = [1.0, 0.5, 1.0, 0.3], β = 0.7. */
export const LV_TRUE: LotkaVolterraParams & { beta: number } = { a: 1.0, b: 0.5, c: 1.0, d: 0.3, beta: 0.7 };

/** r = [a, −b] and K = [[0, d], [−c, 0]]: the field is u ⊙ (r + u K) for rows u = (x, y). */
export function lvCoefficients(theta: Tensor1D): { r: Tensor1D; K: Tensor2D } {
  return tf.tidy(() => {
    const [a, b, c, d] = tf.unstack(theta);
    const zero = tf.zerosLike(a);
    const r = tf.stack([a, tf.neg(b)]) as Tensor1D;
    const K = tf.reshape(tf.stack([zero, d, tf.neg(c), zero]), [2, 2]) as Tensor2D;
    return { r, K };
  });
}

/**
 * The Lotka–Volterra field on rows u = (x, y): f(u) = u ⊙ (r + u K), with a hand-written VJP
 * (∂f/∂u)ᵀc = c ⊙ g + (c ⊙ u) Kᵀ, dr = Σ_rows c ⊙ u, dK = uᵀ(c ⊙ u) — params of the adjoint: [r, K].
 */
export function lotkaVolterraField(r: Tensor1D, K: Tensor2D): VectorField {
  const f: VectorField = (_t, u) => tf.tidy(() => tf.mul(u, tf.add(r, tf.matMul(u as Tensor2D, K))));
  f.vjp = (_t, u, c) => {
    const [value, du, dr, dK] = tf.tidy(() => {
      const g = tf.add(r, tf.matMul(u as Tensor2D, K));
      const cu = tf.mul(c, u) as Tensor2D;
      return [tf.mul(u, g), tf.add(tf.mul(c, g), tf.matMul(cu, K, false, true)), tf.sum(cu, 0), tf.matMul(u as Tensor2D, cu, true, false)];
    });
    return { value, y: du, params: [dr, dK] };
  };
  return f;
}

export interface LvDataOptions {
  params?: LotkaVolterraParams;
  /** Order of the generating system (default 0.7). */
  beta?: number;
  /** Initial states (x, y), one per trajectory (default [[1, 2], [2, 1], [0.5, 0.5]]). */
  initial?: number[][];
  /** Horizon (default 8) and the interval between observations (default 0.2). */
  tEnd?: number;
  observeEvery?: number;
  /** Solver step of the generator (default 0.01) and method (default 'corrector'). */
  stepSize?: number;
  method?: Method;
  /** Standard deviation of the additive Gaussian noise (default 0.02) and its seed (default 0). */
  noise?: number;
  seed?: number;
}

export interface LvData {
  params: LotkaVolterraParams;
  beta: number;
  initial: number[][];
  /** Observation times, t = 0 included. */
  times: number[];
  /** clean[k][i] = (x, y) of trajectory i at times[k]; noisy adds the noise (initial states stay exact). */
  clean: number[][][];
  noisy: number[][][];
  noise: number;
}

function gaussian(rng: Rng): number {
  const u = Math.max(rng.next(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/** Solves the fractional LV system from each initial state and records noisy observations. */
export function lotkaVolterraData(opts: LvDataOptions = {}): LvData {
  const params = opts.params ?? { a: LV_TRUE.a, b: LV_TRUE.b, c: LV_TRUE.c, d: LV_TRUE.d };
  const beta = opts.beta ?? LV_TRUE.beta;
  const initial = opts.initial ?? [[1, 2], [2, 1], [0.5, 0.5]];
  const tEnd = opts.tEnd ?? 8;
  const every = opts.observeEvery ?? 0.2;
  const h = opts.stepSize ?? 0.01;
  const noise = opts.noise ?? 0.02;
  const ratio = every / h;
  if (!(Math.abs(ratio - Math.round(ratio)) < 1e-9 && ratio >= 1)) {
    throw new Error(`lotkaVolterraData: observeEvery is ${every}; allowed: a whole multiple of stepSize ${h}`);
  }
  if (!(noise >= 0)) throw new Error(`lotkaVolterraData: noise is ${noise}; allowed: a standard deviation >= 0`);
  const count = Math.round(tEnd / every);
  const times = Array.from({ length: count + 1 }, (_, k) => k * every);
  const clean = tf.tidy(() => {
    const theta = tf.tensor1d([params.a, params.b, params.c, params.d]);
    const { r, K } = lvCoefficients(theta);
    const y0 = tf.tensor2d(initial);
    return fdeint(lotkaVolterraField(r, K), y0, { beta, tEnd, stepSize: h, method: opts.method ?? "corrector", times }).arraySync() as number[][][];
  });
  const rng = new Rng(opts.seed ?? 0);
  const noisy = clean.map((rows, k) => rows.map((u) => u.map((v) => (k === 0 ? v : v + noise * gaussian(rng)))));
  return { params, beta, initial, times, clean, noisy, noise };
}

/** The observations as a tensor [times, B, 2]. */
export function lvObservations(d: LvData, which: "noisy" | "clean" = "noisy"): Tensor {
  return tf.tensor3d(d[which]);
}
