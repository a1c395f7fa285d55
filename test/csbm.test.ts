// The contextual SBM generator: determinism, sizes, a clean symmetric edge list, the homophily and degree asked
// for, separable class means, a 200k-node graph, and option errors that name the option.
import { test } from "node:test";
import assert from "node:assert/strict";
import { csbm, type CsbmOptions } from "../src/data";

const BASE: CsbmOptions = { nodes: 3000, classes: 4, avgDegree: 8, homophily: 0.7, features: 16, signal: 2, seed: 5 };

function edgeKeys(d: ReturnType<typeof csbm>): Float64Array {
  return Float64Array.from(d.edges.src, (u, e) => u * d.numNodes + d.edges.dst[e]);
}

test("csbm: the same seed gives the same graph, another seed another", () => {
  const a = csbm(BASE), b = csbm({ ...BASE });
  assert.deepEqual(a.labels, b.labels);
  assert.deepEqual(a.edges, b.edges);
  assert.deepEqual(a.features, b.features);
  assert.deepEqual([a.trainIdx, a.valIdx, a.testIdx], [b.trainIdx, b.valIdx, b.testIdx]);
  const c = csbm({ ...BASE, seed: 6 });
  assert.notDeepEqual(c.labels, a.labels);
  assert.notDeepEqual(c.edges.src.subarray(0, 100), a.edges.src.subarray(0, 100));
  assert.notDeepEqual(c.features.subarray(0, 100), a.features.subarray(0, 100));
});

test("csbm: sizes, balanced classes, and disjoint splits (20 per class, min(500, n/5), min(1000, n/5))", () => {
  const d = csbm(BASE);
  assert.equal(d.name, "csbm");
  assert.equal(d.numNodes, 3000);
  assert.equal(d.numFeatures, 16);
  assert.equal(d.numClasses, 4);
  assert.equal(d.features.length, 3000 * 16);
  assert.equal(d.labels.length, 3000);
  for (let k = 0; k < 4; k++) assert.equal(d.labels.filter((y) => y === k).length, 750);
  assert.equal(d.trainIdx.length, 80);
  for (let k = 0; k < 4; k++) assert.equal([...d.trainIdx].filter((i) => d.labels[i] === k).length, 20);
  assert.equal(d.valIdx.length, 500);
  assert.equal(d.testIdx.length, 600);
  const all = [...d.trainIdx, ...d.valIdx, ...d.testIdx];
  assert.equal(new Set(all).size, all.length, "the splits overlap");
  for (const idx of [d.trainIdx, d.valIdx, d.testIdx]) assert.ok(idx.every((v, i) => v >= 0 && v < 3000 && (i === 0 || v > idx[i - 1])));
  const f = csbm({ ...BASE, trainPerClass: 5, valFraction: 0.1, testFraction: 0.3 });
  assert.deepEqual([f.trainIdx.length, f.valIdx.length, f.testIdx.length], [20, 300, 900]);
});

test("csbm: edges symmetric, sorted, without self loops or duplicates", () => {
  const d = csbm(BASE);
  const keys = edgeKeys(d);
  for (let e = 1; e < keys.length; e++) assert.ok(keys[e] > keys[e - 1], `edge ${e} is not after edge ${e - 1} (duplicate or unsorted)`);
  assert.ok(d.edges.src.every((u, e) => u !== d.edges.dst[e]), "a self loop");
  const set = new Set(keys);
  assert.ok(d.edges.src.every((u, e) => set.has(d.edges.dst[e] * d.numNodes + u)), "an edge without its reverse");
});

test("csbm: measured homophily and average degree match the options", () => {
  for (const h of [0, 0.3, 0.9, 1]) {
    const d = csbm({ ...BASE, homophily: h });
    const same = d.edges.src.filter((u, e) => d.labels[u] === d.labels[d.edges.dst[e]]).length;
    const measured = same / d.edges.src.length;
    assert.ok(Math.abs(measured - h) < 0.02, `homophily ${h}: measured ${measured}`);
    const degree = d.edges.src.length / d.numNodes;
    assert.ok(Math.abs(degree - 8) < 0.2, `homophily ${h}: average degree ${degree}, asked 8`);
  }
});

test("csbm: a nearest-class-mean classifier beats chance clearly, and not at signal 0", () => {
  const accuracy = (signal: number) => {
    const d = csbm({ ...BASE, signal, nodes: 4000 });
    const f = d.numFeatures, k = d.numClasses;
    const means = new Float64Array(k * f), counts = new Float64Array(k);
    const fit = d.trainIdx; // 20 per class
    for (const i of fit) { counts[d.labels[i]]++; for (let j = 0; j < f; j++) means[d.labels[i] * f + j] += d.features[i * f + j]; }
    for (let c = 0; c < k; c++) for (let j = 0; j < f; j++) means[c * f + j] /= counts[c];
    let right = 0;
    for (const i of d.testIdx) {
      let best = -1, bestDistance = Infinity;
      for (let c = 0; c < k; c++) {
        let s = 0;
        for (let j = 0; j < f; j++) s += (d.features[i * f + j] - means[c * f + j]) ** 2;
        if (s < bestDistance) { bestDistance = s; best = c; }
      }
      if (best === d.labels[i]) right++;
    }
    return right / d.testIdx.length;
  };
  const strong = accuracy(4), none = accuracy(0);
  assert.ok(strong > 0.8, `signal 4: accuracy ${strong}, chance 0.25`);
  assert.ok(none < 0.35, `signal 0: accuracy ${none}, chance 0.25`);
});

test("csbm: features are the class mean plus unit Gaussian noise, the means at pairwise distance `signal`", () => {
  const d = csbm({ ...BASE, nodes: 8000, features: 8, signal: 3 });
  const f = d.numFeatures, k = d.numClasses;
  const means = new Float64Array(k * f), counts = new Float64Array(k);
  for (let i = 0; i < d.numNodes; i++) { counts[d.labels[i]]++; for (let j = 0; j < f; j++) means[d.labels[i] * f + j] += d.features[i * f + j]; }
  for (let c = 0; c < k; c++) for (let j = 0; j < f; j++) means[c * f + j] /= counts[c];
  for (let a = 0; a < k; a++) for (let b = a + 1; b < k; b++) {
    let s = 0;
    for (let j = 0; j < f; j++) s += (means[a * f + j] - means[b * f + j]) ** 2;
    assert.ok(Math.abs(Math.sqrt(s) - 3) < 0.15, `classes ${a}, ${b}: mean distance ${Math.sqrt(s)}`);
  }
  let variance = 0, beyond2 = 0, beyond3 = 0;
  for (let i = 0; i < d.numNodes; i++) for (let j = 0; j < f; j++) {
    const noise = d.features[i * f + j] - means[d.labels[i] * f + j];
    variance += noise ** 2;
    if (Math.abs(noise) > 2) beyond2++;
    if (Math.abs(noise) > 3) beyond3++;
  }
  const count = d.numNodes * f;
  variance /= count;
  assert.ok(Math.abs(variance - 1) < 0.05, `noise variance ${variance}`);
  assert.ok(Math.abs(beyond2 / count / 0.0455 - 1) < 0.1, `P(|noise| > 2) = ${beyond2 / count}, normal 0.0455`);
  assert.ok(Math.abs(beyond3 / count / 0.0027 - 1) < 0.3, `P(|noise| > 3) = ${beyond3 / count}, normal 0.0027`);
});

test("csbm: 200,000 nodes at degree 10", () => {
  const d = csbm({ nodes: 200_000, classes: 5, avgDegree: 10, homophily: 0.8, features: 32, signal: 1, seed: 1 });
  assert.equal(d.features.length, 200_000 * 32);
  assert.ok(Math.abs(d.edges.src.length / 200_000 - 10) < 0.05, `degree ${d.edges.src.length / 200_000}`);
  assert.deepEqual([d.trainIdx.length, d.valIdx.length, d.testIdx.length], [100, 500, 1000]);
});

test("csbm: unknown, missing and out-of-range options are named with what is allowed", () => {
  assert.throws(() => csbm({ ...BASE, homophilly: 0.5 } as never), /csbm: unknown option "homophilly"; allowed: nodes, classes, avgDegree, homophily, features, signal, seed, trainPerClass, valFraction, testFraction/);
  const { seed: _, ...noSeed } = BASE;
  assert.throws(() => csbm(noSeed as never), /csbm: missing option seed; required: nodes, classes/);
  const cases: [Partial<CsbmOptions>, RegExp][] = [
    [{ nodes: 1.5 }, /nodes is 1\.5; allowed: an integer in \[2, 1073741824\]/],
    [{ classes: 1 }, /classes is 1; allowed: an integer in \[2, 3000\]/],
    [{ avgDegree: 0 }, /avgDegree is 0; allowed: a number in \(0, nodes - 1 = 2999\]/],
    [{ homophily: 1.2 }, /homophily is 1\.2; allowed: a number in \[0, 1\]/],
    [{ homophily: NaN }, /homophily is NaN; allowed: a number in \[0, 1\]/],
    [{ features: 3 }, /features is 3; allowed: an integer in \[4, 65536\]/],
    [{ signal: -1 }, /signal is -1; allowed: a number >= 0/],
    [{ seed: 0.5 }, /seed is 0\.5; allowed: an integer/],
    [{ trainPerClass: 800 }, /trainPerClass is 800; allowed: an integer in \[0, 750\]/],
    [{ valFraction: 1 }, /valFraction is 1; allowed: a number in \[0, 1\)/],
    [{ testFraction: 0.9, valFraction: 0.2 }, /csbm: 80 training \(trainPerClass x classes\) \+ 600 validation \+ 2700 test nodes exceed the 3000 nodes/],
  ];
  for (const [change, re] of cases) assert.throws(() => csbm({ ...BASE, ...change }), re, JSON.stringify(change));
});
