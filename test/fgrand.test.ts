import { test } from "node:test";
import assert from "node:assert/strict";
import { tf } from "../src/backend";
import type { Tensor, Tensor1D, Tensor2D, Scalar } from "@tensorflow/tfjs";
import { FGrandL, grandField, grandFieldParams, sparseFeatures } from "../src/models";
import { attentionGraph, gcnNormalizedAdjacency, makeScaledSparse, edgeAttention, spmm } from "../src/graph";
import { Rng } from "../src/util/rng";
import { loadPlanetoidSync } from "../src/data";
import { planetoidNodeData, trainNodeClassifier, trainingLoss } from "../src/train";
import { relativeDifference } from "../src/analysis/relative-difference";
import { fdeint, type Gradient } from "../src/solvers";

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

const FIELD_GRAPHS = ["constant Â", "directed scaled Â", "attention"] as const;

for (const kind of FIELD_GRAPHS) {
  test(`the F-GRAND-l field's hand-written VJP equals the taped VJP (${kind})`, () => {
    const n = 12, H = 5;
    const edges = smallGraph(n, 0.3, 3);
    const r = new Rng(7);
    const rand = (shape: number[]) => tf.tensor(r.uniform(shape.reduce((a, b) => a * b), -1, 1), shape);
    // directed: every other edge dropped, so that Âᵀ ≠ Â
    const directed = { src: edges.src.filter((_, e) => e % 2 === 0), dst: edges.dst.filter((_, e) => e % 2 === 0) };
    const graph = kind === "attention" ? attentionGraph(edges, n)
      : kind === "constant Â" ? gcnNormalizedAdjacency(edges, n)
        : makeScaledSparse(directed.src, directed.dst, { row: Float32Array.from(r.uniform(n, 0.5, 2)), col: Float32Array.from(r.uniform(n, 0.5, 2)) }, n);
    tf.tidy(() => {
      const X = rand([n, H]) as Tensor2D, c = rand([n, H]), source = rand([n, H]) as Tensor2D;
      const rate = tf.scalar(0.3);
      const values = kind === "attention"
        ? edgeAttention(source, graph, { wK: rand([H, H]) as Tensor2D, wQ: rand([H, H]) as Tensor2D, heads: 1 }) : undefined;
      const parts = { graph, values, rate, source };
      const f = grandField(parts);
      const ps = grandFieldParams(parts);
      const hand = f.vjp!(0, X, c, ps, true);
      // The taped VJP: tf.grads of ⟨r(ÂX − X) + S, c⟩ w.r.t. X and the field's tensors, in plain ops and spmm.
      const plain = (Y: Tensor, R: Tensor, S: Tensor, V?: Tensor) => tf.add(tf.mul(R, tf.sub(spmm(graph, Y, V as Tensor1D | undefined), Y)), S);
      const g = tf.grads((...xs: Tensor[]) => tf.sum(tf.mul(plain(...(xs as [Tensor, Tensor, Tensor])), c)))([X, ...ps]);
      assert.ok(hand.value && relErr(hand.value, plain(X, ...(ps as [Tensor, Tensor]))) < 1e-6, "value");
      // f itself is a custom op: its taped gradient is the VJP
      const gf = tf.grads((...xs: Tensor[]) => tf.sum(tf.mul(grandField({
        graph, rate: xs[1] as Scalar, source: xs[2] as Tensor2D, values: xs[3] as Tensor1D | undefined,
      })(0, xs[0]), c)))([X, ...ps]);
      gf.forEach((gi, i) => assert.ok(relErr(gi, g[i]) < 1e-5, `f's own gradient ${i} rel err ${relErr(gi, g[i])}`));
      assert.ok(relErr(hand.y, g[0]) < 1e-5, `dy rel err ${relErr(hand.y, g[0])}`);
      hand.params.forEach((p, i) => assert.ok(relErr(p!, g[i + 1]) < 1e-5, `param ${i} rel err ${relErr(p!, g[i + 1])}`));
      // params in another order, and a tensor f does not read
      const swapped = f.vjp!(0, X, c, [X, ...ps.slice().reverse()], false);
      assert.equal(swapped.params[0], null, "a tensor f does not read gets null");
      swapped.params.slice(1).forEach((p, i) => assert.ok(relErr(p!, g[ps.length - i]) < 1e-5, `reordered param ${i}`));
      assert.equal(swapped.value, undefined);
    });
    graph.dispose();
  });
}

for (const [attention, nonlinear] of [[false, false], [true, false], [true, true]]) {
  const kind = nonlinear ? "F-GRAND-nl, attention of X(t)" : attention ? "attention of X0" : "constant Â";
  test(`encoder gradients through the discrete adjoint equal direct autodiff (${kind})`, () => {
    const n = 40, F = 16, C = 3;
    const edges = smallGraph(n, 0.08, 11);
    const r = new Rng(5);
    const dense = r.uniform(n * F, 0, 1).map((v) => (v < 0.7 ? 0 : v));
    const x = sparseFeatures(dense, n, F);
    const labels = tf.tensor1d(Array.from({ length: n }, (_, i) => i % C), "int32");
    const grads = (gradient: Gradient) => {
      const m = new FGrandL(edges, n, {
        numFeatures: F, numClasses: C, hidden: 8, heads: 2, attention, nonlinear, seed: 1, solver: { beta: 0.8, tEnd: 3, stepSize: 0.5, gradient },
      });
      const { value, grads } = tf.variableGrads(() =>
        tf.losses.softmaxCrossEntropy(tf.oneHot(labels, C), m.logits(x, { training: false })) as Scalar, m.variables);
      const out = m.variables.map((v) => tf.keep(grads[v.name]));
      tf.dispose([value, ...Object.values(grads).filter((g) => !out.includes(g))]);
      m.dispose();
      return out;
    };
    const before = tf.memory().numTensors;
    const direct = grads("direct");
    const adjoint = grads("adjoint");
    // The continuous adjoint approximates (docs/design.md §3): here only that it runs and leaks nothing.
    const continuous = grads("continuous-adjoint");
    assert.ok(continuous.every((g) => g.dataSync().every(Number.isFinite)), "continuous-adjoint gradients are finite");
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
    tf.dispose([...direct, ...adjoint, ...continuous]);
    assert.equal(tf.memory().numTensors, before, "no tensors leaked");
    x.dispose();
    labels.dispose();
  });
}

test("grandField: bad parts and a wrong state shape are clear errors; f and its VJP leak nothing", () => {
  const n = 6;
  const graph = gcnNormalizedAdjacency(smallGraph(n, 0.5, 2), n);
  tf.tidy(() => {
    const rate = tf.scalar(0.5), source = tf.ones([n, 3]) as Tensor2D;
    assert.throws(() => grandField({ graph, rate: tf.ones([1]) as unknown as Scalar, source }), /grandField: rate has shape \[1\]; allowed: a scalar/);
    assert.throws(() => grandField({ graph, rate, source: tf.ones([n + 1, 3]) as Tensor2D }), /source has shape \[7,3\]; allowed: \[6, H\]/);
    assert.throws(() => grandField({ graph, rate, source, values: tf.ones([2]) as Tensor1D }), /values has shape \[2\]; allowed: \[\d+\] \(one per edge\)/);
    const f = grandField({ graph, rate, source });
    assert.throws(() => f(0, tf.ones([n, 4])), /grandField: X has shape \[6,4\] \(float32\); allowed: float32 \[6,3\]/);
    const X = tf.ones([n, 3]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) {
      tf.dispose(f(0, X));
      const r = f.vjp!(0, X, X, [rate, source], true);
      tf.dispose([r.value!, r.y, ...r.params.filter((q): q is Tensor => q !== null)]);
      tf.dispose(tf.grads((x: Tensor, s: Tensor) => tf.sum(f(0, x)))([X, source]));
    }
    assert.equal(tf.memory().numTensors, before, "no tensors leaked");
  });
  graph.dispose();
});

test("F-GRAND-l options are checked with clear errors", () => {
  const edges = smallGraph(5, 0.5, 1);
  const base = { numFeatures: 3, numClasses: 2 };
  assert.throws(() => new FGrandL(edges, 5, { ...base, solver: { beta: 1.5 } }), /FGrandL: solver\.beta = 1\.5 is not allowed: the order must satisfy 0 < beta <= 1/);
  assert.throws(() => new FGrandL(edges, 5, { ...base, hidden: 0 }), /hidden is 0; allowed: a positive integer/);
  assert.throws(() => new FGrandL(edges, 5, { ...base, inputDropout: 1 }), /inputDropout is 1; allowed/);
  assert.throws(() => new FGrandL(edges, 5, { ...base, solver: { gradient: "fast" as never } }),
    /FGrandL: solver\.gradient = fast is not allowed: direct, adjoint, continuous-adjoint/);
  assert.throws(() => new FGrandL(edges, 5, { ...base, attention: true, hidden: 6, heads: 4 }), /heads is 4; allowed: a divisor of hidden/);
  assert.throws(() => new FGrandL(edges, 5, { ...base, solver: { tEnd: 1, stepSize: 0.3 } }), /FGrandL: solver\.stepSize = 0\.3 is not allowed: tEnd \/ stepSize/);
});

test("F-GRAND-l: a misspelt or misplaced option name is an error naming the nearest known name", () => {
  const edges = smallGraph(5, 0.5, 1);
  const base = { numFeatures: 3, numClasses: 2 };
  const cases: [object, RegExp][] = [
    [{ hiden: 8 }, /FGrandL: unknown option "hiden"; did you mean "hidden"\? \(known: numFeatures, .*solver\)/],
    [{ beta: 0.5 }, /FGrandL: unknown option "beta"; did you mean "solver\.beta"\?/],
    [{ adjoint: "discrete" }, /FGrandL: unknown option "adjoint"; did you mean "solver\.gradient"\?/],
    [{ methd: "l1" }, /FGrandL: unknown option "methd"; did you mean "solver\.method"\?/],
    [{ solver: { methd: "l1" } }, /FGrandL: unknown option "solver\.methd"; did you mean "solver\.method"\? \(known: solver\.beta, /],
    [{ solver: { memmory: 3 } }, /FGrandL: unknown option "solver\.memmory"; did you mean "solver\.memory"\?/],
    [{ solver: { adjoint: "discrete" } }, /FGrandL: unknown option "solver\.adjoint"; did you mean "solver\.gradient"\?/],
    [{ solver: { times: [1, 2] } }, /FGrandL: option "solver\.times" is set by the model: use states\(x, times\)/],
    [{ solver: { params: [] } }, /FGrandL: option "solver\.params" is set by the model/],
    [{ solver: 3 }, /FGrandL: solver is 3; allowed: an object/],
  ];
  for (const [extra, re] of cases) assert.throws(() => new FGrandL(edges, 5, { ...base, ...extra } as never), re, JSON.stringify(extra));
});

test("F-GRAND-l: options.solver holds the resolved settings, the defaults overridden by what was given", () => {
  const edges = smallGraph(5, 0.5, 1);
  const m = new FGrandL(edges, 5, { numFeatures: 3, numClasses: 2, solver: { method: "corrector", memory: 4, stepSize: undefined } });
  assert.deepEqual({ ...m.options.solver }, { beta: 0.85, tEnd: 10, stepSize: 1, method: "corrector", gradient: "direct", memory: 4 });
  assert.equal(m.options.hidden, 64);
  m.dispose();
});

test("FGrandL.states: X(t) by the model's own solver settings (corrector with memory), as the hand-written solve", () => {
  const n = 30, F = 10;
  const edges = smallGraph(n, 0.1, 4);
  const dense = new Rng(6).uniform(n * F, 0, 1).map((v) => (v < 0.6 ? 0 : v));
  const x = sparseFeatures(dense, n, F);
  const solver = { beta: 0.7, tEnd: 3, stepSize: 0.25, method: "corrector" as const, memory: 4, correctorSteps: 2 };
  const times = [0, 1, 2.5, 3];
  const m = new FGrandL(edges, n, { numFeatures: F, numClasses: 3, hidden: 6, inputDropout: 0.5, seed: 2, solver });
  const before = tf.memory().numTensors;
  const states = m.states(x, times);
  assert.equal(tf.memory().numTensors, before + 1, "states() keeps only its result");
  assert.deepEqual(states.shape, [times.length, n, 6]);
  const [byHand, predictorFull] = tf.tidy(() => {
    const X0 = m.encode(x, { training: false });
    const f = grandField(m.fieldParts(X0));
    return [fdeint(f, X0, { ...solver, times }), fdeint(f, X0, { beta: 0.7, tEnd: 3, stepSize: 0.25, times })];
  });
  assert.ok(relErr(states, byHand) < 1e-6, `states against the hand-written solve: ${relErr(states, byHand)}`);
  assert.ok(relErr(states, predictorFull) > 1e-4, "method and memory change the states (they are really used)");
  const last = tf.tidy(() => tf.relu(tf.slice(states, [times.length - 1, 0, 0], [1, n, 6]).reshape([n, 6])));
  const embedding = tf.tidy(() => tf.relu(m.integrate(m.encode(x, { training: false }))));
  assert.ok(relErr(last, embedding) < 1e-6, "the last slice is X(tEnd) of the forward pass in eval mode");
  tf.dispose([states, byHand, predictorFull, last, embedding]);
  m.dispose();
  x.dispose();
});

test("a short Cora run of F-GRAND-l clearly beats chance (direct, T = 4)", { skip: skipWithoutPlanetoid("cora") }, async () => {
  const d = loadPlanetoidSync("cora");
  const data = planetoidNodeData(d);
  const m = new FGrandL(d.edges, d.numNodes, { numFeatures: d.numFeatures, numClasses: d.numClasses, dropout: 0.2, seed: 0, solver: { tEnd: 4, stepSize: 1 } });
  const r = await trainNodeClassifier(m, data, { epochs: 30, lr: 0.01, seed: 0, progress: "none" });
  m.dispose();
  data.dispose();
  // Chance on Cora's 7 classes is ~0.14 (0.32 for the majority class).
  assert.ok(r.testAcc >= 0.7, `test accuracy ${r.testAcc} at best validation ${r.bestValAcc}`);
});

test("Cora F-GRAND-l: the adjoint's gradients through the model equal direct autodiff's", { skip: skipWithoutPlanetoid("cora") }, () => {
  const d = loadPlanetoidSync("cora");
  const data = planetoidNodeData(d);
  const grads = (gradient: Gradient) => {
    const m = new FGrandL(d.edges, d.numNodes, {
      numFeatures: d.numFeatures, numClasses: d.numClasses, hidden: 16, inputDropout: 0, seed: 3, solver: { tEnd: 6, stepSize: 1, gradient },
    });
    // away from the initial a = b = 0, so that every part of the field carries gradient
    tf.tidy(() => { m.rateLogit.assign(tf.scalar(0.4)); m.sourceWeight.assign(tf.scalar(0.3)); });
    const { value, grads } = tf.variableGrads(() => trainingLoss(m, data), m.variables);
    const out = m.variables.map((v) => grads[v.name]);
    value.dispose();
    m.dispose();
    return out;
  };
  const before = tf.memory().numTensors;
  const direct = grads("direct");
  const adjoint = grads("adjoint");
  const e = relativeDifference(adjoint, direct);
  assert.ok(e <= 1e-5, `relative difference of all gradients ${e}`);
  assert.ok(tf.tidy(() => tf.sum(tf.abs(direct[0])).dataSync()[0]) > 0, "the encoder gradient is not zero");
  tf.dispose([...direct, ...adjoint]);
  assert.equal(tf.memory().numTensors, before, "no tensors leaked");
  data.dispose();
});

test("F-GRAND-nl differs from F-GRAND-l with attention of X0 once T > 0; withGraph shares the variables and frees only its graph", () => {
  const n = 30, F = 6, C = 3;
  const edges = smallGraph(n, 0.1, 4);
  const r = new Rng(2);
  const before = tf.memory().numTensors;
  const x = sparseFeatures(r.uniform(n * F, 0, 1), n, F);
  const opts = { numFeatures: F, numClasses: C, hidden: 4, heads: 2, attention: true, seed: 3, inputDropout: 0, solver: { beta: 0.7, tEnd: 2, stepSize: 0.5 } };
  const l = new FGrandL(edges, n, opts), nl = new FGrandL(edges, n, { ...opts, nonlinear: true });
  assert.equal(nl.options.attention, true);
  const [a, b] = [l, nl].map((m) => m.logits(x, { training: false }));
  assert.ok(relErr(a, b) > 1e-4, `F-GRAND-nl gave F-GRAND-l's logits (${relErr(a, b)})`);
  const view = nl.withGraph(attentionGraph(edges, n));
  assert.equal(view.variables, nl.variables);
  const c = view.logits(x, { training: false });
  assert.ok(relErr(c, b) < 1e-6, "the view on the same graph computes the same logits");
  view.dispose();
  assert.ok(nl.variables.every((v) => !v.isDisposed), "disposing the view left the model's variables");
  assert.throws(() => new FGrandL(edges, n, { ...opts, nonlinear: "yes" as never }), /nonlinear is "yes"; allowed: true, false/);
  tf.dispose([a, b, c]);
  l.dispose();
  nl.dispose();
  x.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test("FGrandL.integrateByChannels: a few hidden channels per solve give integrate's X(T) (constant Â, attention of X0); F-GRAND-nl solves whole", () => {
  const n = 30, F = 6;
  const edges = smallGraph(n, 0.1, 5);
  const before = tf.memory().numTensors;
  const x = sparseFeatures(new Rng(8).uniform(n * F, -1, 1), n, F);
  const solver = { beta: 0.8, tEnd: 3, stepSize: 0.5, method: "corrector" as const };
  for (const extra of [{}, { attention: true, heads: 2 }, { nonlinear: true, heads: 2 }]) {
    const m = new FGrandL(edges, n, { numFeatures: F, numClasses: 3, hidden: 8, seed: 4, solver, ...extra });
    const X0 = m.encode(x, { training: false });
    const whole = m.integrate(X0);
    for (const width of [1, 3, 8, 100]) {
      const kept = tf.memory().numTensors;
      const sliced = m.integrateByChannels(X0, width);
      assert.equal(tf.memory().numTensors, kept + 1, `width ${width}: only the result is kept`);
      assert.deepEqual(sliced.shape, [n, 8]);
      assert.ok(relErr(sliced, whole) < 1e-6, `${JSON.stringify(extra)} width ${width}: ${relErr(sliced, whole)}`);
      sliced.dispose();
    }
    assert.throws(() => m.integrateByChannels(X0, 0), /FGrandL.integrateByChannels: width is 0; allowed: a positive integer/);
    tf.dispose([X0, whole]);
    m.dispose();
  }
  x.dispose();
  assert.equal(tf.memory().numTensors, before);
});
