// The far part of a fast history (docs/design.md §2): the tail w[m], m = L..N, of a Toeplitz generating
// sequence approximated by a sum of exponentials Σ_k c_k r_k^(m−L) with fixed nodes r_k = e^(−λ_k) (λ_k
// log-spaced over [1/(20N), 64/L] in lag units, plus λ = 0). The coefficients c_k ≥ 0 are a weighted
// fit (relative error, non-negative least squares in float64) on a log-spaced sample of lags; the max relative error
// over every lag of the far range is checked, and nodes are added (up to a cap) until it is within
// `tolerance`. Nodes depend on N and L only, so a coefficient's β-derivative is a central difference of
// the fit itself (δ = 1e-6, as the exact weights), refitted at β ± δ on the nodes active at β.
import { boundedCache } from "../util/bounded-cache";
import { SCHEME_WEIGHTS, type SchemeWeights } from "./schemes";
import type { Method } from "./types";

/** The lags summed exactly by a fast history (the local window). */
export const LOCAL = 32;
/** The tolerance of history 'fast' when none is given. */
export const DEFAULT_TOLERANCE = 1e-6;
/** Smallest tolerance a float32 solve can honour. */
export const MIN_TOLERANCE = 1e-7;
const DELTA = 1e-6;
const MAX_NODES = 96;

export interface ExponentialFit {
  /** L: lags m < L are exact; m ≥ L use the fit. */
  local: number;
  /** r_k (K of them). */
  decay: Float64Array;
  /** c_k per history sum (SchemeWeights.history order). */
  value: Float64Array[];
  /** ∂c_k/∂β per history sum (central differences of the fit), computed on first call. */
  derivative(): Float64Array[];
  /** The largest relative error of the fit over the far range (all sums). */
  maxError: number;
}

/** λ_k log-spaced over [1/(20N), 64/L] with `perDecade` nodes per decade, and λ = 0. */
function nodes(n: number, local: number, perDecade: number): Float64Array {
  const lo = Math.log10(1 / (20 * n));
  const hi = Math.log10(64 / local);
  const count = Math.max(2, Math.ceil((hi - lo) * perDecade) + 1);
  const r = [1];
  for (let i = 0; i < count; i++) r.push(Math.exp(-Math.pow(10, lo + ((hi - lo) * i) / (count - 1))));
  return Float64Array.from(r);
}

/** The lags the fit is made on: every lag up to 4L past L, then log-spaced to N. */
function sampleLags(n: number, local: number, count: number): number[] {
  const lags = new Set<number>();
  for (let m = local; m <= Math.min(n, 5 * local); m++) lags.add(m);
  const lo = Math.log(5 * local);
  const hi = Math.log(n);
  for (let i = 0; i <= count && hi > lo; i++) lags.add(Math.min(n, Math.round(Math.exp(lo + ((hi - lo) * i) / count))));
  return [...lags].sort((a, b) => a - b);
}

/** min ‖A x − b‖ by Householder QR (A: rows × cols, row-major); columns with a negligible pivot are dropped. */
function leastSquares(A: Float64Array, b: Float64Array, rows: number, cols: number): Float64Array {
  const a = Float64Array.from(A);
  const y = Float64Array.from(b);
  const diag = new Float64Array(cols);
  for (let j = 0; j < cols; j++) {
    let norm = 0;
    for (let i = j; i < rows; i++) norm += a[i * cols + j] ** 2;
    norm = Math.sqrt(norm);
    const alpha = a[j * cols + j] > 0 ? -norm : norm;
    diag[j] = alpha;
    if (norm === 0) continue;
    a[j * cols + j] -= alpha; // v = a_j − α e_j, stored in column j
    let vv = 0;
    for (let i = j; i < rows; i++) vv += a[i * cols + j] ** 2;
    if (vv === 0) continue;
    for (let k = j + 1; k < cols; k++) {
      let s = 0;
      for (let i = j; i < rows; i++) s += a[i * cols + j] * a[i * cols + k];
      s = (2 * s) / vv;
      for (let i = j; i < rows; i++) a[i * cols + k] -= s * a[i * cols + j];
    }
    let s = 0;
    for (let i = j; i < rows; i++) s += a[i * cols + j] * y[i];
    s = (2 * s) / vv;
    for (let i = j; i < rows; i++) y[i] -= s * a[i * cols + j];
  }
  const x = new Float64Array(cols);
  const scale = Math.max(...diag.map(Math.abs));
  for (let j = cols - 1; j >= 0; j--) {
    if (Math.abs(diag[j]) <= 1e-13 * scale) continue;
    let s = y[j];
    for (let k = j + 1; k < cols; k++) s -= a[j * cols + k] * x[k];
    x[j] = s / diag[j];
  }
  return x;
}

/**
 * min ‖A x − b‖ subject to x ≥ 0 (Lawson–Hanson): non-negative coefficients keep Σ_k c_k r_k^(m−L) free of
 * cancellation, which float32 could not carry (an unconstrained fit has |c| ~ 1e8 |w|).
 */
function nonNegativeLeastSquares(A: Float64Array, b: Float64Array, rows: number, cols: number): Float64Array {
  const x = new Float64Array(cols);
  const passive = new Set<number>();
  const residual = () => {
    const r = Float64Array.from(b);
    for (let i = 0; i < rows; i++) for (let k = 0; k < cols; k++) r[i] -= A[i * cols + k] * x[k];
    return r;
  };
  const solvePassive = (set: number[]) => {
    const sub = new Float64Array(rows * set.length);
    for (let i = 0; i < rows; i++) set.forEach((k, j) => (sub[i * set.length + j] = A[i * cols + k]));
    return leastSquares(sub, b, rows, set.length);
  };
  for (let iter = 0; iter < 3 * cols; iter++) {
    const r = residual();
    let best = -1;
    let bestGrad = 1e-14;
    for (let k = 0; k < cols; k++) {
      if (passive.has(k)) continue;
      let g = 0;
      for (let i = 0; i < rows; i++) g += A[i * cols + k] * r[i];
      if (g > bestGrad) [best, bestGrad] = [k, g];
    }
    if (best < 0) break;
    passive.add(best);
    for (;;) {
      const set = [...passive];
      const z = solvePassive(set);
      if (z.every((v) => v > 0)) {
        x.fill(0);
        set.forEach((k, j) => (x[k] = z[j]));
        break;
      }
      // step back to the boundary and drop the coefficients that reach 0
      let alpha = 1;
      set.forEach((k, j) => {
        if (z[j] <= 0) alpha = Math.min(alpha, x[k] / (x[k] - z[j]));
      });
      set.forEach((k, j) => {
        x[k] += alpha * (z[j] - x[k]);
        if (x[k] <= 1e-300) {
          x[k] = 0;
          passive.delete(k);
        }
      });
      if (passive.size === 0) break;
    }
  }
  return x;
}

/**
 * c ≥ 0 with Σ_k c_k r_k^(m−L) ≈ w[m] in relative error on the sampled lags; with `active`, the plain least
 * squares on those nodes only (the others 0) — what NNLS solves on its final active set, but smooth in β.
 */
function fitTail(w: Float64Array, decay: Float64Array, local: number, lags: number[], active?: number[]): Float64Array {
  const K = decay.length;
  const scale = Math.max(...lags.map((m) => Math.abs(w[m])));
  if (scale === 0) return new Float64Array(K);
  const A = new Float64Array(lags.length * K);
  const b = new Float64Array(lags.length);
  lags.forEach((m, i) => {
    const weight = 1 / Math.max(Math.abs(w[m]), 1e-12 * scale);
    for (let k = 0; k < K; k++) A[i * K + k] = weight * Math.pow(decay[k], m - local);
    b[i] = weight * w[m];
  });
  // unit columns: the pivot threshold of the QR is relative, and the columns' norms span many decades
  const norms = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    let s = 0;
    for (let i = 0; i < lags.length; i++) s += A[i * K + k] ** 2;
    norms[k] = Math.sqrt(s) || 1;
    for (let i = 0; i < lags.length; i++) A[i * K + k] /= norms[k];
  }
  const unscale = (x: Float64Array) => x.map((v, k) => v / norms[k]);
  if (!active) return unscale(nonNegativeLeastSquares(A, b, lags.length, K));
  const sub = new Float64Array(lags.length * active.length);
  for (let i = 0; i < lags.length; i++) active.forEach((k, j) => (sub[i * active.length + j] = A[i * K + k]));
  const x = leastSquares(sub, b, lags.length, active.length);
  const c = new Float64Array(K);
  active.forEach((k, j) => (c[k] = x[j]));
  return unscale(c);
}

/** Σ_k c_k r_k^(m−L) for m = L..N (index m; 0 below L). */
export function tailOf(c: Float64Array, decay: Float64Array, local: number, n: number): Float64Array {
  const out = new Float64Array(n + 1);
  const powers = new Float64Array(decay.length).fill(1);
  for (let m = local; m <= n; m++) {
    let s = 0;
    for (let k = 0; k < c.length; k++) {
      s += c[k] * powers[k];
      powers[k] *= decay[k];
    }
    out[m] = s;
  }
  return out;
}

/** max over m = L..N of |fit − w| / |w| (lags where w is below 1e-12 of the tail's largest count absolutely). */
export function relativeError(w: Float64Array, c: Float64Array, decay: Float64Array, local: number, n: number): number {
  const fit = tailOf(c, decay, local, n);
  let scale = 0;
  for (let m = local; m <= n; m++) scale = Math.max(scale, Math.abs(w[m]));
  if (scale === 0) return 0;
  let worst = 0;
  // the float64 sequences (first differences of powers, second differences by their series, recurrences)
  // carry a rounding of ~ε m |w[m]|, which is not counted as an error of the fit
  for (let m = local; m <= n; m++) {
    const noise = 4 * Number.EPSILON * m * Math.abs(w[m]);
    worst = Math.max(worst, Math.max(0, Math.abs(fit[m] - w[m]) - noise) / Math.max(Math.abs(w[m]), 1e-12 * scale));
  }
  return worst;
}

function fitAll(weights: SchemeWeights, decay: Float64Array, local: number, lags: number[], active?: number[][]): Float64Array[] {
  return weights.history.map((table, r) => fitTail(table.sequence, decay, local, lags, active?.[r]));
}

export function checkTolerance(tolerance: unknown): asserts tolerance is number {
  if (typeof tolerance !== "number" || !(tolerance >= MIN_TOLERANCE && tolerance < 1)) {
    throw new Error(`tolerance = ${String(tolerance)} is not allowed: a number in [${MIN_TOLERANCE}, 1) ` +
      `(the largest relative error of the fast history's kernel approximation; float32 cannot honour less than ${MIN_TOLERANCE})`);
  }
}

/**
 * The exponential fit of every history sum's tail w[L..N] for a scheme on a grid of N steps (the full
 * memory), within `tolerance`; throws when the fit cannot reach it.
 */
function build(method: Method, beta: number, n: number, h: number, tolerance: number): ExponentialFit {
  checkTolerance(tolerance);
  const local = LOCAL;
  const scheme = SCHEME_WEIGHTS[method];
  const value = scheme(beta, n, h);
  const lags = sampleLags(n, local, 400);
  let best = Infinity;
  for (let perDecade = 2; ; perDecade++) {
    const decay = nodes(n, local, perDecade);
    if (decay.length > MAX_NODES) break;
    const coefficients = fitAll(value, decay, local, lags);
    const maxError = Math.max(...value.history.map((t, r) => relativeError(t.sequence, coefficients[r], decay, local, n)));
    best = Math.min(best, maxError);
    if (maxError <= tolerance) {
      let derivative: Float64Array[] | null = null;
      return {
        local, decay, value: coefficients, maxError,
        derivative: () => derivative ??= (() => {
          // NNLS may change its active set between β ± δ (the β-gradient was 1.2 % off): the derivative is
          // that of the one least-squares fit on the active set at β
          const active = coefficients.map((c) => [...c.keys()].filter((k) => c[k] > 0));
          const up = fitAll(scheme(beta + DELTA, n, h), decay, local, lags, active);
          const down = fitAll(scheme(beta - DELTA, n, h), decay, local, lags, active);
          return up.map((c, r) => c.map((v, k) => (v - down[r][k]) / (2 * DELTA)));
        })(),
      };
    }
  }
  throw new Error(`tolerance = ${tolerance} cannot be reached by the fast history for method '${method}', beta ${beta}, ` +
    `N = ${n} (best relative error ${best.toExponential(2)} with up to ${MAX_NODES} exponentials): ` +
    `use a larger tolerance or history 'exact'`);
}

const cache = boundedCache<ExponentialFit>(24);

/** The fit per (method, β, h, N, tolerance), built once in float64 and cached. */
export function exponentialFit(method: Method, beta: number, n: number, h: number, tolerance: number): ExponentialFit {
  return cache(`${method}|${beta}|${n}|${h}|${tolerance}`, () => build(method, beta, n, h, tolerance));
}
