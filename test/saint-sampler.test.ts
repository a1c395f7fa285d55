// GraphSAINT samplers: induced subgraphs, seeded determinism, the random walk's size bound, and the estimated
// normalisation (λ_v against empirical and exact inclusion probabilities, α_{u,v} against empirical conditionals).
import { test } from "node:test";
import assert from "node:assert/strict";
import { SaintSampler, subgraphFeatures, type SaintSamplerOptions, type SaintSubgraph } from "../src/graph";
import { csbm } from "../src/data";
import { symmetrize } from "../src/graph/edge-order";

/** A ring of n nodes with chords i -> i + 3 and a hub (node 0) joined to every fifth node: no isolated node. */
function ringGraph(n: number): { src: Int32Array; dst: Int32Array } {
  const src: number[] = [], dst: number[] = [];
  for (let i = 0; i < n; i++) {
    src.push(i, i);
    dst.push((i + 1) % n, (i + 3) % n);
    if (i % 5 === 0 && i > 0) { src.push(0); dst.push(i); }
  }
  return symmetrize({ src, dst }, n);
}

const RW: SaintSamplerOptions = { kind: "random-walk", roots: 6, walkLength: 3, seed: 3 };
const NODE: SaintSamplerOptions = { kind: "node", budget: 40, seed: 3 };

function checkInduced(s: SaintSubgraph, n: number, edges: { src: Int32Array; dst: Int32Array }): void {
  const { nodes } = s;
  assert.ok(nodes.every((v, i) => v >= 0 && v < n && (i === 0 || v > nodes[i - 1])), "nodes not sorted and unique");
  const global = new Set(Array.from(edges.src, (u, e) => u * n + edges.dst[e]));
  const inSub = new Set(nodes);
  let expected = 0;
  edges.src.forEach((u, e) => { if (inSub.has(u) && inSub.has(edges.dst[e])) expected++; });
  const local = s.edges;
  assert.equal(local.src.length, expected, "not every edge between sampled nodes is in the subgraph");
  assert.equal(s.aggNorm.length, local.src.length);
  assert.equal(s.lossNorm.length, nodes.length);
  for (let e = 0; e < local.src.length; e++) {
    assert.ok(global.has(nodes[local.src[e]] * n + nodes[local.dst[e]]), `local edge ${e} is no edge of the graph`);
    if (e > 0) assert.ok(local.src[e] * nodes.length + local.dst[e] > local.src[e - 1] * nodes.length + local.dst[e - 1], "local edges not sorted");
  }
}

test("SaintSampler: both samplers return induced subgraphs with sorted, unique node ids", () => {
  const g = csbm({ nodes: 600, classes: 3, avgDegree: 6, homophily: 0.6, features: 4, signal: 1, seed: 2 });
  for (const opts of [RW, NODE, { ...NODE, probability: "degree" } as const]) {
    const sampler = new SaintSampler(g.numNodes, g.edges, opts);
    assert.equal(sampler.numEdges, g.edges.src.length);
    for (let k = 0; k < 20; k++) checkInduced(sampler.sample(), g.numNodes, g.edges);
  }
});

test("SaintSampler: the same seed gives the same subgraphs and normalisation, another seed others", () => {
  const g = ringGraph(80);
  for (const opts of [RW, NODE]) {
    const a = new SaintSampler(80, g, opts), b = new SaintSampler(80, g, opts), c = new SaintSampler(80, g, { ...opts, seed: 4 });
    const [sa, sb, sc] = [a, b, c].map((s) => [s.sample(), s.sample(), s.sample()]);
    assert.deepEqual(sa, sb);
    assert.notDeepEqual(sa.map((s) => s.nodes), sc.map((s) => s.nodes));
    assert.notDeepEqual(sa[0].nodes, sa[1].nodes, "consecutive subgraphs are identical");
  }
});

test("SaintSampler random walk: at most r·(L + 1) nodes, each walk connected, roots alone at L = 0", () => {
  const n = 400, g = ringGraph(n);
  const sampler = new SaintSampler(n, g, { kind: "random-walk", roots: 5, walkLength: 4, seed: 1 });
  let sizes = 0;
  for (let k = 0; k < 50; k++) {
    const s = sampler.sample();
    assert.ok(s.nodes.length <= 5 * 5 && s.nodes.length >= 2, `${s.nodes.length} nodes`);
    const degree = new Int32Array(s.nodes.length);
    for (const u of s.edges.src) degree[u]++;
    assert.ok(degree.every((d) => d > 0), "a walk of length 4 left a node without a sampled neighbour");
    sizes += s.nodes.length;
  }
  assert.ok(sizes / 50 > 15, `mean size ${sizes / 50}: walks revisit too often`);
  const rootsOnly = new SaintSampler(n, g, { kind: "random-walk", roots: 7, walkLength: 0, seed: 1 }).sample();
  assert.ok(rootsOnly.nodes.length <= 7 && rootsOnly.nodes.length >= 6);
});

/** Empirical inclusion frequencies over `count` fresh subgraphs, with each node's λ and each edge's α. */
function measure(sampler: SaintSampler, n: number, count: number) {
  const nodeHits = new Float64Array(n), edgeHits = new Map<number, number>();
  const lambda = new Float64Array(n).fill(NaN), alpha = new Map<number, number>();
  for (let k = 0; k < count; k++) {
    const s = sampler.sample();
    s.nodes.forEach((v, i) => { nodeHits[v]++; lambda[v] = s.lossNorm[i]; });
    s.edges.src.forEach((u, e) => {
      const key = s.nodes[u] * n + s.nodes[s.edges.dst[e]];
      edgeHits.set(key, (edgeHits.get(key) ?? 0) + 1);
      alpha.set(key, s.aggNorm[e]);
    });
  }
  return { nodeHits, edgeHits, lambda, alpha };
}

test("SaintSampler random walk: λ_v matches the empirical inclusion frequency, α_{u,v} the conditional one", () => {
  const n = 30, g = ringGraph(n), draws = 20000;
  const sampler = new SaintSampler(n, g, { kind: "random-walk", roots: 2, walkLength: 2, seed: 9, preSamples: draws });
  const m = measure(sampler, n, draws);
  // Both sides are frequencies over `draws` independent subgraphs: their difference has standard deviation sd.
  for (let v = 0; v < n; v++) {
    const p = m.nodeHits[v] / draws, sd = Math.sqrt((2 * p * (1 - p)) / draws);
    assert.ok(m.lambda[v] > 0 && m.lambda[v] <= 1);
    assert.ok(Math.abs(m.lambda[v] - p) < 4.5 * sd, `node ${v}: λ ${m.lambda[v]}, frequency ${p}`);
  }
  assert.ok(m.lambda[0] > 1.5 * m.lambda[1], `the hub's λ ${m.lambda[0]} should exceed a ring node's ${m.lambda[1]}`);
  for (const [key, a] of m.alpha) {
    const v = key % n;
    const conditional = m.edgeHits.get(key)! / m.nodeHits[v];
    const sd = Math.sqrt((2 * conditional * (1 - conditional)) / m.nodeHits[v]);
    assert.ok(a > 0 && a <= 1, `α ${a}`);
    assert.ok(Math.abs(a - conditional) < 4.5 * sd, `edge ${Math.floor(key / n)} -> ${v}: α ${a}, conditional frequency ${conditional}`);
  }
  // α is conditioned on the aggregating end (dst): edges into the hub are rarer given the hub than edges out of it given the leaf.
  const into = m.alpha.get(5 * n + 0)!, outOf = m.alpha.get(0 * n + 5)!;
  assert.ok(into < outOf, `α(5 -> hub) ${into} should be below α(hub -> 5) ${outOf}`);
});

test("SaintSampler node sampler: λ_v matches 1 - (1 - p_v)^budget with p_v ∝ Σ_{u ∈ N(v)} 1/deg(u)², or ∝ deg(v)", () => {
  const n = 30, g = ringGraph(n), budget = 8, draws = 20000;
  const degree = new Float64Array(n);
  for (const u of g.src) degree[u]++;
  const columnNorm = new Float64Array(n);
  g.src.forEach((u, e) => { columnNorm[g.dst[e]] += 1 / degree[u] ** 2; });
  for (const [probability, weight] of [["column-norm", columnNorm], ["degree", degree]] as const) {
    const total = weight.reduce((a, b) => a + b, 0);
    const p = Array.from(weight, (w) => w / total);
    const sampler = new SaintSampler(n, g, { kind: "node", budget, probability, seed: 2, preSamples: draws });
    const m = measure(sampler, n, 2000);
    for (let v = 0; v < n; v++) {
      const exact = 1 - (1 - p[v]) ** budget;
      assert.ok(Math.abs(m.lambda[v] - exact) < 0.02, `${probability}, node ${v}: λ ${m.lambda[v]}, exact ${exact}`);
    }
    for (const [key, a] of m.alpha) {
      const [u, v] = [Math.floor(key / n), key % n];
      const both = 1 - (1 - p[u]) ** budget - (1 - p[v]) ** budget + (1 - p[u] - p[v]) ** budget;
      const exact = both / (1 - (1 - p[v]) ** budget);
      assert.ok(Math.abs(a - exact) < 0.04, `${probability}, edge ${u} -> ${v}: α ${a}, exact ${exact}`);
    }
  }
});

test("SaintSampler: nodes and edges never pre-sampled get the count 0.1 (λ = 0.1 / N, α ≤ 1)", () => {
  const g = csbm({ nodes: 5000, classes: 2, avgDegree: 4, homophily: 0.5, features: 2, signal: 1, seed: 1 });
  const sampler = new SaintSampler(g.numNodes, g.edges, { kind: "random-walk", roots: 200, walkLength: 2, seed: 1, preSamples: 1 });
  const seen = new Set<number>();
  for (let k = 0; k < 5; k++) {
    const s = sampler.sample();
    s.lossNorm.forEach((l) => seen.add(l));
    assert.ok(s.aggNorm.every((a) => a > 0 && a <= 1));
  }
  assert.deepEqual([...seen].sort(), [Math.fround(0.1), 1]);
});

test("SaintSampler: a non-symmetric or out-of-range edge list and bad options are Errors naming them", () => {
  assert.throws(() => new SaintSampler(3, { src: [0, 1, 1], dst: [1, 0, 2] }, RW), /SaintSampler: node 1 has 2 outgoing and 1 incoming edges; expected a symmetric edge list/);
  assert.throws(() => new SaintSampler(3, { src: [0, 1, 2], dst: [1, 2, 0] }, RW), /SaintSampler: edge \(0, 1\) has no reverse \(1, 0\); expected a symmetric edge list/);
  assert.throws(() => new SaintSampler(3, { src: [0, 3], dst: [3, 0] }, RW), /SaintSampler: edge 0 is \(0, 3\); allowed: node ids in \[0, 3\)/);
  const g = ringGraph(10);
  assert.throws(() => new SaintSampler(10, g, { ...RW, root: 3 } as never), /unknown option "root" for kind "random-walk"; allowed: kind, roots, walkLength, seed, preSamples/);
  assert.throws(() => new SaintSampler(10, g, { ...NODE, kind: "edge" } as never), /SaintSampler: kind is "edge"; allowed: "random-walk", "node"/);
  assert.throws(() => new SaintSampler(10, g, { kind: "node", budget: 0 }), /budget is 0; allowed: an integer in \[1, 67108864\]/);
  assert.throws(() => new SaintSampler(10, g, { ...RW, walkLength: 1.5 }), /walkLength is 1\.5; allowed: an integer/);
  assert.throws(() => new SaintSampler(10, g, { ...RW, preSamples: 70000 }), /preSamples is 70000; allowed: an integer in \[1, 65535\]/);
  assert.throws(() => new SaintSampler(10, g, { ...NODE, probability: "pagerank" } as never), /probability is "pagerank"; allowed: "column-norm", "degree"/);
  assert.throws(() => new SaintSampler(4, { src: [], dst: [] }, NODE), /every node has sampling weight 0/);
});

test("subgraphFeatures: gathers the rows of the subgraph's nodes in order", () => {
  const features = Float32Array.from({ length: 5 * 3 }, (_, i) => i + 0.5);
  assert.deepEqual(subgraphFeatures(features, 3, Int32Array.from([1, 4])), Float32Array.from([3.5, 4.5, 5.5, 12.5, 13.5, 14.5]));
  assert.deepEqual(subgraphFeatures(features, 3, []), new Float32Array(0));
  assert.throws(() => subgraphFeatures(features, 4, [0]), /numFeatures is 4 for 15 values; allowed: a positive integer dividing the length/);
  assert.throws(() => subgraphFeatures(features, 3, [0, 5]), /nodes\[1\] is 5; allowed: node ids in \[0, 5\)/);
});
