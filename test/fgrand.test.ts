import { test } from "node:test";
import assert from "node:assert/strict";
import { tf } from "../src/backend";
import type { Tensor, Tensor1D, Tensor2D, Scalar } from "@tensorflow/tfjs";
import { FGrandL, grandField, grandFieldParams, sparseFeatures, Rng, attentionGraph, gcnNormalizedAdjacency, makeSparse, edgeAttention } from "../src/nn";
import { loadPlanetoidSync } from "../src/data";
import { planetoidNodeData, trainNodeClassifier } from "../src/nn/train";

import { skipWithoutPlanetoid } from "./helpers/data";

function smallGraph(n: number, p: number, seed: number) {
  const r = new Rng(seed);
  const src: number[] = [], dst: number[] = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (r.next() < p || j === i + 1) { src.push(i, j); dst.push(j, i); }
  return { src: Int32Array.from(src), dst: Int32Array.from(dst) };
}

function relErr(a: Tensor, b: Tensor): number {
  const x = a.dataSync(), y = b.dataSync();
  let num = 0, den = 0;
  for (let i = 0; i < x.length; i++) { num += (x[i] - y[i]) ** 2; den += y[i] ** 2; }
  return Math.sqrt(num / Math.max(den, 1e-30));
}

for (const attention of [false, true]) {
  test(`the F-GRAND-l field's hand-written VJP equals the taped VJP (${attention ? "attention" : "constant Â"})`, () => {
    const n = 12, H = 5;
    const edges = smallGraph(n, 0.3, 3);
    const r = new Rng(7);
    const rand = (shape: number[]) => tf.tensor(r.uniform(shape.reduce((a, b) => a * b), -1, 1), shape);
    const graph = attention ? attentionGraph(edges, n) : gcnNormalizedAdjacency(edges, n);
    const transposed = makeSparse(graph.rows, graph.cols, new Float32Array(graph.numEdges).fill(1), n);
    tf.tidy(() => {
      const X = rand([n, H]) as Tensor2D, c = rand([n, H]), source = rand([n, H]) as Tensor2D;
      const a = tf.scalar(0.3), b = tf.scalar(-0.7);
      const values = attention
        ? edgeAttention(source, graph, { wK: rand([H, H]) as Tensor2D, wQ: rand([H, H]) as Tensor2D, heads: 1 }) : undefined;
      const parts = { graph, transposed, values, a, b, source };
      const f = grandField(parts);
      const hand = f.vjp!(0, X, c, grandFieldParams(parts), true);
      const ps = grandFieldParams(parts);
      // The taped VJP: tf.grads of ⟨f(X), c⟩ w.r.t. X and the field's tensors, the field rebuilt from its arguments.
      const g = tf.grads((Y: Tensor, A: Tensor, B: Tensor, S: Tensor, V?: Tensor) => tf.sum(tf.mul(grandField({
        graph, transposed, a: A as Scalar, b: B as Scalar, source: S as Tensor2D, values: V as Tensor1D | undefined,
      })(0, Y), c)))([X, ...ps]);
      assert.ok(hand.value && relErr(hand.value, f(0, X)) < 1e-6, "value");
      assert.ok(relErr(hand.y, g[0]) < 1e-5, `dy rel err ${relErr(hand.y, g[0])}`);
      hand.params.forEach((p, i) => assert.ok(relErr(p!, g[i + 1]) < 1e-5, `param ${i} rel err ${relErr(p!, g[i + 1])}`));
    });
    graph.dispose();
    transposed.dispose();
  });
}

for (const attention of [false, true]) {
  test(`encoder gradients through the discrete adjoint equal direct autodiff (${attention ? "attention" : "constant Â"})`, () => {
    const n = 40, F = 16, C = 3;
    const edges = smallGraph(n, 0.08, 11);
    const r = new Rng(5);
    const dense = r.uniform(n * F, 0, 1).map((v) => (v < 0.7 ? 0 : v));
    const x = sparseFeatures(dense, n, F);
    const labels = tf.tensor1d(Array.from({ length: n }, (_, i) => i % C), "int32");
    const grads = (adjoint: "discrete" | false) => {
      const m = new FGrandL(edges, n, { numFeatures: F, numClasses: C, hidden: 8, heads: 2, beta: 0.8, tEnd: 3, stepSize: 0.5, attention, adjoint, seed: 1 });
      const { value, grads } = tf.variableGrads(() =>
        tf.losses.softmaxCrossEntropy(tf.oneHot(labels, C), m.logits(x, { training: false })) as Scalar, m.variables);
      m.release();
      const out = m.variables.map((v) => tf.keep(grads[v.name]));
      tf.dispose([value, ...Object.values(grads).filter((g) => !out.includes(g))]);
      m.dispose();
      return out;
    };
    const before = tf.memory().numTensors;
    const direct = grads(false);
    const adjoint = grads("discrete");
    // variables: encoder w, b, a, b, decoder w, b (+ attention wK, bK, wQ, bQ; bQ's exact gradient is 0,
    // softmax being invariant to it, so all are compared together as well)
    for (const i of [0, 1]) {
      const e = relErr(adjoint[i], direct[i]);
      assert.ok(e <= 1e-4, `encoder gradient ${i} (shape [${direct[i].shape}]): relative error ${e}`);
    }
    const all = (gs: Tensor[]) => tf.concat(gs.map((g) => tf.reshape(g, [-1])));
    const eAll = tf.tidy(() => relErr(all(adjoint), all(direct)));
    assert.ok(eAll <= 1e-4, `all gradients: relative error ${eAll}`);
    assert.ok(tf.tidy(() => tf.sum(tf.abs(direct[0])).dataSync()[0]) > 0, "the encoder gradient is not zero");
    tf.dispose([...direct, ...adjoint]);
    assert.equal(tf.memory().numTensors, before, "no tensors leaked");
    x.dispose();
    labels.dispose();
  });
}

test("F-GRAND-l options are checked with clear errors", () => {
  const edges = smallGraph(5, 0.5, 1);
  assert.throws(() => new FGrandL(edges, 5, { numFeatures: 3, numClasses: 2, beta: 1.5 }), /beta is 1.5; allowed: 0 < beta <= 1/);
  assert.throws(() => new FGrandL(edges, 5, { numFeatures: 3, numClasses: 2, hidden: 0 }), /hidden is 0; allowed: a positive integer/);
  assert.throws(() => new FGrandL(edges, 5, { numFeatures: 3, numClasses: 2, inputDropout: 1 }), /inputDropout is 1; allowed/);
  assert.throws(() => new FGrandL(edges, 5, { numFeatures: 3, numClasses: 2, adjoint: "fast" as never }), /adjoint is "fast"; allowed/);
  assert.throws(() => new FGrandL(edges, 5, { numFeatures: 3, numClasses: 2, attention: true, hidden: 6, heads: 4 }), /heads is 4; allowed: a divisor of hidden/);
});

test("a short Cora run of F-GRAND-l clearly beats chance (direct, T = 4)", { skip: skipWithoutPlanetoid("cora") }, async () => {
  const d = loadPlanetoidSync("cora");
  const data = planetoidNodeData(d);
  const m = new FGrandL(d.edges, d.numNodes, { numFeatures: d.numFeatures, numClasses: d.numClasses, tEnd: 4, stepSize: 1, dropout: 0.2, seed: 0 });
  const r = await trainNodeClassifier(m, data, { epochs: 30, lr: 0.01, seed: 0, progress: "none" });
  m.dispose();
  data.dispose();
  // Chance on Cora's 7 classes is ~0.14 (0.32 for the majority class).
  assert.ok(r.testAcc >= 0.7, `test accuracy ${r.testAcc} at best validation ${r.bestValAcc}`);
});
