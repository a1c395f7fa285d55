// The contextual stochastic block model (Deshpande, Sen, Montanari, Mossel, "Contextual Stochastic Block
// Models", NeurIPS 2018): a synthetic node-classification graph whose homophily and feature signal are set
// directly. Edges are drawn in O(edges) time and memory (never an n x n matrix), features from the seeded Rng.
// Sizes at 10^6 nodes x 128 features, degree 10: 512 MB of features, about 200 MB of edge buffers at the peak.
import { Rng } from "../util/rng";
import { symmetrize } from "../graph/edge-order";
import type { NodeDataset } from "./node-dataset";

export interface CsbmOptions {
  /** Number of nodes, an integer >= 2; classes get sizes within one of each other, assigned in random order. */
  nodes: number;
  /** Number of classes, an integer in [2, nodes]. */
  classes: number;
  /** Expected degree, in (0, nodes - 1]: each node is the source of Poisson(avgDegree / 2) edge draws. */
  avgDegree: number;
  /** The fraction of each node's edges drawn inside its class, in [0, 1]. */
  homophily: number;
  /** Feature dimension, an integer in [classes, 65536]. */
  features: number;
  /** Distance between any two class means in units of the noise standard deviation (>= 0). */
  signal: number;
  /** Seed of everything: labels, edges, features, split (an integer). */
  seed: number;
  /** Training nodes drawn per class (default 20). */
  trainPerClass?: number;
  /** Shares of all nodes in the validation and test sets, in [0, 1); default min(500, n/5) and min(1000, n/5) nodes. */
  valFraction?: number;
  testFraction?: number;
}

const REQUIRED = ["nodes", "classes", "avgDegree", "homophily", "features", "signal", "seed"] as const;
const OPTIONAL = ["trainPerClass", "valFraction", "testFraction"] as const;
const ALLOWED: readonly string[] = [...REQUIRED, ...OPTIONAL];

function fail(key: string, value: unknown, allowed: string): Error {
  return new Error(`csbm: ${key} is ${typeof value === "number" ? value : JSON.stringify(value)}; allowed: ${allowed}`);
}

function checkOptions(o: CsbmOptions): void {
  const unknown = Object.keys(o).filter((k) => !ALLOWED.includes(k));
  if (unknown.length) throw new Error(`csbm: unknown option ${unknown.map((k) => `"${k}"`).join(", ")}; allowed: ${ALLOWED.join(", ")}`);
  const absent = REQUIRED.filter((k) => o[k] === undefined);
  if (absent.length) throw new Error(`csbm: missing option ${absent.join(", ")}; required: ${REQUIRED.join(", ")}`);
  const integer = (k: keyof CsbmOptions, lo: number, hi: number) => {
    const v = o[k];
    if (!(Number.isInteger(v) && (v as number) >= lo && (v as number) <= hi)) throw fail(k, v, `an integer in [${lo}, ${hi}]`);
  };
  const real = (k: keyof CsbmOptions, ok: (v: number) => boolean, allowed: string) => {
    const v = o[k];
    if (v !== undefined && !(typeof v === "number" && Number.isFinite(v) && ok(v))) throw fail(k, v, allowed);
  };
  integer("nodes", 2, 2 ** 30);
  integer("classes", 2, o.nodes);
  real("avgDegree", (v) => v > 0 && v <= o.nodes - 1, `a number in (0, nodes - 1 = ${o.nodes - 1}]`);
  real("homophily", (v) => v >= 0 && v <= 1, "a number in [0, 1]");
  integer("features", o.classes, 65536);
  if (o.nodes * o.features > 2 ** 31 - 1) throw fail("features", o.features, `at most ${Math.floor((2 ** 31 - 1) / o.nodes)} at ${o.nodes} nodes (nodes x features <= 2^31 - 1 values)`);
  real("signal", (v) => v >= 0, "a number >= 0");
  integer("seed", -(2 ** 31), 2 ** 32 - 1);
  if (o.trainPerClass !== undefined) integer("trainPerClass", 0, Math.floor(o.nodes / o.classes));
  real("valFraction", (v) => v >= 0 && v < 1, "a number in [0, 1)");
  real("testFraction", (v) => v >= 0 && v < 1, "a number in [0, 1)");
}

// Marsaglia & Tsang's ziggurat ("The Ziggurat Method for Generating Random Variables", J. Stat. Softw. 2000)
// for N(0, 1): 128 layers of equal area AREA under exp(-x²/2), the base one holding the tail beyond R. One
// uniform u gives the layer (its top 7 bits, ⌊128 u⌋) and the abscissa (the other 25 bits), accepted at once
// 98.8% of the time.
const LAYERS = 128, R = 3.442619855899, AREA = 9.91256303526217e-3;
const density = (x: number) => Math.exp(-0.5 * x * x);
const EDGE = new Float64Array(LAYERS + 1); // EDGE[i] > EDGE[i + 1]: layer i spans x in [0, EDGE[i]], y in [f(EDGE[i]), f(EDGE[i + 1])]
EDGE[0] = AREA / density(R);
EDGE[1] = R;
for (let i = 1; i < LAYERS - 1; i++) EDGE[i + 1] = Math.sqrt(-2 * Math.log(density(EDGE[i]) + AREA / EDGE[i]));
const INSIDE = Float64Array.from({ length: LAYERS }, (_, i) => EDGE[i + 1] / EDGE[i]);
const LAYER_Y = Float64Array.from(EDGE, density);

/** The rare draws outside layer i's inner rectangle (s in [-1, 1) scales its width): the tail (layer 0), the wedge test, a fresh draw. */
function gaussianSlow(rng: Rng, i: number, s: number): number {
  for (;;) {
    if (i === 0) { // the tail beyond R (Marsaglia 1964)
      let a: number, b: number;
      do {
        a = -Math.log(1 - rng.next()) / R;
        b = -Math.log(1 - rng.next());
      } while (b + b < a * a);
      return s < 0 ? -(R + a) : R + a;
    }
    const x = s * EDGE[i];
    if (LAYER_Y[i] + rng.next() * (LAYER_Y[i + 1] - LAYER_Y[i]) < density(x)) return x;
    const u = rng.next() * LAYERS;
    i = u | 0;
    s = 2 * (u - i) - 1;
    if (Math.abs(s) < INSIDE[i]) return s * EDGE[i];
  }
}

function gaussian(rng: Rng): number {
  const u = rng.next() * LAYERS;
  const i = u | 0, s = 2 * (u - i) - 1;
  return Math.abs(s) < INSIDE[i] ? s * EDGE[i] : gaussianSlow(rng, i, s);
}

/** Nodes grouped by class: members[start[k] .. start[k+1]) are the nodes of class k, ascending. */
function groupByClass(labels: Int32Array, classes: number): { start: Int32Array; members: Int32Array } {
  const start = new Int32Array(classes + 1);
  for (let i = 0; i < labels.length; i++) start[labels[i] + 1]++;
  for (let k = 0; k < classes; k++) start[k + 1] += start[k];
  const next = start.slice(0, classes);
  const members = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) members[next[labels[i]]++] = i;
  return { start, members };
}

/** A Poisson(mean) count by inversion, in pieces of mean <= 30 (so that e^-mean stays a normal double). */
function poisson(rng: Rng, mean: number): number {
  let count = 0;
  for (let left = mean; left > 0; left -= 30) {
    const mu = Math.min(left, 30);
    let p = Math.exp(-mu), cdf = p, k = 0;
    const u = rng.next();
    while (u >= cdf && k < 1000) { k++; p *= mu / k; cdf += p; }
    count += k;
  }
  return count;
}

// Node u, in order, is the source of Poisson(avgDegree / 2) draws (so degrees are Poisson(avgDegree), as in an
// SBM); each partner is, with probability h, a uniform node of u's class, else a uniform node of the other
// classes (an index into members that skips u's block). Self loops and repeated pairs are then dropped.
function drawEdges(rng: Rng, labels: Int32Array, groups: ReturnType<typeof groupByClass>, avgDegree: number, h: number) {
  const n = labels.length, mean = avgDegree / 2;
  const { start, members } = groups;
  let src = new Int32Array(Math.ceil(n * mean + 6 * Math.sqrt(n * mean) + 16)), dst = new Int32Array(src.length);
  let e = 0;
  for (let u = 0; u < n; u++) {
    const k = labels[u], lo = start[k], size = start[k + 1] - lo;
    for (let c = poisson(rng, mean); c > 0; c--) {
      if (e === src.length) {
        const [s2, d2] = [new Int32Array(2 * e), new Int32Array(2 * e)];
        s2.set(src); d2.set(dst);
        [src, dst] = [s2, d2];
      }
      let v: number;
      if (rng.next() < h) v = members[lo + Math.floor(rng.next() * size)];
      else {
        const r = Math.floor(rng.next() * (n - size));
        v = members[r < lo ? r : r + size];
      }
      src[e] = u;
      dst[e++] = v;
    }
  }
  return symmetrize({ src: src.subarray(0, e), dst: dst.subarray(0, e) }, n);
}

/** K class means at pairwise distance `signal`: signal/√2 times orthonormal directions (Gram–Schmidt of Gaussians). */
function classMeans(rng: Rng, classes: number, features: number, signal: number): Float64Array[] {
  const means: Float64Array[] = [];
  while (means.length < classes) {
    const v = Float64Array.from({ length: features }, () => gaussian(rng));
    for (const q of means) {
      let dot = 0;
      for (let j = 0; j < features; j++) dot += v[j] * q[j];
      for (let j = 0; j < features; j++) v[j] -= dot * q[j];
    }
    let norm = 0;
    for (let j = 0; j < features; j++) norm += v[j] * v[j];
    norm = Math.sqrt(norm);
    if (norm < 1e-6) continue;
    for (let j = 0; j < features; j++) v[j] /= norm;
    means.push(v);
  }
  return means.map((q) => q.map((x) => (x * signal) / Math.SQRT2));
}

/** Row i: the mean of node i's class plus N(0, I) noise. */
function noisyFeatures(rng: Rng, labels: Int32Array, means: Float64Array[]): Float32Array {
  const f = means[0].length;
  const x = new Float32Array(labels.length * f);
  for (let i = 0, at = 0; i < labels.length; i++) {
    const mu = means[labels[i]];
    for (let j = 0; j < f; j++) x[at++] = mu[j] + gaussian(rng);
  }
  return x;
}

function splitSizes(o: CsbmOptions, train: number): [number, number] {
  const n = o.nodes;
  const val = o.valFraction !== undefined ? Math.round(o.valFraction * n) : Math.min(500, Math.floor(n / 5));
  const test = o.testFraction !== undefined ? Math.round(o.testFraction * n) : Math.min(1000, Math.floor(n / 5));
  if (train + val + test > n) {
    throw new Error(`csbm: ${train} training (trainPerClass x classes) + ${val} validation + ${test} test nodes exceed the ${n} nodes; ` +
      `allowed: at most ${n} in all (lower valFraction, testFraction or trainPerClass)`);
  }
  return [val, test];
}

// trainPerClass nodes of each class (a random subset), then val and test from the rest, in random order.
function split(rng: Rng, o: CsbmOptions, labels: Int32Array) {
  const perClass = o.trainPerClass ?? 20;
  const [val, test] = splitSizes(o, perClass * o.classes);
  const taken = new Int32Array(o.classes);
  const train: number[] = [];
  const rest: number[] = [];
  for (const i of rng.permutation(o.nodes)) {
    if (taken[labels[i]] < perClass) { taken[labels[i]]++; train.push(i); } else rest.push(i);
  }
  const sorted = (a: number[]) => Int32Array.from(a).sort();
  return { trainIdx: sorted(train), valIdx: sorted(rest.slice(0, val)), testIdx: sorted(rest.slice(val, val + test)) };
}

/**
 * A contextual SBM graph: balanced classes in random order; edges with the given homophily (symmetric, no self
 * loops, no duplicates, sorted by (src, dst), so the realised degree falls short of avgDegree by the few dropped
 * draws); features x_i = μ_{y_i} + ε_i, ε_i ~ N(0, I), with class means at pairwise distance `signal`; a split of
 * trainPerClass nodes per class and disjoint validation and test sets. Everything follows from `seed`.
 */
export function csbm(opts: CsbmOptions): NodeDataset {
  checkOptions(opts);
  const { nodes: n, classes, features: f } = opts;
  const rng = new Rng(opts.seed);
  const labels = new Int32Array(n);
  const order = rng.permutation(n);
  for (let i = 0; i < n; i++) labels[order[i]] = i % classes;
  const groups = groupByClass(labels, classes);
  const edges = drawEdges(rng.fork(1), labels, groups, opts.avgDegree, opts.homophily);
  const means = classMeans(rng.fork(2), classes, f, opts.signal);
  return {
    name: "csbm", numNodes: n, numFeatures: f, numClasses: classes, features: noisyFeatures(rng.fork(3), labels, means), labels, edges,
    ...split(rng.fork(4), opts, labels),
  };
}
