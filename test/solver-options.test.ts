// The solver options: misspelt names and values outside their sets are errors that say what is allowed;
// solveFde with each gradient strategy is the same solve as fdeint / fdeintAdjoint.
import { test } from "node:test";
import assert from "node:assert/strict";
import { tf } from "../src/backend";
import { fdeint, GRADIENTS, METHODS, SOLVER_OPTION_NAMES, type Method, type SolverOptions, type VectorField } from "../src/solvers";
import { fdeintAdjoint, solveFde } from "../src/adjoint";
import { editDistance, nearest } from "../src/util/nearest";

type Tensor = ReturnType<typeof tf.tensor>;
type Tensor2D = ReturnType<typeof tf.tensor2d>;
type Scalar = ReturnType<typeof tf.scalar>;

const f: VectorField = (_t, y) => tf.neg(y);
const base = { beta: 0.5, tEnd: 1, stepSize: 0.1 };

test("edit distance and the nearest name ignore case and count a swap of neighbours as one edit", () => {
  assert.equal(editDistance("stepsize", "stepSize"), 0);
  assert.equal(editDistance("methd", "method"), 1);
  assert.equal(editDistance("mehtod", "method"), 1);
  assert.equal(editDistance("", "abc"), 3);
  assert.equal(nearest("memmory", SOLVER_OPTION_NAMES), "memory");
  assert.equal(nearest("tend", SOLVER_OPTION_NAMES), "tEnd");
});

test("fdeint: a misspelt option name is an error naming it and the nearest known name", () => {
  const y0 = tf.ones([2]);
  const cases: [string, string][] = [
    ["methd", "method"], ["memmory", "memory"], ["stepsize", "stepSize"], ["tend", "tEnd"], ["time", "times"],
    ["bta", "beta"], ["correctorStep", "correctorSteps"],
  ];
  for (const [wrong, right] of cases) {
    assert.throws(() => fdeint(f, y0, { ...base, [wrong]: 1 } as never),
      new RegExp(`^Error: fdeint: unknown option "${wrong}"; did you mean "${right}"\\? \\(known: beta, tEnd, stepSize, method, memory, times, correctorSteps, history, tolerance, checkpoints\\)$`));
  }
  y0.dispose();
});

test("fdeint given params, adjoint or gradient: they belong to fdeintAdjoint / solveFde", () => {
  const y0 = tf.ones([2]);
  assert.throws(() => fdeint(f, y0, { ...base, params: [] } as never), /fdeint: option "params" belongs to fdeintAdjoint/);
  assert.throws(() => fdeint(f, y0, { ...base, adjoint: "continuous" } as never), /fdeint: option "adjoint" belongs to fdeintAdjoint/);
  assert.throws(() => fdeint(f, y0, { ...base, gradient: "adjoint" } as never), /fdeint: option "gradient" belongs to solveFde/);
  y0.dispose();
});

test("fdeintAdjoint and solveFde: misspelt names, and the other entry's names", () => {
  const y0 = tf.ones([2]);
  const adj = { ...base, params: [] as Tensor[] };
  const cases: [string, string][] = [["adjont", "adjoint"], ["parms", "params"], ["methd", "method"], ["tend", "tEnd"], ["stepsize", "stepSize"]];
  for (const [wrong, right] of cases) {
    assert.throws(() => fdeintAdjoint(f, y0, { ...adj, [wrong]: 1 } as never),
      new RegExp(`fdeintAdjoint: unknown option "${wrong}"; did you mean "${right}"\\? \\(known: .*params, adjoint\\)`));
  }
  assert.throws(() => fdeintAdjoint(f, y0, { ...adj, gradient: "adjoint" } as never), /fdeintAdjoint: option "gradient" belongs to solveFde/);
  assert.throws(() => solveFde(f, y0, { ...base, gradiant: "adjoint" } as never),
    /solveFde: unknown option "gradiant"; did you mean "gradient"\? \(known: .*gradient, params\)/);
  assert.throws(() => solveFde(f, y0, { ...base, memmory: 3 } as never), /solveFde: unknown option "memmory"; did you mean "memory"/);
  assert.throws(() => solveFde(f, y0, { ...adj, adjoint: "discrete" } as never), /solveFde: option "adjoint" belongs to fdeintAdjoint/);
  y0.dispose();
});

test("option values outside their sets name the allowed values", () => {
  const y0 = tf.ones([2]);
  const direct: [object, RegExp][] = [
    [{ ...base, method: "rk4" }, /method = rk4 is not allowed: predictor, corrector, l1, gl, trapezoid/],
    [{ ...base, beta: "0.5" }, /beta = string is not allowed: a number in \(0, 1\] or a scalar tf.Variable/],
    [{ ...base, tEnd: -1 }, /tEnd = -1 is not allowed: a finite number > 0/],
    [{ ...base, stepSize: 0 }, /stepSize = 0 is not allowed: a finite number > 0/],
    [{ ...base, memory: 2.5 }, /memory = 2.5 is not allowed: a whole number of steps >= 1/],
    [{ ...base, method: "corrector", correctorSteps: 0 }, /correctorSteps = 0 is not allowed: a whole number >= 1/],
    [{ ...base, method: "corrector", correctorSteps: 1.5 }, /correctorSteps = 1.5 is not allowed: a whole number >= 1/],
    [{ ...base, method: "l1", correctorSteps: 2 }, /correctorSteps = 2 is not allowed: only with method 'corrector'/],
    [{ ...base, times: 0.5 }, /times = 0.5 is not allowed: a non-empty array of grid times/],
    [{ ...base, times: [] }, /times = \[\] is not allowed: a non-empty array of grid times/],
    [{ ...base, times: [0.5, 2] }, /times\[1\] = 2 is not allowed: grid times k \* stepSize in \[0, 1\]/],
    [{ ...base, times: ["0.5"] }, /times\[0\] = 0.5 is not allowed: grid times/],
  ];
  for (const [opts, msg] of direct) {
    assert.throws(() => fdeint(f, y0, opts as never), msg);
    assert.throws(() => solveFde(f, y0, opts as never), msg);
  }
  assert.throws(() => fdeint(f, y0, null as never), /options = null is not allowed: an object \{ beta, tEnd, stepSize, \.\.\. \}/);
  assert.throws(() => solveFde(f, y0, { ...base, gradient: "exact" } as never), /gradient = exact is not allowed: direct, adjoint, continuous-adjoint/);
  assert.throws(() => solveFde(f, y0, { ...base, gradient: "adjoint" }), /params = undefined is not allowed: an array .*required with gradient 'adjoint'/);
  assert.throws(() => solveFde(f, y0, { ...base, gradient: "adjoint", params: [2 as never] }), /params\[0\] = number is not allowed: each entry must be a tf.Tensor/);
  assert.throws(() => fdeintAdjoint(f, y0, { ...base, params: [], adjoint: "exact" as never }), /adjoint = "exact" is not allowed: discrete or continuous/);
  assert.throws(() => fdeintAdjoint(f, y0, base as never), /params = undefined is not allowed: an array/);
  const beta = tf.variable(tf.scalar(0.5));
  assert.throws(() => solveFde(f, y0, { ...base, beta, gradient: "continuous-adjoint", params: [] }), /continuous.*no gradient for the order/);
  tf.dispose([y0, beta]);
});

test("GRADIENTS and SOLVER_OPTION_NAMES list the strategies and every option", () => {
  assert.deepEqual([...GRADIENTS], ["direct", "adjoint", "continuous-adjoint"]);
  assert.deepEqual([...SOLVER_OPTION_NAMES], ["beta", "tEnd", "stepSize", "method", "memory", "times", "correctorSteps", "history", "tolerance", "checkpoints", "gradient", "params"]);
});

function mlpField(seed: number) {
  const W1 = tf.variable(tf.randomNormal([3, 8], 0, 0.5, "float32", seed));
  const W2 = tf.variable(tf.randomNormal([8, 3], 0, 0.5, "float32", seed + 1));
  const field: VectorField = (_t, y) => tf.matMul(tf.tanh(tf.matMul(y as Tensor2D, W1)), W2);
  return { field, params: [W1, W2] };
}

const sameBits = (a: Tensor, b: Tensor, what: string) => {
  const x = new Uint32Array(Float32Array.from(a.dataSync()).buffer);
  const y = new Uint32Array(Float32Array.from(b.dataSync()).buffer);
  assert.deepEqual(x, y, what);
};

test("solveFde with each gradient strategy: fdeint's value, and the gradients of fdeint / fdeintAdjoint, bit for bit", () => {
  const { field, params } = mlpField(21);
  const y0 = tf.variable(tf.randomNormal([4, 3], 0, 1, "float32", 23));
  const cases: { method: Method; extra: Partial<SolverOptions> }[] = METHODS.map((method) => ({ method, extra: {} }));
  cases.push({ method: "corrector", extra: { correctorSteps: 2, times: [0.25, 0.5, 1], memory: 6 } });
  cases.push({ method: "gl", extra: { times: [0, 1], memory: 5 } });
  for (const { method, extra } of cases) {
    const beta = tf.variable(tf.scalar(0.7));
    const grid = { tEnd: 1, stepSize: 1 / 20, method, ...extra };
    const gradientsOf = (run: () => Tensor, vars: ReturnType<typeof tf.variable>[]) => {
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(run())) as Scalar, vars);
      return { value, grads: vars.map((v) => grads[v.name]) };
    };
    const pairs: [string, () => Tensor, () => Tensor, boolean][] = [
      ["direct", () => fdeint(field, y0, { ...grid, beta }), () => solveFde(field, y0, { ...grid, beta }), true],
      ["direct, params given", () => fdeint(field, y0, { ...grid, beta }), () => solveFde(field, y0, { ...grid, beta, gradient: "direct", params }), true],
      ["adjoint", () => fdeintAdjoint(field, y0, { ...grid, beta, params }), () => solveFde(field, y0, { ...grid, beta, gradient: "adjoint", params }), true],
      ["continuous-adjoint", () => fdeintAdjoint(field, y0, { ...grid, beta: 0.7, params, adjoint: "continuous" }),
        () => solveFde(field, y0, { ...grid, beta: 0.7, gradient: "continuous-adjoint", params }), false],
    ];
    for (const [name, reference, candidate, withBeta] of pairs) {
      const vars = withBeta ? [y0, ...params, beta] : [y0, ...params];
      const want = gradientsOf(reference, vars);
      const got = gradientsOf(candidate, vars);
      sameBits(got.value, want.value, `${method} ${JSON.stringify(extra)} ${name}: loss`);
      got.grads.forEach((g, i) => sameBits(g, want.grads[i], `${method} ${JSON.stringify(extra)} ${name}: gradient ${i}`));
      tf.dispose([want.value, got.value, want.grads, got.grads]);
    }
    const value = tf.tidy(() => tf.sub(solveFde(field, y0, { ...grid, beta: 0.7 }), fdeint(field, y0, { ...grid, beta: 0.7 })).abs().max().dataSync()[0]);
    assert.equal(value, 0, `${method}: solveFde's value outside a gradient is fdeint's`);
    beta.dispose();
  }
  tf.dispose([y0, ...params]);
});

test("no tensor leak over solveFde training steps with each strategy (options nested as a model would)", () => {
  const { field, params } = mlpField(31);
  const y0 = tf.randomNormal([4, 3], 0, 1, "float32", 33);
  const solver: SolverOptions = { beta: 0.8, tEnd: 0.5, stepSize: 0.05, method: "corrector", times: [0.25, 0.5] };
  const opt = tf.train.sgd(1e-3);
  const step = (gradient: (typeof GRADIENTS)[number]) =>
    opt.minimize(() => tf.mean(tf.square(solveFde(field, y0, { ...solver, gradient, params }))) as Scalar, false, params);
  GRADIENTS.forEach(step);
  const before = tf.memory().numTensors;
  for (let i = 0; i < 12; i++) step(GRADIENTS[i % GRADIENTS.length]);
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([y0, ...params]);
  opt.dispose();
});
