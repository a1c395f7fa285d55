// GraphSAINT subgraph sampling (Zeng, Zhou, Srivastava, Kannan, Prasanna, "GraphSAINT: Graph Sampling Based
// Inductive Learning Method", ICLR 2020): random-walk and node samplers over a symmetric graph, returning
// node-induced subgraphs with the paper's normalisation coefficients, estimated by pre-sampling (its §3.2,
// Algorithm 1). The CSR is built once in O(E + n); each subgraph then costs O(its nodes' adjacency).
import { Rng } from "../util/rng";
import type { EdgeList } from "./adjacency";
import { checkIds, rowStarts, sortEdges } from "./edge-order";

interface CommonOptions {
  /** Seed of the pre-sampling and of the subgraph stream (an integer; default 0). */
  seed?: number;
  /** Subgraphs pre-sampled to estimate the normalisation, N (an integer in [1, 65535]; default 50). */
  preSamples?: number;
}

export interface RandomWalkSamplerOptions extends CommonOptions {
  kind: "random-walk";
  /** r: walkers, each from a root drawn uniformly from all nodes. */
  roots: number;
  /** L: steps per walker, each to a uniformly drawn neighbour (a walker at an isolated node stops). */
  walkLength: number;
}

export interface NodeSamplerOptions extends CommonOptions {
  kind: "node";
  /** Nodes drawn with replacement per subgraph (the subgraph holds the distinct ones). */
  budget: number;
  /** "column-norm" (default): the paper's P(v) ∝ ‖Ã_{:,v}‖²; "degree": P(v) ∝ deg(v), as GraphSAINT's code does. */
  probability?: "column-norm" | "degree";
}

export type SaintSamplerOptions = RandomWalkSamplerOptions | NodeSamplerOptions;

export interface SaintSubgraph {
  /** Global ids of the subgraph's nodes, ascending: local id i is global nodes[i]. */
  nodes: Int32Array;
  /** Every edge of the graph between two sampled nodes, in local ids, sorted by (src, dst). */
  edges: { src: Int32Array; dst: Int32Array };
  /** λ_v = C_v / N per node: the estimated probability that v is sampled. Weight node v's loss by 1 / λ_v. */
  lossNorm: Float32Array;
  /**
   * α_{u,v} = C_{u,v} / C_v per local edge u = src → v = dst (messages flow src → dst, as in spmm): the
   * estimated probability that the edge is sampled given that v, its aggregating end, is. Aggregate Ã_{v,u} / α_{u,v}.
   */
  aggNorm: Float32Array;
}

// A node or edge never met in the pre-samples gets the count 0.1, as GraphSAINT's reference code does for
// nodes: λ stays positive and α in (0, 1].
const UNSEEN_COUNT = 0.1;

function fail(key: string, value: unknown, allowed: string): Error {
  return new Error(`SaintSampler: ${key} is ${typeof value === "number" ? value : JSON.stringify(value)}; allowed: ${allowed}`);
}

function checkOptions(o: SaintSamplerOptions, numNodes: number): void {
  const allowedByKind: Record<string, string[]> = {
    "random-walk": ["kind", "roots", "walkLength", "seed", "preSamples"],
    node: ["kind", "budget", "probability", "seed", "preSamples"],
  };
  const allowed = allowedByKind[o.kind as string];
  if (!allowed) throw fail("kind", o.kind, `"random-walk", "node"`);
  const unknown = Object.keys(o).filter((k) => !allowed.includes(k));
  if (unknown.length) throw new Error(`SaintSampler: unknown option ${unknown.map((k) => `"${k}"`).join(", ")} for kind "${o.kind}"; allowed: ${allowed.join(", ")}`);
  const integer = (key: string, v: unknown, lo: number, hi: number) => {
    if (!(Number.isInteger(v) && (v as number) >= lo && (v as number) <= hi)) throw fail(key, v, `an integer in [${lo}, ${hi}]`);
  };
  if (o.kind === "random-walk") {
    integer("roots", o.roots, 1, 2 ** 24);
    integer("walkLength", o.walkLength, 0, 2 ** 16);
  } else {
    integer("budget", o.budget, 1, 2 ** 26);
    if (o.probability !== undefined && o.probability !== "column-norm" && o.probability !== "degree") {
      throw fail("probability", o.probability, `"column-norm", "degree"`);
    }
  }
  if (o.seed !== undefined) integer("seed", o.seed, -(2 ** 31), 2 ** 32 - 1);
  if (o.preSamples !== undefined) integer("preSamples", o.preSamples, 1, 65535);
  if (numNodes === 0) throw fail("numNodes", numNodes, "a graph with at least one node");
}

/** The graph as CSR with each row's columns ascending. */
interface Csr { rowStart: Int32Array; col: Int32Array }

// The sorted list must equal its sorted transpose when the graph is symmetric: row lengths first, then columns.
function buildCsr(numNodes: number, edges: EdgeList): Csr {
  checkIds("SaintSampler", edges, numNodes);
  const sorted = sortEdges({ src: Int32Array.from(edges.src), dst: Int32Array.from(edges.dst) }, numNodes);
  const transposed = sortEdges({ src: sorted.dst.slice(), dst: sorted.src.slice() }, numNodes);
  const rowStart = rowStarts(sorted.src, numNodes), inStart = rowStarts(transposed.src, numNodes);
  for (let i = 0; i < numNodes; i++) {
    if (rowStart[i + 1] - rowStart[i] !== inStart[i + 1] - inStart[i]) {
      throw new Error(`SaintSampler: node ${i} has ${rowStart[i + 1] - rowStart[i]} outgoing and ${inStart[i + 1] - inStart[i]} incoming edges; expected a symmetric edge list (each (u, v) with its (v, u))`);
    }
  }
  const col = sorted.dst, other = transposed.dst;
  for (let k = 0; k < col.length; k++) {
    if (col[k] === other[k]) continue;
    const v = sorted.src[k];
    const [u, w] = col[k] < other[k] ? [v, col[k]] : [other[k], v];
    throw new Error(`SaintSampler: edge (${u}, ${w}) has no reverse (${w}, ${u}); expected a symmetric edge list`);
  }
  return { rowStart, col };
}

/** Walker's alias tables (Vose): one draw from a discrete distribution in O(1) after an O(n) build. */
class AliasTable {
  readonly keep: Float64Array;
  readonly alias: Int32Array;
  constructor(weights: Float64Array) {
    const n = weights.length;
    let total = 0;
    for (let i = 0; i < n; i++) total += weights[i];
    if (!(total > 0)) throw new Error("SaintSampler: every node has sampling weight 0 (a graph without edges); the node sampler needs edges");
    this.keep = Float64Array.from(weights, (w) => (w * n) / total);
    this.alias = Int32Array.from({ length: n }, (_, i) => i);
    const small: number[] = [], large: number[] = [];
    this.keep.forEach((p, i) => (p < 1 ? small : large).push(i));
    while (small.length && large.length) {
      const s = small.pop()!, l = large[large.length - 1];
      this.alias[s] = l;
      this.keep[l] -= 1 - this.keep[s];
      if (this.keep[l] < 1) { large.pop(); small.push(l); }
    }
    for (const i of [...small, ...large]) this.keep[i] = 1;
  }
  draw(rng: Rng): number {
    const i = Math.floor(rng.next() * this.keep.length);
    return rng.next() < this.keep[i] ? i : this.alias[i];
  }
}

// GraphSAINT §3.4: the node sampler draws v with P(v) ∝ ‖Ã_{:,v}‖² where Ã = D⁻¹A, i.e. Σ_{u ∈ N(v)} 1 / deg(u)².
function nodeWeights(csr: Csr, numNodes: number, probability: "column-norm" | "degree"): Float64Array {
  const { rowStart, col } = csr;
  const w = new Float64Array(numNodes);
  for (let v = 0; v < numNodes; v++) {
    if (probability === "degree") { w[v] = rowStart[v + 1] - rowStart[v]; continue; }
    for (let k = rowStart[v]; k < rowStart[v + 1]; k++) {
      const d = rowStart[col[k] + 1] - rowStart[col[k]];
      w[v] += 1 / (d * d);
    }
  }
  return w;
}

/** One drawn subgraph before normalisation: its nodes and edges, and each edge's position in the CSR. */
interface Draw { nodes: Int32Array; src: Int32Array; dst: Int32Array; position: Int32Array }

/**
 * GraphSAINT's samplers over one symmetric graph. The constructor builds the CSR, then pre-samples N subgraphs
 * and counts how often each node (C_v) and each edge (C_{u,v}) occurs; sample() draws a fresh subgraph and
 * attaches λ_v = C_v / N and α_{u,v} = C_{u,v} / C_v. Deterministic given the seed.
 */
export class SaintSampler {
  readonly numNodes: number;
  readonly numEdges: number;
  readonly preSamples: number;
  private readonly csr: Csr;
  private readonly rng: Rng;
  private readonly drawNodes: (rng: Rng, mark: (v: number) => void) => void;
  private readonly nodeCount: Uint16Array;
  private readonly edgeCount: Uint16Array;
  // local[v] is v's local id while stamp[v] === the current subgraph's stamp: no reset between subgraphs.
  private readonly stamp: Int32Array;
  private readonly local: Int32Array;
  private current = 0;
  private readonly visited: Int32Array;
  private visitedCount = 0;

  constructor(numNodes: number, edges: EdgeList, opts: SaintSamplerOptions) {
    checkOptions(opts, numNodes);
    this.csr = buildCsr(numNodes, edges);
    this.numNodes = numNodes;
    this.numEdges = this.csr.col.length;
    this.preSamples = opts.preSamples ?? 50;
    this.stamp = new Int32Array(numNodes);
    this.local = new Int32Array(numNodes);
    const { rowStart, col } = this.csr;
    if (opts.kind === "random-walk") {
      const { roots, walkLength } = opts;
      this.visited = new Int32Array(Math.min(numNodes, roots * (walkLength + 1)));
      this.drawNodes = (rng, mark) => {
        for (let r = 0; r < roots; r++) {
          let u = Math.floor(rng.next() * numNodes);
          mark(u);
          for (let step = 0; step < walkLength; step++) {
            const degree = rowStart[u + 1] - rowStart[u];
            if (degree === 0) break;
            u = col[rowStart[u] + Math.floor(rng.next() * degree)];
            mark(u);
          }
        }
      };
    } else {
      const table = new AliasTable(nodeWeights(this.csr, numNodes, opts.probability ?? "column-norm"));
      const budget = opts.budget;
      this.visited = new Int32Array(Math.min(numNodes, budget));
      this.drawNodes = (rng, mark) => { for (let b = 0; b < budget; b++) mark(table.draw(rng)); };
    }
    const root = new Rng(opts.seed ?? 0);
    const estimation = root.fork(1);
    this.rng = root.fork(2);
    this.nodeCount = new Uint16Array(numNodes);
    this.edgeCount = new Uint16Array(this.numEdges);
    for (let i = 0; i < this.preSamples; i++) {
      const d = this.draw(estimation);
      for (const v of d.nodes) this.nodeCount[v]++;
      for (const p of d.position) this.edgeCount[p]++;
    }
  }

  private readonly mark = (v: number): void => {
    if (this.stamp[v] === this.current) return;
    this.stamp[v] = this.current;
    this.visited[this.visitedCount++] = v;
  };

  private draw(rng: Rng): Draw {
    this.current++;
    this.visitedCount = 0;
    this.drawNodes(rng, this.mark);
    const nodes = this.visited.slice(0, this.visitedCount).sort();
    const { rowStart, col } = this.csr;
    let bound = 0;
    for (let i = 0; i < nodes.length; i++) {
      this.local[nodes[i]] = i;
      bound += rowStart[nodes[i] + 1] - rowStart[nodes[i]];
    }
    const src = new Int32Array(bound), dst = new Int32Array(bound), position = new Int32Array(bound);
    let e = 0;
    for (let i = 0; i < nodes.length; i++) {
      for (let k = rowStart[nodes[i]]; k < rowStart[nodes[i] + 1]; k++) {
        const v = col[k];
        if (this.stamp[v] !== this.current) continue;
        src[e] = i;
        dst[e] = this.local[v];
        position[e++] = k;
      }
    }
    return { nodes, src: src.slice(0, e), dst: dst.slice(0, e), position: position.slice(0, e) };
  }

  /** A fresh subgraph with its normalisation coefficients. */
  sample(): SaintSubgraph {
    const d = this.draw(this.rng);
    const count = (c: number) => (c > 0 ? c : UNSEEN_COUNT);
    const lossNorm = Float32Array.from(d.nodes, (v) => count(this.nodeCount[v]) / this.preSamples);
    const aggNorm = new Float32Array(d.position.length);
    for (let e = 0; e < aggNorm.length; e++) {
      aggNorm[e] = count(this.edgeCount[d.position[e]]) / count(this.nodeCount[d.nodes[d.dst[e]]]);
    }
    return { nodes: d.nodes, edges: { src: d.src, dst: d.dst }, lossNorm, aggNorm };
  }
}

/** Rows `nodes` of a row-major [numNodes, numFeatures] matrix, gathered into a new [nodes.length, numFeatures] array. */
export function subgraphFeatures(features: Float32Array, numFeatures: number, nodes: ArrayLike<number>): Float32Array {
  if (!(Number.isInteger(numFeatures) && numFeatures > 0 && features.length % numFeatures === 0)) {
    throw new Error(`subgraphFeatures: numFeatures is ${numFeatures} for ${features.length} values; allowed: a positive integer dividing the length`);
  }
  const numNodes = features.length / numFeatures;
  const out = new Float32Array(nodes.length * numFeatures);
  for (let i = 0; i < nodes.length; i++) {
    const v = nodes[i];
    if (!(Number.isInteger(v) && v >= 0 && v < numNodes)) {
      throw new Error(`subgraphFeatures: nodes[${i}] is ${v}; allowed: node ids in [0, ${numNodes})`);
    }
    out.set(features.subarray(v * numFeatures, (v + 1) * numFeatures), i * numFeatures);
  }
  return out;
}
