// erf by its Maclaurin series in the positive-term form
//   erf(x) = 2/√π e^{-x²} Σ_{n>=0} 2^n x^{2n+1} / (1·3·...·(2n+1))        (Abramowitz–Stegun 7.1.6)
// for |x| <= 1, and for x > 1 the continued fraction of Γ(1/2, x²) (Abramowitz–Stegun 6.5.31 / 7.1.14)
//   erfcx(x) = e^{x²} erfc(x) = x/√π · 1/(x² + 1/2 - (1·1/2)/(x² + 5/2 - (2·3/2)/(x² + 9/2 - ...))),
// evaluated by the modified Lentz algorithm; negative x use erfc(-x) = 2 - erfc(x).
const SERIES_LIMIT = 1;
const INV_SQRT_PI = 0.56418958354775628695;
const TINY = 1e-300;

function checkArgument(name: string, x: number): void {
  if (Number.isNaN(x)) throw new Error(`${name}: argument x must be a real number, got NaN`);
}

/** exp(sign·x²) with x² split as xh² + (2 xh xl + xl²), xh² exact (Dekker), so large x² loses no digits. */
function expSquare(x: number, sign: 1 | -1): number {
  const t = x * 134217729; // 2^27 + 1
  const xh = t - (t - x);
  const xl = x - xh;
  return Math.exp(sign * xh * xh) * Math.exp(sign * (2 * xh * xl + xl * xl));
}

/** erf(x) e^{x²} for |x| <= 1 (positive-term series). */
function erfScaledSeries(x: number): number {
  const x2 = 2 * x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= x2 / (2 * n + 1);
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  return 2 * INV_SQRT_PI * sum;
}

/** e^{x²} erfc(x) for x > 1: continued fraction, depth from a Lentz pass, then summed bottom-up. */
function erfcxContinuedFraction(x: number): number {
  const y = x * x;
  let f = y + 0.5;
  let c = f;
  let d = 0;
  let depth = 1;
  for (; depth < 5000; depth++) {
    const a = -depth * (depth - 0.5);
    const b = y + 2 * depth + 0.5;
    d = b + a * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + a / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-17) break;
  }
  let tail = 0;
  for (let n = depth + 5; n >= 1; n--) tail = (n * (n - 0.5)) / (y + 2 * n + 0.5 - tail);
  return (x * INV_SQRT_PI) / (y + 0.5 - tail);
}

/** The error function erf(x). */
export function erf(x: number): number {
  checkArgument("erf", x);
  const ax = Math.abs(x);
  if (ax <= SERIES_LIMIT) return Math.exp(-x * x) * erfScaledSeries(ax) * Math.sign(x);
  const r = 1 - erfc(ax);
  return x < 0 ? -r : r;
}

/** The complementary error function erfc(x) = 1 - erf(x), with full relative accuracy for large x. */
export function erfc(x: number): number {
  checkArgument("erfc", x);
  if (x === Infinity) return 0;
  if (x === -Infinity) return 2;
  const ax = Math.abs(x);
  if (ax <= SERIES_LIMIT) return 1 - Math.exp(-x * x) * erfScaledSeries(ax) * Math.sign(x);
  const tail = ax > 27.3 ? 0 : expSquare(ax, -1) * erfcxContinuedFraction(ax);
  return x > 0 ? tail : 2 - tail;
}

/** The scaled complementary error function erfcx(x) = e^{x²} erfc(x) (overflows only for x < -26.6). */
export function erfcx(x: number): number {
  checkArgument("erfcx", x);
  if (x === Infinity) return 0;
  const ax = Math.abs(x);
  if (x > SERIES_LIMIT) return erfcxContinuedFraction(x);
  if (ax <= SERIES_LIMIT) {
    const e = Math.exp(x * x);
    return e - erfScaledSeries(ax) * Math.sign(x);
  }
  if (x < -26.7) return Infinity;
  return 2 * expSquare(ax, 1) - erfcxContinuedFraction(ax);
}
