// fdeintAdjoint against direct autodiff through fdeint and against finite differences.
import { test } from "node:test";
import assert from "node:assert/strict";
import { tf, fdeint, fdeintAdjoint, gamma, METHODS, type Method, type VectorField } from "../src/index";

const relErr = (a: tf.Tensor, b: tf.Tensor) =>
  tf.tidy(() => tf.norm(tf.sub(a, b)).dataSync()[0] / Math.max(1e-12, tf.norm(b).dataSync()[0]));

function mlpField(seed: number, hidden = 16, d = 4) {
  const W1 = tf.variable(tf.randomNormal([d, hidden], 0, 0.5, "float32", seed));
  const b1 = tf.variable(tf.randomNormal([hidden], 0, 0.1, "float32", seed + 1));
  const W2 = tf.variable(tf.randomNormal([hidden, d], 0, 0.5, "float32", seed + 2));
  const f: VectorField = (_t, y) => tf.matMul(tf.tanh(tf.add(tf.matMul(y as tf.Tensor2D, W1), b1)), W2);
  return { f, params: [W1, b1, W2], dispose: () => tf.dispose([W1, b1, W2]) };
}

const TIMES = [0.25, 0.5, 1];
const WEIGHTS = [0.3, 0.5, 1];

/** Loss = Σ_i w_i ||y(t_i)||² with two intermediate times and tEnd. */
function lossOf(y: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.mul(tf.sum(tf.square(y), [1, 2]), tf.tensor1d(WEIGHTS))) as tf.Scalar);
}

function gradients(method: Method, betaValue: number, solverKind: "direct" | "discrete" | "continuous") {
  const { f, params, dispose } = mlpField(3);
  const beta = tf.variable(tf.scalar(betaValue));
  const y0 = tf.variable(tf.randomNormal([8, 4], 0, 1, "float32", 11));
  const opts = { beta: solverKind === "continuous" ? betaValue : beta, tEnd: 1, stepSize: 1 / 40, method, times: TIMES };
  const run = () => lossOf(solverKind === "direct" ? fdeint(f, y0, opts) : fdeintAdjoint(f, y0, { ...opts, params, adjoint: solverKind }));
  const vars = solverKind === "continuous" ? [y0, ...params] : [y0, ...params, beta];
  const { value, grads } = tf.variableGrads(run, vars);
  const out = { loss: value.dataSync()[0], grads: vars.map((v) => grads[v.name]), vars, run };
  value.dispose();
  return { ...out, dispose: () => { tf.dispose(out.grads); dispose(); tf.dispose([beta, y0]); } };
}

for (const method of METHODS) {
  test(`discrete adjoint = direct autodiff = finite differences: ${method}`, () => {
    for (const beta of [0.5, 0.9, 1.0]) {
      const direct = gradients(method, beta, "direct");
      const adj = gradients(method, beta, "discrete");
      const names = ["y0", "W1", "b1", "W2", "beta"];
      direct.grads.forEach((g, i) => {
        const e = relErr(adj.grads[i], g);
        assert.ok(e <= 1e-4, `${method} β=${beta} ${names[i]}: relative error ${e.toExponential(2)} against direct autodiff`);
      });
      // Central finite differences of the loss along a random direction in every variable (float32: loose).
      const eps = 1e-2;
      // (at β = 1 the order cannot move up, so β keeps still there; direct autodiff checks its gradient)
      const dirs = adj.vars.map((v, i) => tf.mul(tf.randomNormal(v.shape, 0, 1, "float32", 100 + i), i === 4 && beta === 1 ? 0 : 1));
      const shift = (sign: number) => adj.vars.forEach((v, i) => v.assign(tf.tidy(() => tf.add(v, tf.mul(dirs[i], sign * eps)))));
      shift(1);
      const up = tf.tidy(() => adj.run().dataSync()[0]);
      shift(-2);
      const down = tf.tidy(() => adj.run().dataSync()[0]);
      shift(1);
      const fd = (up - down) / (2 * eps);
      const an = adj.grads.reduce((s, g, i) => s + tf.tidy(() => tf.sum(tf.mul(g, dirs[i])).dataSync()[0]), 0);
      assert.ok(Math.abs(fd - an) <= 2e-3 * Math.abs(an) + 1e-3, `${method} β=${beta}: directional derivative ${an} vs finite difference ${fd}`);
      tf.dispose(dirs);
      direct.dispose();
      adj.dispose();
    }
  });
}

test("continuous adjoint: close to the exact gradient at β = 1, far off at β = 0.5", () => {
  const errs: Record<number, number> = {};
  for (const beta of [1, 0.5]) {
    const exact = gradients("predictor", beta, "discrete");
    const cont = gradients("predictor", beta, "continuous");
    const all = (gs: tf.Tensor[]) => tf.concat(gs.slice(0, 4).map((g) => g.reshape([-1])));
    errs[beta] = tf.tidy(() => relErr(all(cont.grads), all(exact.grads)));
    exact.dispose();
    cont.dispose();
  }
  console.log(`continuous adjoint relative gradient error: β=1 ${errs[1].toExponential(2)}, β=0.5 ${errs[0.5].toExponential(2)}`);
  assert.ok(errs[1] < 0.05, `β = 1: continuous adjoint is off by ${errs[1]}`);
  assert.ok(errs[0.5] > 5 * errs[1] && errs[0.5] > 0.05, `β = 0.5: continuous adjoint error ${errs[0.5]} should be far larger`);
});

test("f = a·y at a = 0: discrete gives y0·T^β/Γ(β+1) (exactly, for the predictor), continuous gives y0·T", () => {
  const a = tf.variable(tf.scalar(0));
  const y0 = tf.tensor1d([2]);
  const f: VectorField = (_t, y) => tf.mul(a, y);
  for (const adjoint of ["discrete", "continuous"] as const) {
    const { value, grads } = tf.variableGrads(() => tf.sum(fdeintAdjoint(f, y0, { beta: 0.5, tEnd: 4, stepSize: 0.1, params: [a], adjoint })) as tf.Scalar, [a]);
    const want = adjoint === "discrete" ? (2 * Math.pow(4, 0.5)) / gamma(1.5) : 2 * 4;
    assert.ok(Math.abs(grads[a.name].dataSync()[0] - want) < 1e-4 * want, `${adjoint}: ${grads[a.name].dataSync()[0]} vs ${want}`);
    tf.dispose([value, grads[a.name]]);
  }
  tf.dispose([a, y0]);
});

test("memory: one adjoint training step peaks at ≤ 0.4 × the direct step's tensor bytes", async () => {
  const W1 = tf.variable(tf.randomNormal([64, 256], 0, 0.1, "float32", 1));
  const W2 = tf.variable(tf.randomNormal([256, 64], 0, 0.1, "float32", 2));
  const f: VectorField = (_t, y) => tf.matMul(tf.tanh(tf.matMul(y as tf.Tensor2D, W1)), W2);
  const y0 = tf.randomNormal([256, 64], 0, 1, "float32", 3);
  const ratios: string[] = [];
  for (const n of [40, 160]) {
    const opts = { beta: 0.6, tEnd: 2, stepSize: 2 / n };
    const peak = async (adjoint: boolean) => {
      const live = tf.memory().numBytes;
      const info = await tf.profile(() => {
        const { value, grads } = tf.variableGrads(() =>
          tf.mean(tf.square(adjoint ? fdeintAdjoint(f, y0, { ...opts, params: [W1, W2] }) : fdeint(f, y0, opts))) as tf.Scalar, [W1, W2]);
        tf.dispose([value, Object.values(grads)]);
      });
      return info.peakBytes - live;
    };
    const direct = await peak(false);
    const adjoint = await peak(true);
    ratios.push(`N=${n}: adjoint ${(adjoint / 2 ** 20).toFixed(1)} MB, direct ${(direct / 2 ** 20).toFixed(1)} MB, ratio ${(adjoint / direct).toFixed(3)}`);
    if (n === 40) assert.ok(adjoint <= 0.4 * direct, `N=40: adjoint peak ${adjoint} B vs direct ${direct} B`);
  }
  console.log(`peak tensor bytes of one training step (MLP 64-256-64, state [256, 64]):\n${ratios.join("\n")}`);
  tf.dispose([W1, W2, y0]);
});

test("no tensor leak over 100 adjoint training steps; a parameter f does not read gets a zero gradient", () => {
  const { f, params, dispose } = mlpField(5);
  const unused = tf.variable(tf.ones([3]));
  const beta = tf.variable(tf.scalar(0.8));
  const y0 = tf.randomNormal([8, 4], 0, 1, "float32", 6);
  const opt = tf.train.adam(1e-3);
  const step = () => opt.minimize(() => lossOf(fdeintAdjoint(f, y0, { beta, tEnd: 1, stepSize: 0.05, times: TIMES, params: [...params, unused] })),
    false, [...params, unused, beta]);
  step();
  const before = tf.memory().numTensors;
  for (let i = 0; i < 100; i++) step();
  assert.equal(tf.memory().numTensors, before);
  const { value, grads } = tf.variableGrads(() => lossOf(fdeintAdjoint(f, y0, { beta, tEnd: 1, stepSize: 0.05, times: TIMES, params: [...params, unused] })), [unused]);
  assert.deepEqual(Array.from(grads[unused.name].dataSync()), [0, 0, 0]);
  tf.dispose([value, grads[unused.name], unused, beta, y0]);
  opt.dispose();
  dispose();
});

test("params: a tensor computed from variables outside f passes its gradient on (as F-GRAND-l's X0)", () => {
  const enc = tf.variable(tf.randomNormal([3, 4], 0, 0.5, "float32", 9));
  const x = tf.randomNormal([5, 3], 0, 1, "float32", 10);
  const grads = (adjoint: boolean) => tf.variableGrads(() => {
    const x0 = tf.matMul(x, enc);
    const f: VectorField = (_t, y) => tf.add(tf.neg(y), tf.mul(0.5, x0));
    const opts = { beta: 0.7, tEnd: 1, stepSize: 0.05 };
    return tf.sum(tf.square(adjoint ? fdeintAdjoint(f, x0, { ...opts, params: [x0] }) : fdeint(f, x0, opts))) as tf.Scalar;
  }, [enc]);
  const d = grads(false);
  const a = grads(true);
  assert.ok(relErr(a.grads[enc.name], d.grads[enc.name]) < 1e-5);
  tf.dispose([d.value, a.value, d.grads[enc.name], a.grads[enc.name], enc, x]);
});

test("params derived inside the loss (disposed when the forward pass ends) still reach the reverse sweep", () => {
  const w = tf.variable(tf.tensor2d([[0.1, 0.2], [0.3, -0.1]]));
  const y0 = tf.tensor2d([[1, 2], [-1, 0.5]]);
  const grads = (adjoint: boolean) => tf.variableGrads(() => {
    const K = tf.mul(w, 2);
    const f: VectorField = (_t, u) => tf.tanh(tf.matMul(u as tf.Tensor2D, K));
    const opts = { beta: 0.8, tEnd: 0.5, stepSize: 0.05, method: "corrector" as const };
    return tf.sum(tf.square(adjoint ? fdeintAdjoint(f, y0, { ...opts, params: [K] }) : fdeint(f, y0, opts))) as tf.Scalar;
  }, [w]);
  const before = tf.memory().numTensors;
  const a = grads(true);
  const d = grads(false);
  assert.ok(relErr(a.grads[w.name], d.grads[w.name]) < 1e-5);
  tf.dispose([a.value, d.value, a.grads[w.name], d.grads[w.name]]);
  assert.equal(tf.memory().numTensors, before, "the kept parameter is released after the sweep");
  tf.dispose([w, y0]);
});

test("params made inside a model's own tf.tidy in the loss: the adjoint keeps them for the sweep, nothing leaks", () => {
  const w = tf.variable(tf.tensor2d([[0.1, 0.2], [0.3, -0.1]]));
  const y0 = tf.tensor2d([[1, 2], [-1, 0.5]]);
  // as a model's forward: the derived parameters and the solve inside its own tf.tidy, no keep/release
  const grads = (adjoint: boolean) => tf.variableGrads(() => tf.tidy(() => {
    const K = tf.mul(w, 2);
    const source = tf.mul(y0, 0.1);
    const f: VectorField = (_t, u) => tf.add(tf.tanh(tf.matMul(u as tf.Tensor2D, K)), source);
    const opts = { beta: 0.8, tEnd: 0.5, stepSize: 0.05, method: "l1" as const };
    return tf.sum(tf.square(adjoint ? fdeintAdjoint(f, y0, { ...opts, params: [K, source] }) : fdeint(f, y0, opts))) as tf.Scalar;
  }), [w]);
  const before = tf.memory().numTensors;
  const a = grads(true);
  const d = grads(false);
  assert.ok(relErr(a.grads[w.name], d.grads[w.name]) < 1e-5);
  tf.dispose([a.value, d.value, a.grads[w.name], d.grads[w.name]]);
  assert.equal(tf.memory().numTensors, before, "the kept parameters are released after the sweep");
  tf.dispose([w, y0]);
});

test("errors: a variable f reads but params omits, bad params, bad adjoint mode", () => {
  const hidden = tf.variable(tf.scalar(-1), true, "forgotten_rate");
  const y0 = tf.variable(tf.ones([2]));
  const f: VectorField = (_t, y) => tf.mul(hidden, y);
  const opts = { beta: 0.5, tEnd: 1, stepSize: 0.1 };
  assert.throws(() => tf.variableGrads(() => tf.sum(fdeintAdjoint(f, y0, { ...opts, params: [] })) as tf.Scalar, [y0]),
    /"forgotten_rate" that params does not list/);
  assert.throws(() => fdeintAdjoint(f, y0, { ...opts, params: "W" as never }), /params = string .*array/);
  assert.throws(() => fdeintAdjoint(f, y0, { ...opts, params: [1 as never] }), /params\[0\] = number .*tf.Tensor/);
  assert.throws(() => fdeintAdjoint(f, y0, { ...opts, params: [hidden], adjoint: "exact" as never }), /adjoint = "exact" .*discrete or continuous/);
  const beta = tf.variable(tf.scalar(0.5));
  assert.throws(() => fdeintAdjoint(f, y0, { ...opts, beta, params: [hidden], adjoint: "continuous" }), /continuous.*order/);
  tf.dispose([hidden, y0, beta]);
});
