// The image model's layers against plain compositions of tfjs ops: group norm's hand-written VJP against
// autodiff of the textbook formula, and the convolutional field (time channel folded into a [1, h, w, C]
// term) against the field written with the time channel concatenated, values and VJPs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { tf } from "../src/backend";
import type { Tensor, Tensor4D } from "@tensorflow/tfjs";
import { relativeDifference } from "../src/analysis/relative-difference";
import { convField } from "../src/models/conv-field";
import { groupNorm, groupNormInit, groupNormTaped, type GroupNorm } from "../src/models/group-norm";
import { layerwise } from "../src/models/layerwise";
import { Rng } from "../src/util/rng";

function vjp(f: (xs: Tensor[]) => Tensor, xs: Tensor[], dy: Tensor): { value: Tensor; grads: Tensor[] } {
  const { value, grads } = tf.tidy(() => tf.valueAndGrads((...a: Tensor[]) => f(a))(xs, dy));
  return { value, grads };
}

test("groupNorm: value and VJP (x, γ, β) equal autodiff of the textbook formula, off-centre inputs, no leak", () => {
  const before = tf.memory().numTensors;
  const norm = groupNormInit(6, 3, "gnTest");
  const x = tf.tidy(() => tf.add(tf.randomNormal([2, 5, 4, 6], 0, 1.5, "float32", 1), 3)) as Tensor4D;
  const gamma = tf.randomNormal([6], 1, 0.5, "float32", 2);
  const beta = tf.randomNormal([6], 0, 0.5, "float32", 3);
  const dy = tf.randomNormal([2, 5, 4, 6], 0, 1, "float32", 4);
  const as = (g: Tensor, b: Tensor): GroupNorm => ({ groups: norm.groups, gamma: g, beta: b } as unknown as GroupNorm);
  const hand = vjp(([a, g, b]) => groupNorm(a as Tensor4D, as(g, b)), [x, gamma, beta], dy);
  const taped = vjp(([a, g, b]) => groupNormTaped(a as Tensor4D, as(g, b)), [x, gamma, beta], dy);
  assert.ok(relativeDifference([hand.value], [taped.value]) < 1e-5, "value");
  ["x", "gamma", "beta"].forEach((name, i) => {
    const d = relativeDifference([hand.grads[i]], [taped.grads[i]]);
    assert.ok(d < 1e-4, `d/d${name}: hand vs autodiff ${d}`);
  });
  // normalised per (sample, group): mean 0, variance 1 before the affine map
  const plain = groupNorm(x, norm);
  const grouped = tf.reshape(plain, [2, 5, 4, 3, 2]);
  const { mean, variance } = tf.moments(grouped, [1, 2, 4]);
  assert.ok(tf.tidy(() => tf.max(tf.abs(mean)).dataSync()[0]) < 1e-5);
  assert.ok(tf.tidy(() => tf.max(tf.abs(tf.sub(variance, 1))).dataSync()[0]) < 1e-3);
  assert.throws(() => tf.tidy(() => groupNorm(tf.zeros([1, 2, 2, 4]) as Tensor4D, norm)), /x has 4 channels; allowed: 6/);
  tf.dispose([x, gamma, beta, dy, hand.value, taped.value, ...hand.grads, ...taped.grads, plain, grouped, mean, variance, norm.gamma, norm.beta]);
  assert.equal(tf.memory().numTensors, before);
});

test("convField: the time channel folded out of the input gives the concatenated field's value and VJPs", () => {
  const before = tf.memory().numTensors;
  const C = 4;
  const field = convField({ channels: C, groups: 2 }, new Rng(5), "cfTest");
  // perturb γ, β and the biases away from their initial values, so that every term is exercised
  tf.tidy(() => field.variables.forEach((v, i) => v.assign(tf.add(v, tf.randomNormal(v.shape, 0, 0.3, "float32", 10 + i)))));
  const [g1, b1, g2, b2, g3, b3, w1, c1, w2, c2] = field.variables;
  const norm = (g: Tensor, b: Tensor) => ({ groups: 2, gamma: g, beta: b } as unknown as GroupNorm);
  const t = 0.7;
  const reference = (y: Tensor4D) => {
    const conv = (x: Tensor4D, w: Tensor, b: Tensor) =>
      tf.add(tf.conv2d(tf.concat([x, tf.fill([x.shape[0], x.shape[1], x.shape[2], 1], t)], 3) as Tensor4D, w as Tensor4D, 1, "same"), b) as Tensor4D;
    let h = tf.relu(groupNormTaped(y, norm(g1, b1))) as Tensor4D;
    h = tf.relu(groupNormTaped(conv(h, w1, c1), norm(g2, b2))) as Tensor4D;
    return groupNormTaped(conv(h, w2, c2), norm(g3, b3));
  };
  const y = tf.randomNormal([3, 6, 6, C], 0, 1, "float32", 6) as Tensor4D;
  const dy = tf.randomNormal([3, 6, 6, C], 0, 1, "float32", 7);
  const grad = (f: (y: Tensor4D) => Tensor) => tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(f(y), dy)), field.variables);
    const dyIn = tf.grad((a: Tensor) => tf.sum(tf.mul(f(a as Tensor4D), dy)))(y);
    return [value, dyIn, ...field.variables.map((v) => grads[v.name])];
  });
  const ours = grad((a) => field.f(t, a));
  const theirs = grad(reference);
  const names = ["<f, dy>", "dy", ...field.variables.map((v) => v.name)];
  ours.forEach((o, i) => {
    const d = relativeDifference([o], [theirs[i]]);
    assert.ok(d < 1e-4, `${names[i]}: folded vs concatenated ${d}`);
  });
  tf.dispose([y, dy, ...ours, ...theirs]);
  field.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test("layerwise: gradients of a stack, whole or in slices of the batch, equal autodiff of the composition", () => {
  const before = tf.memory().numTensors;
  const rng = new Rng(9);
  const norm = groupNormInit(4, 2, "lwTest");
  const w1 = tf.tidy(() => tf.variable(tf.tensor4d(rng.uniform(3 * 3 * 2 * 4, -0.5, 0.5), [3, 3, 2, 4]), true, "lwTest.w1"));
  const w2 = tf.tidy(() => tf.variable(tf.tensor4d(rng.uniform(2 * 2 * 4 * 3, -0.5, 0.5), [2, 2, 4, 3]), true, "lwTest.w2"));
  const layers = [
    { apply: (x: Tensor) => groupNorm(tf.conv2d(x as Tensor4D, w1, 1, "same"), norm, true), variables: [w1, norm.gamma, norm.beta] },
    { apply: (x: Tensor) => tf.conv2d(x as Tensor4D, w2, 2, "valid"), variables: [w2] },
  ];
  const x = tf.randomNormal([5, 6, 6, 2], 0, 1, "float32", 12);
  const dy = tf.randomNormal([5, 3, 3, 3], 0, 1, "float32", 13);
  const all = [w1, norm.gamma, norm.beta, w2];
  const grads = (f: (x: Tensor) => Tensor) => tf.tidy(() => {
    const { value, grads: g } = tf.variableGrads(() => tf.sum(tf.mul(f(x), dy)), all);
    return [value, tf.grad((a: Tensor) => tf.sum(tf.mul(f(a), dy)))(x), ...all.map((v) => g[v.name])];
  });
  const reference = grads((a) => layers[1].apply(layers[0].apply(a)));
  for (const sliceSize of [undefined, 2, 5]) {
    const ours = grads((a) => layerwise(layers, a, { sliceSize }));
    ours.forEach((o, i) => {
      const d = relativeDifference([o], [reference[i]]);
      assert.ok(d < 1e-5, `sliceSize ${sliceSize}, output ${i}: layerwise vs autodiff ${d}`);
    });
    tf.dispose(ours);
  }
  assert.throws(() => layerwise(layers, x, { sliceSize: 0 }), /sliceSize is 0; allowed: a positive integer/);
  tf.dispose([x, dy, ...reference, ...all]);
  assert.equal(tf.memory().numTensors, before);
});
