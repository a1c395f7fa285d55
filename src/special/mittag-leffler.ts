import { logGamma, reciprocalGamma } from "./gamma";

// E_{α,β}(z) = Σ_k z^k / Γ(αk + β) for real z, 0 < α <= 2, β > 0.
//
// Small |z|: the power series. Elsewhere: inversion of the Laplace transform
//   ∫_0^∞ e^{-st} t^{β-1} E_{α,β}(z t^α) dt = s^{α-β} / (s^α - z)   at t = 1,
//   E_{α,β}(z) = Σ_{poles p outside C} e^p p^{1-β} / α  +  1/(2πi) ∫_C e^s s^{α-β} / (s^α - z) ds,
// on the parabola C: s(u) = μ (1 + iu)², u ∈ ℝ, with the trapezoidal rule (Weideman & Trefethen,
// "Parabolic and hyperbolic contours for computing the Bromwich integral", Math. Comp. 76, 2007;
// the choice of μ and h between the singularities follows the idea of Garrappa, "Numerical evaluation of
// two and three parameter Mittag-Leffler functions", SIAM J. Numer. Anal. 53(3), 2015). The poles
// p = |z|^{1/α} e^{i(arg z + 2πk)/α} with |arg z + 2πk| < απ map to u_p = i(1 - √(p/μ)); with
// d = distance of the nearest singularity above the real u axis (the branch point s = 0 is at u = i) and
// c = the depth used below it, the discretisation error is about e^{μ(1-d)² - 2πd/h} + e^{μ(1+c)² - 2πc/h}
// and the truncation error e^{μ(1 - (Nh)²)}; h and N make each of these e^{-L}.

const LOG_TOL = 40; // L: each error term is about e^{-40} ≈ 4e-18 times the size of the integrand
const LOG_MAX = 709.78;
const MAX_SERIES_TERMS = 200000;

interface Complex {
  re: number;
  im: number;
}

function check(z: number, alpha: number, beta: number): void {
  if (!Number.isFinite(z)) throw new Error(`mittagLeffler: argument z must be a finite real number, got ${z}`);
  if (!(alpha > 0 && alpha <= 2)) {
    throw new Error(`mittagLeffler: argument alpha = ${alpha} is not supported; allowed: 0 < alpha <= 2`);
  }
  if (!(beta > 0 && Number.isFinite(beta))) {
    throw new Error(`mittagLeffler: argument beta = ${beta} is not supported; allowed: finite beta > 0`);
  }
}

/** Power series, summed until the terms (unimodal in k) are decreasing and negligible. */
function series(z: number, alpha: number, beta: number): number {
  const logAbsZ = Math.log(Math.abs(z));
  const negative = z < 0;
  let sum = 0;
  let previous = Infinity;
  for (let k = 0; k < MAX_SERIES_TERMS; k++) {
    const arg = alpha * k + beta;
    const logTerm = k * logAbsZ;
    const magnitude = arg < 170 && logTerm < 700
      ? Math.pow(Math.abs(z), k) * reciprocalGamma(arg)
      : Math.exp(logTerm - logGamma(arg));
    sum += negative && k % 2 === 1 ? -magnitude : magnitude;
    if (magnitude <= previous && magnitude <= 1e-17 * Math.abs(sum)) return sum;
    previous = magnitude;
  }
  throw new Error(`mittagLeffler: the power series did not converge for z = ${z}, alpha = ${alpha}, beta = ${beta}`);
}

/** Poles of s^{α-β}/(s^α - z) on the principal sheet: |z|^{1/α} e^{iφ}, φ = (arg z + 2πk)/α, |αφ| < απ. */
function principalPoles(z: number, alpha: number): Complex[] {
  const radius = Math.pow(Math.abs(z), 1 / alpha);
  const theta = z > 0 ? 0 : Math.PI;
  const poles: Complex[] = [];
  for (const k of [-1, 0]) {
    const angle = theta + 2 * Math.PI * k;
    if (Math.abs(angle) < alpha * Math.PI * (1 - 1e-12)) {
      const phi = angle / alpha;
      poles.push({ re: radius * Math.cos(phi), im: radius * Math.sin(phi) });
    }
  }
  return poles;
}

interface Contour {
  mu: number;
  h: number;
  n: number;
  outside: Complex[];
}

/** Re √q for complex q (principal branch). */
function realSqrt(q: Complex): number {
  return Math.sqrt((Math.hypot(q.re, q.im) + q.re) / 2);
}

function chooseContour(poles: Complex[], alpha: number, beta: number): Contour {
  let best: Contour | undefined;
  let bestScore = Infinity;
  for (let i = 0; i <= 80; i++) {
    const mu = 0.02 * Math.pow(400, i / 80); // 0.02 .. 8
    let d = 1;
    let cMax = Infinity;
    let usable = true;
    const outside: Complex[] = [];
    for (const p of poles) {
      const w = realSqrt({ re: p.re / mu, im: p.im / mu });
      if (Math.abs(w - 1) < 0.1) usable = false;
      if (w < 1) d = Math.min(d, 1 - w);
      else {
        cMax = Math.min(cMax, w - 1);
        outside.push(p);
      }
    }
    if (!usable) continue;
    const c = Math.min(Math.sqrt(1 + LOG_TOL / mu), cMax);
    const h = Math.min(
      (2 * Math.PI * d) / (LOG_TOL + mu * (1 - d) ** 2),
      (2 * Math.PI * c) / (LOG_TOL + mu * (1 + c) ** 2),
    );
    const n = Math.ceil(Math.sqrt(1 + LOG_TOL / mu) / h);
    if (n > 5000) continue;
    // Round-off grows like e^μ (largest value of e^s on C) times |s|^{α-β} near the origin.
    const score = mu + Math.max(0, beta - alpha) * Math.log(1 / mu) + 1e-4 * n;
    if (score < bestScore) {
      bestScore = score;
      best = { mu, h, n, outside };
    }
  }
  if (!best) throw new Error(`mittagLeffler: no integration contour found (alpha = ${alpha}, beta = ${beta})`);
  return best;
}

/** The residue e^p p^{1-β} / α of e^s s^{α-β} / (s^α - z) at the pole p. */
function residue(p: Complex, alpha: number, beta: number): Complex {
  const logAbs = Math.log(Math.hypot(p.re, p.im));
  const arg = Math.atan2(p.im, p.re);
  const re = p.re + (1 - beta) * logAbs;
  const im = p.im + (1 - beta) * arg;
  const scale = Math.exp(re) / alpha;
  return { re: scale * Math.cos(im), im: scale * Math.sin(im) };
}

/** Re[ e^s s^{α-β} / (s^α - z) · s'(u) / (2πi) ] at s = μ(1 + iu)². */
function integrand(u: number, mu: number, z: number, alpha: number, beta: number): number {
  const sRe = mu * (1 - u * u);
  const sIm = 2 * mu * u;
  const logAbs = Math.log(Math.hypot(sRe, sIm));
  const arg = Math.atan2(sIm, sRe);
  // s^α - z
  const pa = Math.exp(alpha * logAbs);
  const denRe = pa * Math.cos(alpha * arg) - z;
  const denIm = pa * Math.sin(alpha * arg);
  // e^s s^{α-β}
  const eRe = sRe + (alpha - beta) * logAbs;
  const eIm = sIm + (alpha - beta) * arg;
  const mag = Math.exp(eRe);
  const numRe = mag * Math.cos(eIm);
  const numIm = mag * Math.sin(eIm);
  // s'(u) = 2iμ(1 + iu) = -2μu + 2iμ
  const dRe = -2 * mu * u;
  const dIm = 2 * mu;
  const nRe = numRe * dRe - numIm * dIm;
  const nIm = numRe * dIm + numIm * dRe;
  const den2 = denRe * denRe + denIm * denIm;
  const qIm = (nIm * denRe - nRe * denIm) / den2;
  // Re(q / (2πi)) = Im(q) / (2π)
  return qIm / (2 * Math.PI);
}

function laplaceInversion(z: number, alpha: number, beta: number): number {
  const poles = principalPoles(z, alpha);
  const { mu, h, n, outside } = chooseContour(poles, alpha, beta);
  let residues = 0;
  for (const p of outside) {
    const logSize = p.re + (1 - beta) * Math.log(Math.hypot(p.re, p.im)) - Math.log(alpha);
    if (logSize > LOG_MAX) return Infinity;
    residues += residue(p, alpha, beta).re;
  }
  let sum = integrand(0, mu, z, alpha, beta);
  for (let k = 1; k <= n; k++) sum += 2 * integrand(k * h, mu, z, alpha, beta);
  return residues + h * sum;
}

/** E_{α,β}(z) by the power series alone (exposed for cross-checks; use mittagLeffler). */
export function mittagLefflerSeries(z: number, alpha: number, beta = 1): number {
  check(z, alpha, beta);
  return z === 0 ? reciprocalGamma(beta) : series(z, alpha, beta);
}

/** E_{α,β}(z) by the Laplace-transform inversion alone (exposed for cross-checks; use mittagLeffler). */
export function mittagLefflerLaplace(z: number, alpha: number, beta = 1): number {
  check(z, alpha, beta);
  return laplaceInversion(z, alpha, beta);
}

/**
 * The Mittag-Leffler function E_{α,β}(z) = Σ_{k>=0} z^k / Γ(αk + β) for real z, 0 < α <= 2, β > 0.
 * E_{1,1}(z) = e^z, E_{1/2,1}(z) = e^{z²} erfc(-z), E_{2,1}(-z²) = cos z. Returns Infinity on overflow.
 */
export function mittagLeffler(z: number, alpha: number, beta = 1): number {
  check(z, alpha, beta);
  if (z === 0) return reciprocalGamma(beta);
  const radius = Math.pow(Math.abs(z), 1 / alpha);
  if (z > 0) {
    // Positive terms: the series is stable; it is used while it is short (about radius/α terms).
    if (radius / alpha <= 5000) return series(z, alpha, beta);
    return laplaceInversion(z, alpha, beta);
  }
  // Alternating terms of size up to ~e^{radius}/α: the series only where that sum stays small.
  if (radius <= 0.5) return series(z, alpha, beta);
  return laplaceInversion(z, alpha, beta);
}
