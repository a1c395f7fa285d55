import { test } from "node:test";
import assert from "node:assert/strict";
import { tf } from "../src/backend";
import type { NamedTensorMap, Optimizer, Variable } from "@tensorflow/tfjs";
import { flatAdam } from "../src/train/flat-adam";

const vars = (prefix: string, seed: number): Variable[] => [
  tf.variable(tf.randomNormal([3, 4], 0, 1, "float32", seed), true, `${prefix}/W`),
  tf.variable(tf.randomNormal([4], 0, 1, "float32", seed + 1), true, `${prefix}/b`),
  tf.variable(tf.randomNormal([2, 2, 2], 0, 1, "float32", seed + 2), true, `${prefix}/K`),
];

/** Gradients of a fixed smooth loss at the variables' current values, by the names of `vs`. */
function gradsOf(vs: Variable[], subset = vs): NamedTensorMap {
  const { value, grads } = tf.variableGrads(() => tf.tidy(() => {
    const [W, b, K] = vs;
    // separable in W, b and K: leaving b out of a call changes nothing of W's and K's updates
    const terms = [tf.sum(tf.square(tf.sub(tf.tanh(tf.matMul(tf.ones([2, 3]), W)), 0.3))), tf.sum(tf.square(tf.sub(b, 1))), tf.sum(tf.pow(K, 4))];
    return tf.addN(terms).asScalar();
  }), subset);
  value.dispose();
  return grads;
}

function maxRelDiff(a: Variable[], b: Variable[]): number {
  return Math.max(...a.map((x, i) => tf.tidy(() => tf.max(tf.abs(tf.sub(x, b[i]))).dataSync()[0] / Math.max(tf.max(tf.abs(b[i])).dataSync()[0], 1e-12))));
}

test("flat Adam: ten updates equal tf.train.adam's, with every variable and with one left out of some calls", () => {
  for (const skipB of [false, true]) {
    const ours = vars(`flat-${skipB}`, 1), theirs = vars(`tfjs-${skipB}`, 1);
    const a = flatAdam(0.05, { beta1: 0.8, beta2: 0.99, epsilon: 1e-6 });
    const b: Optimizer = tf.train.adam(0.05, 0.8, 0.99, 1e-6); // the base class's applyGradients takes a NamedTensorMap
    const b0 = ours[1].clone();
    const before = tf.memory().numTensors;
    for (let step = 0; step < 10; step++) {
      // with skipB, b has no gradient at steps 3..5: it keeps its value and its moments
      const leaveOut = skipB && step >= 3 && step <= 5;
      const pick = <T>(xs: T[]) => (leaveOut ? [xs[0], xs[2]] : xs);
      const g1 = gradsOf(ours, pick(ours)), g2 = gradsOf(theirs, pick(theirs));
      tf.tidy(() => a.applyGradients(g1)); // as the trainers call it: the moments must outlive the caller's scope
      // tf.train.adam keys its moments by position: give it every variable in order, a zero gradient for the one left out
      const g2all: NamedTensorMap = Object.fromEntries(theirs.map((v) => [v.name, g2[v.name] ?? tf.zerosLike(v)]));
      if (leaveOut) {
        const keep = theirs[1].clone();
        b.applyGradients(g2all);
        theirs[1].assign(keep);
        keep.dispose();
      } else b.applyGradients(g2all);
      tf.dispose([...Object.values(g1), ...Object.values(g2all)]);
    }
    if (!skipB) assert.ok(maxRelDiff(ours, theirs) <= 1e-5, `max relative difference ${maxRelDiff(ours, theirs)}`);
    else {
      // W and K saw every step in both; tf.train.adam decayed b's moments through the zero steps, flat Adam kept them
      assert.ok(maxRelDiff([ours[0], ours[2]], [theirs[0], theirs[2]]) <= 1e-5, "W and K as tf.train.adam's");
      const moved = tf.tidy(() => tf.max(tf.abs(tf.sub(ours[1], b0))).dataSync()[0]);
      assert.ok(moved > 0.01, `b still trained after it came back (moved ${moved})`);
    }
    a.dispose();
    b.dispose();
    assert.ok(tf.memory().numTensors <= before, `no tensor left after dispose (${tf.memory().numTensors} > ${before})`);
    tf.dispose([...ours, ...theirs, b0]);
  }
});

test("flat Adam: bad options and gradients of unknown variables say what is allowed", () => {
  assert.throws(() => flatAdam(0), /flatAdam: learningRate is 0; allowed: a number > 0/);
  assert.throws(() => flatAdam(0.1, { beta1: 1 }), /flatAdam: beta1 is 1; allowed: a number in \[0, 1\)/);
  assert.throws(() => flatAdam(0.1, { beta2: -0.5 }), /flatAdam: beta2 is -0.5; allowed: a number in \[0, 1\)/);
  const a = flatAdam(0.1);
  assert.throws(() => a.applyGradients({ "no/such/variable": tf.ones([2]) }), /flatAdam: grads names "no\/such\/variable", which is no registered tf.Variable/);
  a.dispose();
});
