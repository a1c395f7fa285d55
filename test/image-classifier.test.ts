// The convolutional FDE classifier (models/image-classifier.ts): its adjoint gradients against direct
// autodiff, option errors, no tensor leak, and a short training run on the embedded digits beating chance.
import { test } from "node:test";
import assert from "node:assert/strict";
import { tf } from "../src/backend";
import type { Scalar, Tensor, Tensor4D } from "@tensorflow/tfjs";
import { relativeDifference } from "../src/analysis/relative-difference";
import { loadMnist, mnistTensors } from "../src/data/mnist";
import { FdeImageClassifier } from "../src/models/image-classifier";
import { trainImageClassifier } from "../src/train/image-classifier";

function gradients(model: FdeImageClassifier, images: Tensor4D, labels: number[]): Tensor[] {
  return tf.tidy(() => {
    const onehot = tf.oneHot(tf.tensor1d(labels, "int32"), 10);
    const { grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(onehot, model.logits(images)) as Scalar, model.variables);
    return model.variables.map((v) => grads[v.name]);
  });
}

for (const method of ["predictor", "l1"] as const) {
  test(`FdeImageClassifier (${method}): discrete-adjoint gradients of every variable equal direct autodiff`, () => {
    const before = tf.memory().numTensors;
    const images = tf.randomUniform([3, 28, 28, 1], 0, 1, "float32", 4) as Tensor4D;
    const solver = { beta: 0.7, tEnd: 0.4, stepSize: 0.1, method };
    const direct = new FdeImageClassifier({ channels: 4, seed: 3, solver: { ...solver, gradient: "direct" } });
    const adjoint = new FdeImageClassifier({ channels: 4, seed: 3, solver: { ...solver, gradient: "adjoint" } });
    const gd = gradients(direct, images, [1, 7, 3]);
    const ga = gradients(adjoint, images, [1, 7, 3]);
    assert.equal(ga.length, direct.variables.length);
    gd.forEach((g, i) => {
      assert.ok(g && ga[i], `variable ${direct.variables[i].name} has no gradient`);
      assert.ok(tf.tidy(() => tf.norm(g).dataSync()[0]) > 0, `variable ${direct.variables[i].name}: zero gradient`);
      const diff = relativeDifference([ga[i]], [g]);
      assert.ok(diff <= 1e-4, `variable ${direct.variables[i].name}: adjoint vs direct ${diff}`);
    });
    tf.dispose([images, ...gd, ...ga]);
    direct.dispose();
    adjoint.dispose();
    assert.equal(tf.memory().numTensors, before);
  });
}

test("FdeImageClassifier: a misspelt or bad option names itself and what is allowed", () => {
  assert.throws(() => new FdeImageClassifier({ chanels: 8 } as never), /unknown option "chanels"; did you mean "channels"/);
  assert.throws(() => new FdeImageClassifier({ channels: 0 }), /channels is 0; allowed: a positive integer/);
  assert.throws(() => new FdeImageClassifier({ solver: { bta: 0.5 } as never }), /unknown option "solver.bta"; did you mean "solver.beta"/);
  assert.throws(() => new FdeImageClassifier({ solver: { beta: 1.5 } }), /FdeImageClassifier: solver\.beta/);
  const m = new FdeImageClassifier({ channels: 4 });
  assert.throws(() => m.logits(tf.zeros([2, 14, 14, 1]) as Tensor4D), /images have shape \[2,14,14,1\]; allowed: \[batch, 28, 28, 1\]/);
  m.dispose();
});

test("FdeImageClassifier: a short adjoint training run on the embedded digits clearly beats chance, no tensor leak", async () => {
  const d = await loadMnist();
  const pick = (n: number) => Array.from({ length: n }, (_, i) => i);
  const train = mnistTensors(d.train, pick(1024));
  const testSet = mnistTensors(d.test, pick(500));
  const before = tf.memory().numTensors;
  const model = new FdeImageClassifier({ channels: 16, seed: 1, solver: { tEnd: 0.5, stepSize: 0.25, gradient: "adjoint" } });
  const r = await trainImageClassifier(model, { trainImages: train.images, trainLabels: train.labels, testImages: testSet.images, testLabels: testSet.labels, classes: 10 },
    { epochs: 3, batchSize: 64, lr: 3e-3, progress: "none" });
  assert.equal(r.history.length, 3);
  assert.ok(r.history[2].loss < r.history[0].loss, `the loss did not fall: ${r.history.map((h) => h.loss.toFixed(3)).join(", ")}`);
  assert.ok(r.testAcc >= 0.3, `test accuracy ${r.testAcc} after 3 epochs on 1024 digits (chance 0.1)`);
  await assert.rejects(trainImageClassifier(model, { trainImages: train.images, trainLabels: train.labels, testImages: testSet.images, testLabels: testSet.labels, classes: 10 },
    { schedule: "step" as never }), /schedule is "step"; allowed: cosine, constant/);
  model.dispose();
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([train.images, train.labels, testSet.images, testSet.labels]);
});
