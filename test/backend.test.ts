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
