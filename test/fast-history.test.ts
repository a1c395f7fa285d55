// The fast history (docs/design.md §2): exact lags m < 32 and a sum of exponentials for the older ones;
// against the exact history and Mittag-Leffler, the fit alone, its exact discrete adjoint, option errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { tf, fdeint, fdeintAdjoint, solveFde, mittagLeffler, type Method } from "../src/index";
import { exponentialFit, relativeError } from "../src/solvers/exponential-fit";
import { HOST_HISTORY_MAX_WIDTH } from "../src/solvers/fast-history";
import { SCHEME_WEIGHTS } from "../src/solvers/schemes";

const FAST: Method[] = ["predictor", "corrector", "l1", "gl"];
const decay = (_t: number, y: tf.Tensor) => tf.neg(y);

function endValue(method: Method, beta: number, n: number, history: "exact" | "fast"): number {
  return tf.tidy(() => fdeint(decay, tf.ones([1]), { beta, tEnd: 1, stepSize: 1 / n, method, history }).dataSync()[0]);
}

test("fast against exact and Mittag-Leffler on D^β y = −y, N = 2000 (and 5000)", () => {
  const cases: [Method, number, number][] = [];
  // the corrector's exact history (two sums, two f calls per step) at N = 1000 keeps the test short
  for (const method of FAST) for (const beta of [0.3, 0.5, 0.7, 0.9]) cases.push([method, beta, method === "corrector" ? 1000 : 2000]);
  cases.push(["predictor", 0.6, 5000]);
  for (const [method, beta, n] of cases) {
    const exact = endValue(method, beta, n, "exact");
    const fast = endValue(method, beta, n, "fast");
    assert.ok(Math.abs(fast - exact) / Math.abs(exact) <= Math.max(10 * 1e-6, 2e-5), `${method} β ${beta} N ${n}: ${fast} vs ${exact}`);
    const truth = mittagLeffler(-1, beta);
    const eExact = Math.abs(exact - truth);
    const eFast = Math.abs(fast - truth);
    // errors below float32 round-off (~2e-6 relative at N = 5000) are not compared
    assert.ok(Math.abs(eFast - eExact) <= Math.max(0.1 * eExact, 2e-6 * Math.abs(truth)), `${method} β ${beta}: error ${eFast} vs exact's ${eExact}`);
  }
});

test("the observed convergence order of the fast history equals the exact one's (D^β y = −y, N = 100..800)", () => {
  for (const [method, beta] of [["predictor", 0.5], ["corrector", 0.5], ["l1", 0.7], ["gl", 0.3]] as [Method, number][]) {
    const truth = mittagLeffler(-1, beta);
    const ns = [100, 200, 400, 800];
    const order = (history: "exact" | "fast") => {
      const errors = ns.map((n) => Math.abs(endValue(method, beta, n, history) - truth));
      return Math.log(errors[0] / errors[errors.length - 1]) / Math.log(ns[ns.length - 1] / ns[0]);
    };
    const [exact, fast] = [order("exact"), order("fast")];
    assert.ok(Math.abs(fast - exact) <= 0.05, `${method} β ${beta}: order ${fast} (fast) vs ${exact} (exact)`);
    assert.ok(exact > 0.5, `${method} β ${beta}: exact order ${exact}`);
  }
});

test("the exponential fit alone is within tolerance over the far range; an impossible tolerance throws", () => {
  for (const [method, beta, n] of [["predictor", 0.3, 4000], ["l1", 0.7, 2000], ["gl", 0.5, 10000]] as [Method, number, number][]) {
    const fit = exponentialFit(method, beta, n, 0.01, 1e-6);
    const w = SCHEME_WEIGHTS[method](beta, n, 0.01).history[0].sequence;
    assert.ok(relativeError(w, fit.value[0], fit.decay, fit.local, n) <= 1e-6, `${method} β ${beta} N ${n}`);
    assert.ok(fit.decay.length <= 40, `K = ${fit.decay.length}`);
  }
  assert.throws(() => exponentialFit("predictor", 0.5, 2000, 0.01, 1e-9), /tolerance/);
  assert.throws(() => fdeint(decay, tf.ones([1]), { beta: 0.5, tEnd: 1, stepSize: 0.01, history: "fast", tolerance: 1e-9 }), /tolerance/);
});

test("the fast adjoint equals direct autodiff through the fast forward (y0, params, β), no leak", () => {
  for (const method of FAST) {
    const W = tf.variable(tf.randomNormal([8, 8], 0, 0.5, "float32", 3));
    const beta = tf.variable(tf.scalar(0.6));
    const y0 = tf.randomNormal([4, 8], 0, 1, "float32", 4);
    const f = (_t: number, y: tf.Tensor) => tf.tanh(tf.matMul(y as tf.Tensor2D, W));
    const opts = { beta, tEnd: 1, stepSize: 1 / 200, method, history: "fast" as const };
    const loss = (y: tf.Tensor) => tf.sum(tf.square(y));
    const before = tf.memory().numTensors;
    const direct = tf.tidy(() => {
      const { grads: g, value } = tf.variableGrads(() => loss(fdeint(f, y0, opts)) as tf.Scalar, [W, beta]);
      const dy0 = tf.grad((y) => loss(fdeint(f, y, opts)))(y0);
      value.dispose();
      return [dy0, g[W.name], g[beta.name]].map((t) => Array.from(t.dataSync()));
    });
    const adjoint = tf.tidy(() => {
      const { grads: g, value } = tf.variableGrads(() => loss(fdeintAdjoint(f, y0, { ...opts, params: [W] })) as tf.Scalar, [W, beta]);
      const dy0 = tf.grad((y) => loss(fdeintAdjoint(f, y, { ...opts, params: [W] })))(y0);
      value.dispose();
      return [dy0, g[W.name], g[beta.name]].map((t) => Array.from(t.dataSync()));
    });
    assert.equal(tf.memory().numTensors, before, `${method}: tensors leaked`);
    ["y0", "W", "beta"].forEach((name, i) => {
      const a = adjoint[i], d = direct[i];
      const diff = Math.hypot(...a.map((v, k) => v - d[k])) / Math.hypot(...d);
      assert.ok(diff <= 1e-4, `${method} ${name}: relative error ${diff}`);
    });
    W.dispose();
    beta.dispose();
    y0.dispose();
  }
});

test("checkpointed fast adjoint gradients equal the unchecked ones bit for bit (every fast method, losses at several times), no leak", () => {
  const W = tf.variable(tf.randomNormal([8, 8], 0, 0.5, "float32", 3));
  const beta = tf.variable(tf.scalar(0.6));
  const y0 = tf.randomNormal([4, 8], 0, 1, "float32", 4);
  const f = (_t: number, y: tf.Tensor) => tf.tanh(tf.matMul(y as tf.Tensor2D, W));
  for (const method of FAST) {
    const run = (checkpoints?: number | "auto") => tf.tidy(() => {
      const opts = { beta, tEnd: 3, stepSize: 0.01, method, history: "fast" as const, gradient: "adjoint" as const, params: [W], checkpoints, times: [1, 2.5, 3] };
      const { grads, value } = tf.variableGrads(() => tf.sum(tf.square(solveFde(f, y0, opts))) as tf.Scalar, [W, beta]);
      return [value, grads[W.name], grads[beta.name]].map((t) => Array.from(t.dataSync()));
    });
    const before = tf.memory().numTensors;
    const plain = run();
    for (const checkpoints of ["auto", 7, 300] as const) assert.deepEqual(run(checkpoints), plain, `${method}, checkpoints ${checkpoints}`);
    assert.equal(tf.memory().numTensors, before, `${method}: tensors leaked`);
  }
  tf.dispose([W, beta, y0]);
});

test("a state wider than the host's limit (the fast history in tfjs kernels off the tape): adjoint equals direct autodiff, checkpoints agree, no leak", () => {
  const width = HOST_HISTORY_MAX_WIDTH + 64;
  const a = tf.variable(tf.randomNormal([1, width], 0, 0.5, "float32", 5));
  const beta = tf.variable(tf.scalar(0.7));
  const y0 = tf.randomNormal([1, width], 0, 1, "float32", 6);
  const f = (_t: number, y: tf.Tensor) => tf.tanh(tf.mul(y, a));
  for (const method of FAST) {
    const opts = { beta, tEnd: 1, stepSize: 1 / 120, method, history: "fast" as const, times: [0.5, 1] };
    const grads = (extra: object, gradient: "direct" | "adjoint") => tf.tidy(() => {
      const loss = (y: tf.Tensor) => tf.sum(tf.square(solveFde(f, y, { ...opts, ...extra, gradient, params: [a] })));
      const { grads: g, value } = tf.variableGrads(() => loss(y0) as tf.Scalar, [a, beta]);
      const dy0 = tf.grad(loss)(y0);
      value.dispose();
      return [dy0, g[a.name], g[beta.name]].map((t) => Array.from(t.dataSync()));
    });
    const before = tf.memory().numTensors;
    const direct = grads({}, "direct");
    const adjoint = grads({}, "adjoint");
    const checkpointed = grads({ checkpoints: 5 }, "adjoint");
    assert.equal(tf.memory().numTensors, before, `${method}: tensors leaked`);
    const rel = (x: number[], y: number[]) => Math.hypot(...x.map((v, k) => v - y[k])) / Math.hypot(...y);
    ["y0", "a", "beta"].forEach((name, i) => {
      assert.ok(rel(adjoint[i], direct[i]) <= 1e-4, `${method} ${name}: adjoint vs direct ${rel(adjoint[i], direct[i])}`);
      assert.ok(rel(checkpointed[i], adjoint[i]) <= 1e-5, `${method} ${name}: checkpoints vs none ${rel(checkpointed[i], adjoint[i])}`);
    });
  }
  tf.dispose([a, beta, y0]);
});

test("fast history option errors", () => {
  const y0 = tf.ones([1]);
  const base = { beta: 0.5, tEnd: 1, stepSize: 0.01 };
  assert.throws(() => fdeint(decay, y0, { ...base, history: "fats" as "fast" }), /history.*'exact' or 'fast'/);
  assert.throws(() => fdeint(decay, y0, { ...base, tolerence: 1e-6 } as never), /did you mean "tolerance"/);
  assert.throws(() => fdeint(decay, y0, { ...base, tolerance: 1e-6 }), /tolerance.*only with history 'fast'/);
  assert.throws(() => fdeint(decay, y0, { ...base, history: "fast", method: "trapezoid" }), /predictor, corrector, l1, gl/);
  assert.throws(() => fdeint(decay, y0, { ...base, history: "fast", memory: 50 }), /memory.*history 'fast'|history 'fast'.*memory/);
  assert.throws(() => solveFde(decay, y0, { ...base, history: "fast", tolerance: 0 }), /tolerance/);
  const adjoint = { ...base, gradient: "adjoint" as const, params: [] };
  assert.throws(() => solveFde(decay, y0, { ...adjoint, checkpoints: 4 }), /checkpoints.*only with history 'fast'.*every state/);
  assert.throws(() => fdeint(decay, y0, { ...base, history: "fast", checkpoints: 4 }), /checkpoints.*only with the discrete adjoint/);
  for (const bad of [0, 2.5, 101, "sqrt"]) {
    assert.throws(() => solveFde(decay, y0, { ...adjoint, history: "fast", checkpoints: bad as number }), /checkpoints.*'auto' or a whole number in \[1, 100\]/);
  }
  // memory within the exact window: fast is the exact history
  const a = tf.tidy(() => fdeint(decay, y0, { ...base, history: "fast", memory: 20 }).dataSync()[0]);
  const b = tf.tidy(() => fdeint(decay, y0, { ...base, memory: 20 }).dataSync()[0]);
  assert.equal(a, b);
  y0.dispose();
});
