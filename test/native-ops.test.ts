import { test } from "node:test";
import assert from "node:assert/strict";
import { tf } from "../src/backend";
import type { Tensor } from "@tensorflow/tfjs";
import { add, concat, matMul, reshape, startNativeKernelLog, sumRows, tanh, tanhGrad } from "../src/native-ops";

const close = (a: Tensor, b: Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

/** The native op names run by fn (empty on other backends). */
function opsRun(fn: () => void): string[] {
  const ran: string[] = [];
  if (tf.getBackend() !== "tensorflow") {
    fn();
    return ran;
  }
  const native = tf.backend() as unknown as { executeSingleOutput: (name: string, ...rest: unknown[]) => unknown };
  const run = native.executeSingleOutput;
  native.executeSingleOutput = function (this: unknown, name: string, ...rest: unknown[]) {
    ran.push(name);
    return run.call(this, name, ...rest);
  };
  try {
    fn();
  } finally {
    native.executeSingleOutput = run;
  }
  return ran;
}

test("native ops: each equals its tf.* op, untaped and under a tape (where it must be the taped tf.* op)", () => {
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    const a = tf.randomNormal([5, 3], 0, 1, "float32", 1);
    const b = tf.randomNormal([3, 4], 0, 1, "float32", 2);
    const c = tf.randomNormal([5, 4], 0, 1, "float32", 3);
    const bias = tf.randomNormal([4], 0, 1, "float32", 4);
    const pairs: [string, () => Tensor, () => Tensor][] = [
      ["matMul", () => matMul(a, b), () => tf.matMul(a, b)],
      ["matMul aᵀ", () => matMul(c, a, true, false), () => tf.matMul(c, a, true, false)],
      ["matMul bᵀ", () => matMul(c, b, false, true), () => tf.matMul(c, b, false, true)],
      ["add (broadcast)", () => add(c, bias), () => tf.add(c, bias)],
      ["tanh", () => tanh(c), () => tf.tanh(c)],
      ["tanhGrad", () => tanhGrad(tf.tanh(c), a.matMul(b)), () => tf.mul(a.matMul(b), tf.sub(1, tf.square(tf.tanh(c))))],
      ["sumRows", () => sumRows(c), () => tf.sum(c, 0)],
      ["reshape", () => reshape(c, [2, 10]), () => tf.reshape(c, [2, 10])],
      ["concat axis 0", () => concat([a, c.slice([0, 0], [2, 3])], 0), () => tf.concat([a, c.slice([0, 0], [2, 3])], 0)],
      ["concat axis 1", () => concat([a, b.transpose().slice([0, 0], [4, 3]).transpose().slice([0, 0], [3, 3]).pad([[0, 2], [0, 0]])], 1),
        () => tf.concat([a, b.transpose().slice([0, 0], [4, 3]).transpose().slice([0, 0], [3, 3]).pad([[0, 2], [0, 0]])], 1)],
    ];
    for (const [name, ours, theirs] of pairs) {
      const x = ours(), y = theirs();
      assert.deepEqual(x.shape, y.shape, `${name}: shape`);
      assert.ok(close(x, y) <= 1e-6, `${name}: max difference ${close(x, y)}`);
    }
    // Under a tape the ops must be recorded: gradients through them equal those through tf.*.
    const ours = tf.grads((x: Tensor, w: Tensor) => tf.sum(reshape(tanh(add(matMul(x, w), bias)), [20])))([a, b]);
    const theirs = tf.grads((x: Tensor, w: Tensor) => tf.sum(tf.reshape(tf.tanh(tf.add(tf.matMul(x, w), bias)), [20])))([a, b]);
    ours.forEach((g, i) => assert.ok(close(g, theirs[i]) <= 1e-6, `gradient ${i} under the tape`));
    const viaConcat = tf.grads((x: Tensor) => tf.sum(tf.mul(concat([x, x], 0), tf.range(0, 30).reshape([10, 3]))))([a]);
    const want = tf.grads((x: Tensor) => tf.sum(tf.mul(tf.concat([x, x], 0), tf.range(0, 30).reshape([10, 3]))))([a]);
    assert.ok(close(viaConcat[0], want[0]) <= 1e-6, "concat's gradient under the tape");
  });
  assert.equal(tf.memory().numTensors, before, "no tensor left");
});

test("native ops: on tfjs-node they run the TensorFlow kernel directly; under a tape and for int32 the tf.* kernels", () => {
  if (tf.getBackend() !== "tensorflow") return;
  const names = opsRun(() => tf.tidy(() => {
    const x = tf.ones([4, 6]);
    reshape(x, [6, 4]);
    concat([x, x], 1);
    matMul(x, x, false, true);
    sumRows(x);
  }));
  assert.deepEqual(names.filter((n) => !["Fill", "OnesLike"].includes(n)), ["Reshape", "ConcatV2", "MatMul", "BiasAddGrad"]);
  // Under the tape tf.reshape runs (with its own shape upload) and records a gradient; int32 takes tf.concat.
  const taped = opsRun(() => tf.tidy(() => tf.grad((x: Tensor) => tf.sum(reshape(x, [6, 4])))(tf.ones([4, 6]))));
  assert.ok(taped.includes("Reshape"), `taped ops: ${taped}`);
  const ints = tf.tidy(() => concat([tf.tensor1d([1, 2], "int32"), tf.tensor1d([3], "int32")], 0).arraySync());
  assert.deepEqual(ints, [1, 2, 3]);
});

test("native ops: the cached shape and axis constants stay outside tf.memory and are freed when pushed out of the cache", () => {
  if (tf.getBackend() !== "tensorflow") return;
  const backend = tf.backend() as unknown as { numDataIds(): number };
  const x = tf.ones([600]);
  const tensorsBefore = tf.memory().numTensors;
  const idsBefore = backend.numDataIds();
  // 600 distinct shapes [1, i] (of the first i numbers): more than the cache holds, so the oldest are evicted and freed.
  for (let i = 1; i <= 600; i++) tf.tidy(() => void reshape(x.slice(0, i), [1, i]));
  assert.equal(tf.memory().numTensors, tensorsBefore, "no engine tensor left");
  const grown = backend.numDataIds() - idsBefore;
  assert.ok(grown <= 256, `backend buffers held after 600 shapes: ${grown} (the cache holds 256)`);
  assert.ok(grown > 0, "the constants are cached (a repeated shape does not upload again)");
  tf.dispose(x);
});

test("native ops: reshape to a shape of another size says so", () => {
  if (tf.getBackend() !== "tensorflow") return;
  const x = tf.ones([2, 3]);
  assert.throws(() => reshape(x, [4, 2]), /reshape: shape \[4,2\] holds 8 numbers; allowed: a shape of 6 numbers \(\[2,3\]\)/);
  x.dispose();
});

test("native ops: the kernel log lists every kernel run on the binding while it is open, and nothing after", () => {
  if (tf.getBackend() !== "tensorflow") return;
  const x = tf.ones([3, 3]);
  const stop = startNativeKernelLog();
  tf.tidy(() => void tanh(matMul(x, x)));
  const logged = stop();
  tf.tidy(() => void tanh(x));
  assert.deepEqual(logged.map((k) => k.name), ["MatMul", "Tanh"]);
  assert.ok(logged.every((k) => k.kernelTimeMs >= 0 && Number.isFinite(k.kernelTimeMs)), "each with its wall time");
  x.dispose();
});
