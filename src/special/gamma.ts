// Lanczos approximation (g = 7, n = 9; coefficients of P. Godfrey):
//   Γ(x+1) = √(2π) (x+g+1/2)^(x+1/2) e^{-(x+g+1/2)} [c0 + Σ_{k=1..8} c_k/(x+k)],
// used on [1/2, 5/2) (relative error < 1e-15 there), with Γ(x+1) = x Γ(x) above and the reflection
// formula Γ(x) Γ(1-x) = π / sin(πx) for x < 1/2. log Γ for x >= 10 uses the Stirling series
//   log Γ(x) = (x-1/2) log x - x + log √(2π) + Σ_k B_{2k} / (2k (2k-1) x^{2k-1}).
const LANCZOS_G = 7;
const LANCZOS_C = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7,
];
const LOG_SQRT_2PI = 0.91893853320467274178;
const STIRLING = [1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360, 1 / 156, -3617 / 122400];

// Γ(n) for n = 1..171, exact up to n = 23 and correctly accumulated beyond.
const FACTORIALS: number[] = [1];
for (let n = 1; n <= 170; n++) FACTORIALS.push(FACTORIALS[n - 1] * n);

function assertNotPole(name: string, x: number): void {
  if (Number.isNaN(x)) throw new Error(`${name}: argument x must be a number, got NaN`);
  if (x <= 0 && Number.isInteger(x)) {
    throw new Error(`${name}: argument x = ${x} is a pole of the gamma function; allowed: any real x except 0, -1, -2, ...`);
  }
}

/** Lanczos sum c0 + Σ c_k/(x+k) for the argument x (= Γ argument minus one). */
function lanczosSum(x: number): number {
  let sum = LANCZOS_C[0];
  for (let k = 1; k < LANCZOS_C.length; k++) sum += LANCZOS_C[k] / (x + k);
  return sum;
}

/** sin(πx) with exact zeros at integers and good accuracy for large |x|. */
export function sinPi(x: number): number {
  const r = x - 2 * Math.round(x / 2); // r in [-1, 1]
  if (r === 0 || Math.abs(r) === 1) return 0;
  if (r > 0.5) return Math.sin(Math.PI * (1 - r));
  if (r < -0.5) return -Math.sin(Math.PI * (1 + r));
  return Math.sin(Math.PI * r);
}

/** The gamma function Γ(x) for real x (throws at the poles x = 0, -1, -2, ...). */
export function gamma(x: number): number {
  assertNotPole("gamma", x);
  if (x === Infinity) return Infinity;
  if (Number.isInteger(x) && x <= 171) return FACTORIALS[x - 1];
  if (x < 0.5) return Math.PI / (sinPi(x) * gamma(1 - x));
  if (x > 171.7) return Infinity;
  if (x >= 2.5) {
    // Γ(x) = Γ(x-n) (x-1)(x-2)...(x-n); every factor x-j is exact in floating point.
    const n = Math.floor(x - 1.5);
    let prod = 1;
    for (let j = 1; j <= n; j++) prod *= x - j;
    return gamma(x - n) * prod;
  }
  const y = x - 1;
  const t = y + LANCZOS_G + 0.5;
  // t^(y+1/2) is split in two halves so that it does not overflow before e^{-t} is applied.
  const half = Math.pow(t, (y + 0.5) / 2);
  return Math.sqrt(2 * Math.PI) * half * (half * Math.exp(-t)) * lanczosSum(y);
}

/** log|Γ(x)| for real x (throws at the poles x = 0, -1, -2, ...). */
export function logGamma(x: number): number {
  assertNotPole("logGamma", x);
  if (x === Infinity) return Infinity;
  if (x === 1 || x === 2) return 0;
  if (x < 0.5) return Math.log(Math.PI / Math.abs(sinPi(x))) - logGamma(1 - x);
  if (x < 10) return Math.log(gamma(x));
  const r = 1 / (x * x);
  let series = 0;
  for (let k = STIRLING.length - 1; k >= 0; k--) series = series * r + STIRLING[k];
  return (x - 0.5) * Math.log(x) - x + LOG_SQRT_2PI + series / x;
}

/** 1/Γ(x) for real x, equal to 0 at the poles x = 0, -1, -2, ... */
export function reciprocalGamma(x: number): number {
  if (x <= 0 && Number.isInteger(x)) return 0;
  if (x > 171.7) return Math.exp(-logGamma(x));
  if (x < 0.5) return (sinPi(x) * gamma(1 - x)) / Math.PI;
  return 1 / gamma(x);
}
