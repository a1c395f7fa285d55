// A noisy data set from the fractional Lotka–Volterra system (models/lotka-volterra.ts): trajectories from
// several initial states, batched as [B, 2] rows (x, y), observed at regular times.
import { tf } from "../backend";
import { fdeint } from "../solvers/fdeint";
import type { Method } from "../solvers/types";
import { Rng } from "../util/rng";
import { LV_TRUE, lotkaVolterraField, lvCoefficients, type LotkaVolterraParams } from "../models/lotka-volterra";

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
