import { test } from "node:test";
import assert from "node:assert/strict";
import { gamma, logGamma, reciprocalGamma, erf, erfc, erfcx, mittagLeffler } from "../src/special";
import { mittagLefflerLaplace, mittagLefflerSeries } from "../src/special/mittag-leffler";

function relErr(actual: number, expected: number): number {
  return actual === expected ? 0 : Math.abs(actual - expected) / Math.abs(expected);
}

/** Absolute error where |expected| < 1, relative otherwise (the accuracy contract of mittagLeffler). */
function mixedErr(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.max(1, Math.abs(expected));
}

function assertClose(actual: number, expected: number, tol: number, what: string, err = mixedErr): void {
  const e = err(actual, expected);
  assert.ok(e <= tol, `${what}: got ${actual}, expected ${expected} (error ${e.toExponential(2)} > ${tol})`);
}

function grid(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let i = 0; from + i * step <= to + 1e-12; i++) out.push(from + i * step);
  return out;
}

test("gamma at positive integers equals the factorial (exact BigInt reference)", () => {
  let factorial = 1n;
  for (let n = 1; n <= 171; n++) {
    assertClose(gamma(n), Number(factorial), n <= 23 ? 0 : 1e-14, `gamma(${n})`, relErr);
    factorial *= BigInt(n);
  }
});

test("gamma at half-integers: Γ(1/2) = √π and Γ(n + 1/2) = (2n)! √π / (4^n n!)", () => {
  assertClose(gamma(0.5), Math.sqrt(Math.PI), 1e-15, "gamma(0.5)", relErr);
  assertClose(gamma(-0.5), -2 * Math.sqrt(Math.PI), 1e-15, "gamma(-0.5)", relErr);
  assertClose(gamma(-1.5), (4 / 3) * Math.sqrt(Math.PI), 1e-15, "gamma(-1.5)", relErr);
  let fact2n = 1n;
  let factN = 1n;
  for (let n = 1; n <= 80; n++) {
    fact2n *= BigInt(2 * n - 1) * BigInt(2 * n);
    factN *= BigInt(n);
    // (2n)! / (4^n n!) as a correctly rounded double: scale the BigInt ratio by 2^60 first.
    const scaled = (fact2n << 60n) / (4n ** BigInt(n) * factN);
    const expected = (Number(scaled) / 2 ** 60) * Math.sqrt(Math.PI);
    assertClose(gamma(n + 0.5), expected, 1e-14, `gamma(${n + 0.5})`, relErr);
  }
});

test("gamma at non-integer arguments matches high-precision values (mpmath, 40 digits)", () => {
  const table: Array<[number, number]> = [
    [0.1, 9.51350769866873], [2.5, 1.329340388179137], [7.3, 1271.4236336639087],
    [33.3, 7.487577596522633e35], [101.7, 2.358182551604511e159], [170.6, 9.295995953500918e305],
  ];
  for (const [x, g] of table) assertClose(gamma(x), g, 1e-14, `gamma(${x})`, relErr);
  assertClose(gamma(-2.3) * gamma(3.3), Math.PI / Math.sin(Math.PI * -2.3), 1e-14, "reflection", relErr);
  assert.equal(gamma(172), Infinity);
  assert.equal(reciprocalGamma(-3), 0);
  assertClose(reciprocalGamma(0.5), 1 / Math.sqrt(Math.PI), 1e-15, "1/gamma(0.5)", relErr);
});

test("logGamma for large x agrees with the Stirling series; for small x with log|gamma|", () => {
  for (const x of [57.5, 1e3, 12345.678, 1e6, 1e10, 1e15]) {
    const series = 1 / (12 * x) - 1 / (360 * x ** 3) + 1 / (1260 * x ** 5) - 1 / (1680 * x ** 7);
    const stirling = (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + series;
    assertClose(logGamma(x), stirling, 1e-14, `logGamma(${x})`, relErr);
  }
  for (const x of [0.01, 0.5, 1.5, 3.7, 9.99, 10.01, 150.3, -0.5, -7.25]) {
    assertClose(logGamma(x), Math.log(Math.abs(gamma(x))), 2e-15, `logGamma(${x})`);
  }
  assert.equal(logGamma(1), 0);
  assert.equal(logGamma(2), 0);
});

test("gamma and logGamma reject the poles with a message naming the argument", () => {
  for (const x of [0, -1, -2, -17]) {
    assert.throws(() => gamma(x), /gamma: argument x = -?\d+ is a pole .*allowed: any real x except 0, -1, -2/);
    assert.throws(() => logGamma(x), /logGamma: argument x = -?\d+ is a pole/);
  }
  assert.throws(() => gamma(NaN), /gamma: argument x must be a number, got NaN/);
});

test("erfc and erfcx match high-precision values (mpmath, 40 digits) to 1e-14 relative", () => {
  const table: Array<[number, number, number]> = [
    [-3.5, 1.9999992569016276, 417962.4224457703],
    [-1, 1.8427007929497148, 5.008980080762283],
    [-0.3, 1.3286267594591274, 1.4537492328427655],
    [1e-9, 0.9999999988716208, 0.9999999988716208],
    [0.2, 0.7772974107895215, 0.8090195199015807],
    [0.5, 0.4795001221869535, 0.6156903441929259],
    [0.9, 0.20309178757716786, 0.456531651323117],
    [1.1, 0.11979493042591827, 0.4017304606364951],
    [2, 0.004677734981047266, 0.25539567631050575],
    [3.7, 1.6715105790914599e-7, 0.1474349975371851],
    [6, 2.1519736712498913e-17, 0.09277656780053835],
    [10, 2.088487583762545e-45, 0.05614099274382259],
    [26, 5.663192408856143e-296, 0.021683584850562907],
  ];
  for (const [x, c, cx] of table) {
    assertClose(erfc(x), c, 1e-14, `erfc(${x})`, relErr);
    assertClose(erfcx(x), cx, 1e-14, `erfcx(${x})`, relErr);
    assertClose(erf(x), 1 - c, 1e-15, `erf(${x})`);
  }
  for (const x of [1e3, 1e6, 1e10]) {
    const asymptotic = (1 - 1 / (2 * x * x) + 3 / (4 * x ** 4)) / (x * Math.sqrt(Math.PI));
    assertClose(erfcx(x), asymptotic, 1e-14, `erfcx(${x})`, relErr);
  }
  assert.equal(erfc(0), 1);
  assert.equal(erfc(30), 0);
  assert.equal(erfc(-30), 2);
  assert.throws(() => erfc(NaN), /erfc: argument x must be a real number, got NaN/);
});

test("E_{α,β}(0) = 1/Γ(β)", () => {
  for (const alpha of [0.1, 0.5, 1, 1.7, 2]) {
    for (const beta of [0.2, 0.5, 1, 2.5, 7]) {
      assertClose(mittagLeffler(0, alpha, beta), 1 / gamma(beta), 1e-15, `E_{${alpha},${beta}}(0)`, relErr);
    }
  }
});

test("E_1(z) = e^z on a dense grid of z in [-50, 5]", () => {
  for (const z of grid(-50, 5, 0.01)) assertClose(mittagLeffler(z, 1), Math.exp(z), 1e-10, `E_1(${z})`);
});

test("E_{1/2}(z) = exp(z²) erfc(-z) = erfcx(-z) on a dense grid of z in [-50, 5]", () => {
  for (const z of grid(-50, 5, 0.01)) assertClose(mittagLeffler(z, 0.5), erfcx(-z), 1e-10, `E_1/2(${z})`);
});

test("E_2(-x²) = cos x and E_2(x²) = cosh x", () => {
  for (const x of grid(0, Math.sqrt(50), 0.005)) {
    assertClose(mittagLeffler(-x * x, 2), Math.cos(x), 1e-10, `E_2(${-x * x})`);
    assertClose(mittagLeffler(x * x, 2), Math.cosh(x), 1e-10, `E_2(${x * x})`);
  }
});

test("E_{α,β} matches high-precision references (mpmath series at up to 700 digits, or Talbot inversion)", () => {
  // [z, α, β, E_{α,β}(z)]: computed with mpmath 1.3 as Σ z^k/Γ(αk+β) at 30 + |z|^{1/α}/2.3 digits
  // when |z|^{1/α} <= 1500, else by invertlaplace(s^{α-β}/(s^α - z), t = 1, 'talbot') at 40 digits.
  const table: Array<[number, number, number, number]> = [
  [1.3, 0.05, 0.05, 1.0080049191601458e+86],
  [-0.8, 0.05, 0.3, 0.17124393693806614],
  [-1.5, 0.05, 1.7, 0.44292629316359816],
  [0.5, 0.05, 2.5, 1.4519696972058993],
  [-50.0, 0.05, 4.0, 0.0034742253708454876],
  [-30.0, 0.1, 0.1, 9.788756546236551e-05],
  [-0.8, 0.1, 0.3, 0.1567289968051039],
  [0.0001, 0.1, 1.7, 1.1006547830496103],
  [-0.01, 0.1, 2.5, 0.7453220816222147],
  [-1.0, 0.1, 4.0, 0.08856425872179924],
  [-0.2, 0.25, 0.25, 0.1890826079177345],
  [-3.0, 0.25, 0.3, 0.028432853058816723],
  [3.0, 0.25, 1.7, 2.779543737556175e+34],
  [0.1, 0.25, 2.5, 0.8198527371801791],
  [-1.0, 0.25, 4.0, 0.0963719474482404],
  [-1.0, 0.5, 0.3, 0.011118455664361185],
  [-0.2, 0.5, 0.5, 0.40238567956744015],
  [-0.5, 0.5, 1.7, 0.7687963037226915],
  [-0.6, 0.5, 2.5, 0.5331841775745625],
  [-1.5, 0.5, 4.0, 0.09277147710778844],
  [0.0001, 0.75, 0.3, 0.33437548498815634],
  [-25.0, 0.75, 0.75, 0.00035951049915190704],
  [-0.6, 0.75, 1.7, 0.7505575568503995],
  [-45.0, 0.75, 2.5, 0.023688497620532056],
  [-0.0001, 0.75, 4.0, 0.1666606377515506],
  [1.0, 0.9, 0.3, 3.1410658696970164],
  [-0.1, 0.9, 0.9, 0.834624747151725],
  [4.0, 0.9, 1.7, 39.96592996279498],
  [-30.0, 0.9, 2.5, 0.03644336181208318],
  [0.01, 0.9, 4.0, 0.16715169114509182],
  [-25.0, 0.99, 0.3, -0.010286433590674913],
  [-4.0, 0.99, 0.99, 0.01852024346106038],
  [-3.0, 0.99, 1.7, 0.2833420884098196],
  [0.8, 0.99, 2.5, 1.0642186518290895],
  [-50.0, 0.99, 4.0, 0.009519496684328997],
  [0.3, 0.999, 0.3, 0.7568019262952722],
  [-1.0, 0.999, 0.999, 0.36724764916903785],
  [-25.0, 0.999, 1.7, 0.031242203289500704],
  [-50.0, 0.999, 2.5, 0.022337860190531945],
  [-50.0, 0.999, 4.0, 0.00959912618789348],
  [-0.0001, 1.0, 0.3, 0.3341613368840594],
  [-25.0, 1.0, 1.7, 0.03120639440758129],
  [1.0, 1.0, 2.5, 1.1623190852077256],
  [-1.5, 1.0, 4.0, 0.11907254514120598],
  [-10.0, 1.25, 0.3, 0.02731845151150094],
  [-2.0, 1.25, 1.25, 0.24162391548408954],
  [-0.1, 1.25, 1.7, 1.049481155348122],
  [-0.3, 1.25, 2.5, 0.6880335061436853],
  [-20.0, 1.25, 4.0, 0.02830094127096812],
  [5.0, 1.5, 0.3, 26.291412780260078],
  [4.0, 1.5, 1.5, 5.20353017635332],
  [-20.0, 1.5, 1.7, 0.011755634031239824],
  [-0.1, 1.5, 2.5, 0.735775777930579],
  [-1.2, 1.5, 4.0, 0.14562325300184875],
  [-0.2, 1.75, 0.3, 0.1469938745769508],
  [-25.0, 1.75, 1.7, 0.010546474972433075],
  [-2.0, 1.75, 1.75, 0.589398578248467],
  [0.8, 1.75, 2.5, 0.854316090919426],
  [-8.0, 1.75, 4.0, 0.09292762376184924],
  [-1.5, 1.9, 0.3, -0.723792723460101],
  [-0.5, 1.9, 1.7, 0.9707271007003611],
  [-50.0, 1.9, 1.9, 0.08625624100503011],
  [-0.01, 1.9, 2.5, 0.7512667008742406],
  [-0.3, 1.9, 4.0, 0.1637308009738943],
  [-0.5, 2.0, 0.3, -0.06666321014707317],
  [-1.2, 2.0, 1.7, 0.8320642770077789],
  [-5.0, 2.0, 2.0, 0.351844907875699],
  [-6.5, 2.0, 2.5, 0.3221218135033846],
  [-45.0, 2.0, 4.0, 0.020856273720262702],
  ];
  for (const [z, alpha, beta, expected] of table) {
    assertClose(mittagLeffler(z, alpha, beta), expected, 1e-10, `E_{${alpha},${beta}}(${z})`);
  }
});

test("series and Laplace inversion agree where both are accurate, for general β", () => {
  for (const alpha of [0.3, 0.6, 0.9, 1, 1.4, 2]) {
    for (const beta of [0.4, alpha, 1, 1.8, 3.2]) {
      for (const z of grid(-1.5, 2, 0.25)) {
        if (z === 0) continue;
        const s = mittagLefflerSeries(z, alpha, beta);
        const l = mittagLefflerLaplace(z, alpha, beta);
        assertClose(l, s, 1e-12, `E_{${alpha},${beta}}(${z}) series ${s} vs inversion ${l}`);
      }
    }
  }
});

test("E_{α,β}(z) = 1/Γ(β) + z E_{α,α+β}(z) across both regimes", () => {
  for (const alpha of [0.25, 0.75, 1.5]) {
    for (const beta of [0.5, 1, 2]) {
      for (const z of grid(-50, 5, 0.73)) {
        const lhs = mittagLeffler(z, alpha, beta);
        const rhs = 1 / gamma(beta) + z * mittagLeffler(z, alpha, alpha + beta);
        assertClose(lhs, rhs, 1e-10 * Math.max(1, Math.abs(z)), `recurrence at α=${alpha}, β=${beta}, z=${z}`);
      }
    }
  }
});

test("E_α(z) overflows to Infinity for large positive z", () => {
  assert.equal(mittagLeffler(800, 1), Infinity);
  assert.equal(mittagLeffler(5, 0.1), Infinity);
});

test("mittagLeffler rejects bad arguments with messages naming the argument and the allowed range", () => {
  assert.throws(() => mittagLeffler(1, 0), /mittagLeffler: argument alpha = 0 is not supported; allowed: 0 < alpha <= 2/);
  assert.throws(() => mittagLeffler(1, 2.5), /argument alpha = 2.5 .*allowed: 0 < alpha <= 2/);
  assert.throws(() => mittagLeffler(1, NaN), /argument alpha = NaN/);
  assert.throws(() => mittagLeffler(1, 0.5, 0), /argument beta = 0 is not supported; allowed: finite beta > 0/);
  assert.throws(() => mittagLeffler(1, 0.5, -1), /argument beta = -1/);
  assert.throws(() => mittagLeffler(Infinity, 0.5), /argument z must be a finite real number, got Infinity/);
  assert.throws(() => mittagLeffler(NaN, 0.5), /argument z must be a finite real number, got NaN/);
});
