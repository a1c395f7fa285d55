import { test } from "node:test";
import assert from "node:assert/strict";
import { tf } from "../src/backend";
import type { Tensor } from "@tensorflow/tfjs";
import { mlpField } from "../src/models/mlp-field";
import { fdeint } from "../src/solvers";
import { fdeintAdjoint } from "../src/adjoint";

function relDiff(a: Tensor, b: Tensor): number {
  return tf.tidy(() => Math.sqrt(tf.sum(tf.square(tf.sub(a, b))).dataSync()[0] / Math.max(tf.sum(tf.square(b)).dataSync()[0], 1e-30)));
}

test("mlp field: the hand-written VJP equals the taped VJP, and is f's own gradient", () => {
  const field = mlpField({ dim: 8, hidden: 32, seed: 3 });
  const plain = mlpField({ dim: 8, hidden: 32, seed: 3, handVjp: false });
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    // Non-zero biases, so their gradients are exercised too.
    for (const m of [field, plain]) {
      m.params[1].assign(tf.randomNormal([32], 0, 0.3, "float32", 5));
      m.params[3].assign(tf.randomNormal([8], 0, 0.3, "float32", 6));
    }
    const y = tf.randomNormal([16, 8], 0, 1, "float32", 1);
    const c = tf.randomNormal([16, 8], 0, 1, "float32", 2);
    // plain.f is tanh(y W1 + b1) W2ᵀ + b2 in taped ops; field.f is one custom op whose gradient is the VJP.
    const taped = tf.grads((yy: Tensor, ...ps: Tensor[]) => {
      void ps;
      return tf.sum(tf.mul(plain.f(0, yy), c));
    })([y, ...plain.params]);
    const own = tf.grads((yy: Tensor, ...ps: Tensor[]) => {
      void ps;
      return tf.sum(tf.mul(field.f(0, yy), c));
    })([y, ...field.params]);
    const hand = field.f.vjp!(0, y, c, field.params, true);
    assert.ok(hand.value && relDiff(hand.value, plain.f(0, y)) <= 1e-6, "value");
    assert.ok(relDiff(field.f(0, y), plain.f(0, y)) <= 1e-6, "f");
    assert.ok(relDiff(hand.y, taped[0]) <= 1e-5, `dy rel ${relDiff(hand.y, taped[0])}`);
    assert.ok(relDiff(own[0], taped[0]) <= 1e-5, `f's own dy rel ${relDiff(own[0], taped[0])}`);
    field.params.forEach((p, i) => {
      const r = relDiff(hand.params[i]!, taped[i + 1]);
      assert.ok(r <= 1e-5, `d${p.name} rel ${r}`);
      assert.ok(relDiff(own[i + 1], taped[i + 1]) <= 1e-5, `f's own d${p.name}`);
    });
    const some = field.f.vjp!(0, y, c, [y, field.params[2]], false);
    assert.equal(some.params[0], null, "a tensor that is not a parameter gets null");
    assert.ok(relDiff(some.params[1]!, taped[3]) <= 1e-5, "a subset of the parameters, in any order");
    assert.equal(some.value, undefined);
  });
  assert.equal(tf.memory().numTensors, before);
  for (let i = 0; i < 10; i++) {
    tf.tidy(() => {
      const y = tf.ones([4, 8]);
      const r = field.f.vjp!(0, y, y, field.params, true);
      tf.dispose([r.value!, r.y, ...r.params.filter((q): q is Tensor => q !== null)]);
      tf.dispose([field.f(0, y), ...tf.grads((yy: Tensor) => tf.sum(field.f(0, yy)))([y])]);
    });
  }
  assert.equal(tf.memory().numTensors, before, "no tensors leaked");
  field.dispose();
  plain.dispose();
});

// Small sizes sum the adjoint's gradients on the host; at dim 32, hidden 64, 16 rows (y0 512 floats, W1 2048) they
// are summed as tensors (adjoint/accumulator.ts keeps sums of more than 256 floats on the backend).
for (const [dim, hidden, rows] of [[4, 16, 8], [32, 64, 16]]) {
  test(`mlp field: the adjoint with the hand VJP equals direct autodiff (y0 and every parameter; dim ${dim}, hidden ${hidden})`, () => {
    const field = mlpField({ dim, hidden, seed: 9 });
    const noVjp = mlpField({ dim, hidden, seed: 9, handVjp: false });
    assert.equal(noVjp.f.vjp, undefined);
    const y0 = tf.randomNormal([rows, dim], 0, 1, "float32", 4);
    const target = tf.randomNormal([rows, dim], 0, 1, "float32", 5);
    const opts = { beta: 0.6, tEnd: 1, stepSize: 0.1 };
    const loss = (solve: (y: Tensor) => Tensor) => (y: Tensor) => tf.mean(tf.squaredDifference(solve(y), target));
    const xs = [y0, ...field.params];
    const adjointGrads = () => tf.grads(loss((y) => fdeintAdjoint(field.f, y, { ...opts, params: field.params })))(xs);
    tf.tidy(() => {
      const direct = tf.grads(loss((y) => fdeint(field.f, y, opts)))(xs);
      const adjoint = adjointGrads();
      direct.forEach((g, i) => {
        const r = relDiff(adjoint[i], g);
        assert.ok(r <= 1e-5, `input ${i}: rel ${r}`);
      });
    });
    tf.dispose(adjointGrads());
    const before = tf.memory().numTensors;
    tf.dispose(adjointGrads());
    assert.equal(tf.memory().numTensors, before, "the adjoint's gradient sums leave no tensor behind");
    tf.dispose([y0, target]);
    field.dispose();
    noVjp.dispose();
  });
}

test("mlp field: bad sizes and a wrong state shape name the argument and value", () => {
  assert.throws(() => mlpField({ dim: 0 }), /dim is 0; allowed: a positive integer/);
  assert.throws(() => mlpField({ hidden: 2.5 }), /hidden is 2.5/);
  const field = mlpField({ dim: 4, hidden: 8 });
  tf.tidy(() => assert.throws(() => field.f(0, tf.zeros([3, 5])), /y has shape \[3,5\]; allowed: \[rows, 4\]/));
  field.dispose();
});
