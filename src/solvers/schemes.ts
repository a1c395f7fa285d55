// The weights of every scheme (docs/design.md §2), one short builder each (the step rule each scheme uses is
// in src/solvers/rules/). Every table is Toeplitz, W[k+1, j] = w[k − j], so a scheme is stored as its
// generating sequences w (length N+1, float64, including the powers of h); the corrector's W1 keeps its
// first column j = 0 apart.
import { gamma } from "../special/gamma";
import type { Method } from "./types";

/** One history sum's table W[k+1, j] (j ≤ k), stored in O(N). */
export interface ToeplitzWeights {
  /** w[m], m = 0..N: the weight of the history entry m steps back, W[k+1, j] = w[k − j]. */
  sequence: Float64Array;
  /** W[k+1, 0] at index k+1 = 0..N when column j = 0 is not w[k] (the corrector's W1), else null. */
  firstColumn: Float64Array | null;
}

/** The numbers a scheme's steps use on one grid (at one β). */
export interface SchemeWeights {
  /** W_r of each history sum: W0 (every scheme) and W1 (the corrector's corrections). */
  history: ToeplitzWeights[];
  /** s: the coefficient of f_k in y_{k+1} ('u' family; 0 otherwise). */
  field: number;
  /** c: the coefficient of f(t_{k+1}, z) in each correction (corrector; 0 otherwise). */
  stage: number;
}

type Builder = (beta: number, n: number, h: number) => SchemeWeights;

const pow = (x: number, p: number) => (x === 0 ? 0 : Math.pow(x, p));

/**
 * (x+1)^a − 2x^a + (x−1)^a. Evaluated directly it loses ~ε x² relatively (1e-6 at x = 1e5, as much as the
 * fast history's tolerance); for x ≥ 20 by its Taylor series 2 Σ_{j≥1} C(a, 2j) x^(a−2j) instead.
 */
function secondDifference(a: number, x: number): number {
  if (x < 20) return pow(x + 1, a) - 2 * pow(x, a) + pow(x - 1, a);
  const inv2 = 1 / (x * x);
  let binom = (a * (a - 1)) / 2;
  let power = Math.pow(x, a) * inv2;
  let sum = 0;
  for (let j = 1; j <= 12; j++) {
    const term = binom * power;
    sum += term;
    if (Math.abs(term) <= 1e-18 * Math.abs(sum)) break;
    binom *= ((a - 2 * j) * (a - 2 * j - 1)) / ((2 * j + 1) * (2 * j + 2));
    power *= inv2;
  }
  return 2 * sum;
}

function toeplitz(n: number, w: (m: number) => number): ToeplitzWeights {
  return { sequence: Float64Array.from({ length: n + 1 }, (_, m) => w(m)), firstColumn: null };
}

// Fractional rectangle rule (Diethelm, Ford, Freed, Nonlinear Dyn. 29, 2002, eq. 3.4):
// y_{k+1} = y0 + h^β/Γ(β+1) Σ_j [(k+1-j)^β - (k-j)^β] f_j.
const predictor: Builder = (beta, n, h) => {
  const g = Math.pow(h, beta) / gamma(beta + 1);
  return { history: [toeplitz(n, (m) => g * (pow(m + 1, beta) - pow(m, beta)))], field: 0, stage: 0 };
};

// Adams–Bashforth–Moulton PECE (Diethelm, Ford, Freed 2002, eq. 3.2–3.3): product trapezoidal weights
// a_{0,k+1} = k^(β+1) - (k-β)(k+1)^β, a_{j,k+1} = (k-j+2)^(β+1) + (k-j)^(β+1) - 2(k-j+1)^(β+1).
const corrector: Builder = (beta, n, h) => {
  const c = Math.pow(h, beta) / gamma(beta + 2);
  // W1[k+1, j] = w1[k − j] for j ≥ 1; column j = 0 apart
  const W1 = toeplitz(n, (m) => c * secondDifference(beta + 1, m + 1));
  W1.firstColumn = new Float64Array(n + 1);
  for (let k1 = 1; k1 <= n; k1++) {
    const k = k1 - 1;
    W1.firstColumn[k1] = c * (pow(k, beta + 1) - (k - beta) * pow(k + 1, beta));
  }
  return { history: [predictor(beta, n, h).history[0], W1], field: 0, stage: c };
};

// y-history schemes: Σ_{i=0..k+1} ω_i u_{k+1-i} = h^β f_k  ⇒  u_{k+1} = (h^β f_k - Σ_{i>=1} ω_i u_{k+1-i}) / ω_0.
function fromConvolution(omega: Float64Array, beta: number, n: number, h: number): SchemeWeights {
  const w0 = omega[0];
  return { history: [toeplitz(n, (m) => -omega[m + 1] / w0)], field: Math.pow(h, beta) / w0, stage: 0 };
}

// Grünwald–Letnikov: ω_i = g_i, g_0 = 1, g_i = (1 - (β+1)/i) g_{i-1} (coefficients of (1-ξ)^β).
function glCoefficients(beta: number, len: number): Float64Array {
  const g = new Float64Array(len);
  g[0] = 1;
  for (let i = 1; i < len; i++) g[i] = (1 - (beta + 1) / i) * g[i - 1];
  return g;
}

const gl: Builder = (beta, n, h) => fromConvolution(glCoefficients(beta, n + 2), beta, n, h);

// Fractional trapezoidal rule of Lubich's convolution quadrature (generating function
// (2(1-ξ)/(1+ξ))^β; Garrappa, Math. Comput. Simul. 110, 2015, §3): ω = 2^β · (1-ξ)^β · (1+ξ)^(-β).
const trapezoid: Builder = (beta, n, h) => {
  const len = n + 2;
  const g = glCoefficients(beta, len);
  const e = new Float64Array(len);
  e[0] = 1;
  for (let i = 1; i < len; i++) e[i] = (-(beta + i - 1) / i) * e[i - 1];
  const omega = new Float64Array(len);
  for (let i = 0; i < len; i++) {
    let acc = 0;
    for (let l = 0; l <= i; l++) acc += g[l] * e[i - l];
    omega[i] = Math.pow(2, beta) * acc;
  }
  return fromConvolution(omega, beta, n, h);
};

// L1 scheme (Oldham–Spanier; Lin & Xu, J. Comput. Phys. 225, 2007):
// Σ_{m=0..k} c_m (y_{k+1-m} - y_{k-m}) = h^β Γ(2-β) f_k, c_0 = 1, c_m = (m+1)^(1-β) - m^(1-β).
// In u form: u_{k+1} = h^β Γ(2-β) f_k + Σ_{m<k} (c_m - c_{m+1}) u_{k-m} (+ c_k u_0, and u_0 = 0).
const l1: Builder = (beta, n, h) => {
  // c_m − c_{m+1} = −((m+2)^(1−β) − 2(m+1)^(1−β) + m^(1−β)) for m ≥ 1; c_0 − c_1 = 2 − 2^(1−β)
  const w = (m: number) => (m === 0 ? 2 - Math.pow(2, 1 - beta) : -secondDifference(1 - beta, m + 1));
  return { history: [toeplitz(n, w)], field: Math.pow(h, beta) * gamma(2 - beta), stage: 0 };
};

export const SCHEME_WEIGHTS: Record<Method, Builder> = { predictor, corrector, l1, gl, trapezoid };
