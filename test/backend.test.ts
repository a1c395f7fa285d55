import { test } from "node:test";
import assert from "node:assert/strict";
import { tf, backendInfo } from "../src/index";

test("backend: native TensorFlow under CI, and it computes", () => {
  const info = backendInfo();
  if (process.env.CI) assert.equal(info.name, "tensorflow", `CI must run on tfjs-node; got ${info.name}: ${info.reason}`);
  assert.equal(tf.getBackend(), info.name);
  const a = tf.tensor2d([[1, 2], [3, 4]]);
  const b = tf.tensor2d([[5, 6], [7, 8]]);
  assert.deepEqual(Array.from(tf.matMul(a, b).dataSync()), [19, 22, 43, 50]);
  // d/dx sum(x^3) = 3 x^2
  const g = tf.grad((x: tf.Tensor) => x.pow(3).sum())(tf.tensor1d([1, 2, -3]));
  assert.deepEqual(Array.from(g.dataSync()), [3, 12, 27]);
  tf.dispose([a, b, g]);
});

test("backend: matrix products routed to TensorFlow's MatMul equal the product, for every transpose; batched and int32 ones stay on BatchMatMulV2", () => {
  if (tf.getBackend() === "tensorflow") {
    const k = tf.getKernel("BatchMatMul", "tensorflow")!.kernelFunc as unknown as Record<symbol, boolean>;
    assert.equal(k[Symbol.for("neural-fde.matMul2d")], true, "the tensorflow backend's BatchMatMul kernel is the routed one");
    const native = tf.backend() as unknown as { executeSingleOutput: (name: string, ...rest: unknown[]) => unknown };
    const ran: string[] = [];
    const run = native.executeSingleOutput;
    native.executeSingleOutput = function (this: unknown, name: string, ...rest: unknown[]) {
      ran.push(name);
      return run.call(this, name, ...rest);
    };
    try {
      tf.tidy(() => [tf.matMul(tf.ones([3, 2]), tf.ones([2, 4])), tf.matMul(tf.ones([2, 3, 2]), tf.ones([2, 2, 4])),
        tf.matMul(tf.ones([1, 2], "int32"), tf.ones([2, 1], "int32"))]);
    } finally {
      native.executeSingleOutput = run;
    }
    assert.deepEqual(ran.filter((n) => /MatMul/.test(n)), ["MatMul", "BatchMatMulV2", "BatchMatMulV2"]);
  }
  const before = tf.memory().numTensors;
  const A = [[1, -2, 0.5], [3, 4, -1]]; // 2 x 3
  const B = [[2, 0], [-1, 1], [0.25, 3]]; // 3 x 2
  const T = (m: number[][]) => m[0].map((_, j) => m.map((r) => r[j]));
  const product = (x: number[][], y: number[][]) => x.map((r) => y[0].map((_, j) => r.reduce((s, v, k) => s + v * y[k][j], 0)));
  const want = product(A, B).flat();
  for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
    const got = tf.tidy(() => tf.matMul(tf.tensor2d(ta ? T(A) : A), tf.tensor2d(tb ? T(B) : B), ta, tb).arraySync() as number[][]);
    assert.deepEqual(got.flat(), want, `transposeA ${ta}, transposeB ${tb}`);
  }
  const row = [[0.5, -1, 2]]; // 1 x 3, the shape of a history sum's weights
  const wantRow = product(row, B).flat();
  for (const ta of [false, true]) {
    const got = tf.tidy(() => tf.matMul(tf.tensor2d(ta ? T(row) : row), tf.tensor2d(B), ta, false).arraySync() as number[][]);
    assert.deepEqual(got.flat(), wantRow, `one row, transposeA ${ta}`);
  }
  const rowTimesBt = tf.tidy(() => tf.matMul(tf.tensor2d(row), tf.tensor2d(T(B)), false, true).arraySync() as number[][]);
  assert.deepEqual(rowTimesBt.flat(), wantRow, "one row, transposeB");
  const batched = tf.tidy(() => tf.matMul(tf.tensor3d([A, A]), tf.tensor3d([B, B])).arraySync() as number[][][]);
  assert.deepEqual(batched.flat(2), [...want, ...want]);
  const ints = tf.tidy(() => tf.matMul(tf.tensor2d([[1, 2]], [1, 2], "int32"), tf.tensor2d([[3], [4]], [2, 1], "int32")));
  assert.equal(ints.dtype, "int32");
  assert.deepEqual(Array.from(ints.dataSync()), [11]);
  ints.dispose();
  // the gradient of a routed product is the usual one: d/dr sum(r B) = 1 Bᵀ
  const g = tf.tidy(() => tf.grad((a: tf.Tensor) => tf.sum(tf.matMul(a as tf.Tensor2D, tf.tensor2d(B))))(tf.tensor2d(row)).dataSync());
  assert.deepEqual(Array.from(g), B.map((r) => r[0] + r[1]));
  assert.equal(tf.memory().numTensors, before);
});
