// The tfjs private state src/tfjs-internals.ts relies on exists on the running engine: after a tfjs
// upgrade this is the one test that names the field that moved.
import { test } from "node:test";
import assert from "node:assert/strict";
import { tf } from "../src/backend";
import {
  customOp, forwardScopeTensors, nativeBinding, nestedGradients, tapeIsOn, tfjsInternalsProblems, trainableVariables, untaped,
} from "../src/tfjs-internals";

type Tensor = ReturnType<typeof tf.tensor>;

test("every private tfjs field the internals module relies on exists with the expected type", () => {
  const problems = tfjsInternalsProblems();
  assert.deepEqual(problems, [], `tfjs ${tf.version_core} changed:\n${problems.join("\n")}`);
});

test("the accessors: tape state, untaped, nested gradients, trainable variables, forward-pass tensors, customOp", () => {
  const before = tf.memory().numTensors;
  assert.equal(tapeIsOn(), false);
  const x = tf.variable(tf.scalar(3), true, "internals_test_x");
  const frozen = tf.variable(tf.scalar(1), false, "internals_test_frozen");
  const names = trainableVariables().map((v) => v.name);
  assert.ok(names.includes("internals_test_x") && !names.includes("internals_test_frozen"));

  let seen: { taped: boolean; untapedInside: boolean; made: number; kept: number } | null = null;
  const { value, grads } = tf.variableGrads(() => {
    const made = tf.mul(x, 2);
    const kept = tf.keep(tf.mul(x, 3));
    const found = forwardScopeTensors([made, kept, x]);
    seen = { taped: tapeIsOn(), untapedInside: untaped(tapeIsOn), made: found.indexOf(made), kept: found.indexOf(kept) };
    kept.dispose();
    // a nested gradient inside a taped computation leaves the outer tape usable
    const inner = nestedGradients(() => tf.square(x), [x], tf.scalar(1));
    assert.equal(inner.grads[0]!.dataSync()[0], 6);
    return tf.mul(made, x) as ReturnType<typeof tf.scalar>;
  }, [x]);
  assert.deepEqual(seen, { taped: true, untapedInside: false, made: 0, kept: -1 });
  assert.equal(grads[x.name].dataSync()[0], 12);
  assert.deepEqual(forwardScopeTensors([value]), [], "outside a gradient computation nothing is in a forward pass");

  // a typed customGrad: the inputs as an array, save separate, the saved tensors back in gradFunc
  const square = customOp<Tensor>(([a], save) => {
    save([a]);
    return { value: tf.square(a), gradFunc: (dy, [saved]) => [tf.mul(dy, tf.mul(saved, 2))] };
  });
  const five = tf.scalar(5);
  const g = tf.grad((a: Tensor) => square(a))(five);
  assert.equal(g.dataSync()[0], 10);
  tf.dispose([value, grads[x.name], x, frozen, g, five]);
  assert.equal(tf.memory().numTensors, before + 2, "only the two tf.scalar initial values of the variables stay");
});

test("nativeBinding: the tfjs-node binding on the native backend, null elsewhere", () => {
  const native = nativeBinding();
  if (tf.getBackend() !== "tensorflow") {
    assert.equal(native, null);
    return;
  }
  assert.ok(native);
  for (const name of ["TF_ATTR_TYPE", "TF_ATTR_BOOL", "TF_FLOAT", "TF_INT32", "TF_INT64"]) assert.equal(typeof native.binding[name], "number", name);
  const sum = tf.tidy(() => native.executeSingleOutput("AddV2", [{ name: "T", type: native.binding.TF_ATTR_TYPE, value: native.binding.TF_FLOAT }],
    [tf.scalar(1), tf.scalar(2)]).dataSync()[0]);
  assert.equal(sum, 3);
});
