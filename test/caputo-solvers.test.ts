// fdeint against exact solutions: D^β y = -y (Mittag-Leffler), D^β y = Γ(3)/Γ(3-β) t^(2-β) (y = t²).
import { test } from "node:test";
import assert from "node:assert/strict";
import { tf, fdeint, METHODS, mittagLeffler, gamma, type Method } from "../src/index";

const HS = [20, 40, 80, 160];
const solveAt1 = (method: Method, beta: number, n: number, f: (t: number, y: tf.Tensor) => tf.Tensor, y0: number) =>
  tf.tidy(() => fdeint(f, tf.scalar(y0), { beta, tEnd: 1, stepSize: 1 / n, method }).dataSync()[0]);
const orders = (errs: number[]) => errs.slice(1).map((e, i) => Math.log2(errs[i] / e));

// Known orders at t = 1 for this non-smooth problem (y - 1 ~ t^β): the explicit schemes are first order;
// the corrector (product trapezoidal) reaches min(1 + β, 2) (Diethelm, Ford, Freed, Numer. Algorithms 36, 2004).
const expectedOrder = (method: Method, beta: number) => (method === "corrector" ? Math.min(1 + beta, 2) : 1);

test("Caputo semantics: f ≡ 0 keeps y ≡ y0 for every method", () => {
  const y0 = tf.tensor2d([[1, -2], [3.5, 0.25]]);
  for (const method of METHODS) {
    for (const beta of [0.4, 1]) {
      const y = fdeint((_t, y) => tf.zerosLike(y), y0, { beta, tEnd: 2, stepSize: 0.1, method, times: [0.5, 2] });
      assert.deepEqual(Array.from(y.dataSync()), [...y0.dataSync(), ...y0.dataSync()], `${method} β=${beta}`);
      y.dispose();
    }
  }
  y0.dispose();
});

test("D^β y = -y against E_β(-t^β): errors and observed orders of every method", () => {
  const rows: string[] = [];
  for (const method of METHODS) {
    for (const beta of [0.3, 0.5, 0.7, 0.9, 1]) {
      const exact = mittagLeffler(-1, beta);
      const errs = HS.map((n) => Math.abs(solveAt1(method, beta, n, (_t, y) => tf.neg(y), 1) - exact));
      const p = orders(errs);
      rows.push(`${method.padEnd(10)} β=${beta.toFixed(1)}  err ${errs.map((e) => e.toExponential(2)).join("  ")}  order ${p.map((o) => o.toFixed(2)).join(" ")}`);
      const want = expectedOrder(method, beta);
      const last = p[p.length - 1];
      assert.ok(last > want - 0.12 && last < want + 0.25, `${method} β=${beta}: observed order ${last.toFixed(3)}, theory ${want}`);
      assert.ok(errs[errs.length - 1] < 1e-2, `${method} β=${beta}: error ${errs[errs.length - 1]} at h = 1/160`);
    }
  }
  console.log(`error at t = 1, h = 1/${HS.join(", 1/")}\n${rows.join("\n")}`);
});

// With f depending on y the predictor's error enters: order min(1 + β, 2) (Diethelm, Ford, Freed 2004, Thm 3.2).
test("smooth solution y = t² of D^β y = Γ(3)/Γ(3-β) t^(2-β) + y - t²: the corrector's order is min(1 + β, 2)", () => {
  for (const beta of [0.5, 0.8]) {
    const c = gamma(3) / gamma(3 - beta);
    const f = (t: number, y: tf.Tensor) => tf.add(y, c * Math.pow(t, 2 - beta) - t * t);
    const errs = HS.map((n) => Math.abs(solveAt1("corrector", beta, n, f, 0) - 1));
    const last = orders(errs)[HS.length - 2];
    console.log(`corrector, y = t², β=${beta}: errors ${errs.map((e) => e.toExponential(2)).join(" ")}, order ${last.toFixed(2)}`);
    assert.ok(Math.abs(last - Math.min(1 + beta, 2)) < 0.2, `β=${beta}: order ${last}`);
  }
});

test("batched states, a field reading tf.Variables, times, memory windows", () => {
  const A = tf.variable(tf.tensor2d([[-1, 0.5], [-0.5, -1]]), true, "solver_test_A");
  const f = (_t: number, y: tf.Tensor) => tf.matMul(y as tf.Tensor2D, A);
  const y0 = tf.tensor2d([[1, 0], [0, 1], [2, -1]]);
  const opts = { beta: 0.6, tEnd: 1, stepSize: 0.05 };
  const full = fdeint(f, y0, opts);
  assert.deepEqual(full.shape, [3, 2]);
  // batch rows are independent solves
  const row = fdeint(f, tf.tensor2d([[2, -1]]), opts);
  assert.ok(Math.max(...Array.from(tf.sub(full.slice([2, 0], [1, 2]), row).abs().dataSync())) < 1e-6);
  const traj = fdeint(f, y0, { ...opts, times: [0, 0.5, 1] });
  assert.deepEqual(traj.shape, [3, 3, 2]);
  assert.deepEqual(Array.from(traj.slice([0], [1]).dataSync()), Array.from(y0.dataSync()));
  assert.deepEqual(Array.from(traj.slice([2], [1]).dataSync()), Array.from(full.dataSync()));
  const sameAsFull = fdeint(f, y0, { ...opts, memory: 20 });
  assert.deepEqual(Array.from(sameAsFull.dataSync()), Array.from(full.dataSync()));
  const short = fdeint(f, y0, { ...opts, memory: 3 });
  const gap = tf.sub(short, full).abs().max().dataSync()[0];
  assert.ok(gap > 1e-3, `a 3-step memory window must change the answer (max difference ${gap})`);
  tf.dispose([full, row, traj, sameAsFull, short, y0, A]);
});

test("β as a tf.Variable: finite gradient through the weights, matching a finite difference", () => {
  const y0 = tf.tensor1d([1, 2]);
  for (const method of METHODS) {
    const beta = tf.variable(tf.scalar(0.7));
    const loss = () => tf.sum(fdeint((_t, y) => tf.neg(y), y0, { beta, tEnd: 1, stepSize: 0.05, method })) as tf.Scalar;
    const { value, grads } = tf.variableGrads(loss, [beta]);
    const g = grads[beta.name].dataSync()[0];
    const at = (b: number) => tf.tidy(() => tf.sum(fdeint((_t, y) => tf.neg(y), y0, { beta: b, tEnd: 1, stepSize: 0.05, method })).dataSync()[0]);
    const fd = (at(0.71) - at(0.69)) / 0.02;
    assert.ok(Number.isFinite(g) && Math.abs(g - fd) < 2e-3 * Math.max(1, Math.abs(fd)), `${method}: dL/dβ ${g} vs finite difference ${fd}`);
    tf.dispose([value, grads[beta.name], beta]);
  }
  y0.dispose();
});

test("no tensor leak over 100 fdeint calls", () => {
  const y0 = tf.ones([4, 3]);
  const f = (_t: number, y: tf.Tensor) => tf.sin(y);
  const before = tf.memory().numTensors;
  for (let i = 0; i < 100; i++) {
    const method = METHODS[i % METHODS.length];
    fdeint(f, y0, { beta: 0.8, tEnd: 0.5, stepSize: 0.05, method, times: i % 2 ? [0.1, 0.5] : undefined }).dispose();
  }
  assert.equal(tf.memory().numTensors, before);
  y0.dispose();
});

test("bad input gives an error naming the argument, the value and what is allowed", () => {
  const y0 = tf.ones([2]);
  const f = (_t: number, y: tf.Tensor) => tf.neg(y);
  const base = { beta: 0.5, tEnd: 1, stepSize: 0.1 };
  const cases: [object, RegExp][] = [
    [{ ...base, beta: 0 }, /beta = 0 .*0 < beta <= 1/],
    [{ ...base, beta: 1.5 }, /beta = 1.5 .*0 < beta <= 1/],
    [{ ...base, stepSize: -0.1 }, /stepSize = -0.1 .*> 0/],
    [{ ...base, stepSize: 0.3 }, /stepSize = 0.3 .*whole number/],
    [{ ...base, tEnd: Number.NaN }, /tEnd = NaN/],
    [{ ...base, method: "rk4" }, /method = rk4 .*predictor, corrector, l1, gl, trapezoid/],
    [{ ...base, memory: 0 }, /memory = 0/],
    [{ ...base, times: [0.25] }, /times\[0\] = 0.25 .*grid times/],
    [{ ...base, correctorSteps: 2 }, /correctorSteps = 2 .*only with method 'corrector'/],
  ];
  for (const [opts, msg] of cases) assert.throws(() => fdeint(f, y0, opts as never), msg);
  assert.throws(() => fdeint(f, tf.tensor1d([1, Number.NaN]), base), /y0\[1\] .*NaN.*finite/);
  assert.throws(() => fdeint((_t, y) => tf.concat([y, y]), y0, base), /f\(t, y\) returned shape \[4\].*step 0.*y's shape \[2\]/);
  assert.throws(() => fdeint((_t, y) => tf.cast(y, "int32"), y0, base), /int32.*float32/);
  assert.throws(() => fdeint((_t, y) => tf.mul(y, 1e30), y0, { ...base, beta: 1, tEnd: 5 }), /non-finite .*step \d+ \(t = [\d.]+\)/);
  // a state past the host-scan size is checked on the device first; the error still names the first bad index
  const wide = tf.zeros([20000]);
  const blowUp = tf.tensor1d(Float32Array.from({ length: 20000 }, (_, i) => (i === 12345 ? 1e30 : 0)));
  assert.throws(() => fdeint((_t, y) => tf.add(tf.mul(y, 1e30), blowUp), wide, { ...base, beta: 1, tEnd: 5 }),
    /non-finite \(\S+ at flat index 12345\) at step \d+/);
  tf.dispose([wide, blowUp]);
  y0.dispose();
});
