// Graph operators for the FROND models: GCN normalisation, propagation, the GRAND diffusion field,
// Dirichlet energy (oversmoothing), and F-GRAND-l's multi-head attention on the edges.
import { tf } from "../backend";
import { makeSparse, spmm, SparseGraph } from "./sparse-matmul";

export { makeSparse, spmm } from "./sparse-matmul";
export type { SparseGraph, SpmmOptions } from "./sparse-matmul";

type Tensor = ReturnType<typeof tf.tensor>;
type Tensor1D = ReturnType<typeof tf.tensor1d>;
type Tensor2D = ReturnType<typeof tf.tensor2d>;
type Scalar = ReturnType<typeof tf.scalar>;

export interface EdgeList { src: Int32Array | number[]; dst: Int32Array | number[] }

/** The edges without self loops, plus one self loop per node (appended after them). */
export function withSelfLoops(edges: EdgeList, numNodes: number): { src: Int32Array; dst: Int32Array } {
  const keep: number[] = [];
  for (let e = 0; e < edges.src.length; e++) if (edges.src[e] !== edges.dst[e]) keep.push(e);
  const src = new Int32Array(keep.length + numNodes);
  const dst = new Int32Array(keep.length + numNodes);
  keep.forEach((e, k) => { src[k] = edges.src[e]; dst[k] = edges.dst[e]; });
  for (let i = 0; i < numNodes; i++) { src[keep.length + i] = i; dst[keep.length + i] = i; }
  return { src, dst };
}

/** Number of incoming edges of each node (self loops excluded). */
export function inDegrees(edges: EdgeList, numNodes: number): Float64Array {
  const deg = new Float64Array(numNodes);
  for (let e = 0; e < edges.dst.length; e++) if (edges.src[e] !== edges.dst[e]) deg[edges.dst[e]] += 1;
  return deg;
}

/**
 * Kipf & Welling's renormalised adjacency D̃^-1/2 (A + I) D̃^-1/2, D̃ = diag(1 + d_i), as a sparse graph.
 * Self loops already in `edges` are replaced by the single added one; give a symmetric, de-duplicated list.
 */
export function gcnNormalizedAdjacency(edges: EdgeList, numNodes: number): SparseGraph {
  const { src, dst } = withSelfLoops(edges, numNodes);
  const deg = inDegrees({ src, dst }, numNodes);
  const values = new Float32Array(src.length);
  for (let e = 0; e < src.length; e++) values[e] = 1 / Math.sqrt((1 + deg[src[e]]) * (1 + deg[dst[e]]));
  return makeSparse(src, dst, values, numNodes);
}

/** A X (messages from src to dst). `values` overrides the graph's edge values (e.g. attention weights). */
export function propagate(graph: SparseGraph, X: Tensor, values?: Tensor1D): Tensor2D {
  return spmm(graph, X, values);
}

/** The GRAND diffusion field (A - I) X (Chamberlain et al. 2021, eq. 3), used by F-GRAND-l as f(t, X). */
export function diffusion(graph: SparseGraph, X: Tensor, values?: Tensor1D): Tensor2D {
  return tf.tidy(() => tf.sub(spmm(graph, X, values), X) as Tensor2D);
}

/**
 * Dirichlet energy E(X) = ½ Σ_(i,j) ||x_i/√(1+d_i) − x_j/√(1+d_j)||² over the directed (i.e. each undirected
 * edge twice) non-self-loop edges of `graph`, with d the in-degrees — tr(Xᵀ Δ̃ X) for the GCN-normalised
 * Laplacian (Cai & Wang 2020). normalize (default true) divides by the number of nodes.
 * Returns a differentiable scalar tensor.
 */
export function dirichletEnergy(X: Tensor, graph: SparseGraph, opts: { normalize?: boolean } = {}): Scalar {
  if (X.rank !== 2 || X.shape[0] !== graph.numNodes) {
    throw new Error(`dirichletEnergy: X has shape [${X.shape}]; allowed: [${graph.numNodes}, H]`);
  }
  const edges = { src: graph.cols, dst: graph.rows };
  const deg = inDegrees(edges, graph.numNodes);
  const kept: number[] = [];
  for (let e = 0; e < graph.numEdges; e++) if (graph.rows[e] !== graph.cols[e]) kept.push(e);
  return tf.tidy(() => {
    const scale = tf.tensor2d(Float32Array.from(deg, (d) => 1 / Math.sqrt(1 + d)), [graph.numNodes, 1]);
    const Y = tf.mul(X, scale);
    const rows = tf.tensor1d(kept.map((e) => graph.rows[e]), "int32");
    const cols = tf.tensor1d(kept.map((e) => graph.cols[e]), "int32");
    const diff = tf.sub(tf.gather(Y, rows), tf.gather(Y, cols));
    const energy = tf.mul(0.5, tf.sum(tf.square(diff)));
    return ((opts.normalize ?? true) ? tf.div(energy, graph.numNodes) : energy) as Scalar;
  });
}

export interface AttentionParams {
  /** Key and query projections [F, heads * dk] (and optional biases [heads * dk]). */
  wK: Tensor2D;
  wQ: Tensor2D;
  bK?: Tensor1D;
  bQ?: Tensor1D;
  heads: number;
}

function segmentMaxNative(scores: Tensor2D, ids: Tensor1D, n: number): Tensor2D | null {
  if (tf.getBackend() !== "tensorflow") return null;
  const b = tf.backend() as unknown as {
    binding: Record<string, number>;
    executeSingleOutput(name: string, attrs: unknown[], inputs: Tensor[]): Tensor;
  };
  const type = (name: string, value: number) => ({ name, type: b.binding.TF_ATTR_TYPE, value });
  return tf.tidy(() => b.executeSingleOutput("UnsortedSegmentMax", [
    type("T", b.binding.TF_FLOAT), type("Tindices", b.binding.TF_INT32), type("Tnumsegments", b.binding.TF_INT32),
  ], [scores, ids, tf.scalar(n, "int32")]) as Tensor2D);
}

function segmentMaxHost(scores: Tensor2D, rows: Int32Array, n: number): Tensor2D {
  const [E, H] = scores.shape;
  const s = scores.dataSync();
  const m = new Float32Array(n * H).fill(-Infinity);
  for (let e = 0; e < E; e++) for (let h = 0; h < H; h++) m[rows[e] * H + h] = Math.max(m[rows[e] * H + h], s[e * H + h]);
  return tf.tensor2d(m, [n, H]);
}

/**
 * Softmax of scores [E, H] over the edges that share a target row (graph.rows), per column. The per-row
 * max is subtracted as a constant (softmax is shift-invariant), so no gradient runs through it.
 */
export function segmentSoftmax(scores: Tensor2D, graph: SparseGraph): Tensor2D {
  return tf.tidy(() => {
    const max = segmentMaxNative(scores, graph.rowIdx, graph.numNodes) ?? segmentMaxHost(scores, graph.rows, graph.numNodes);
    const ex = tf.exp(tf.sub(scores, tf.gather(max, graph.rowIdx)));
    const denom = tf.unsortedSegmentSum(ex, graph.rowIdx, graph.numNodes);
    return tf.div(ex, tf.gather(denom, graph.rowIdx)) as Tensor2D;
  });
}

function project(X: Tensor2D, w: Tensor2D, b: Tensor1D | undefined): Tensor2D {
  const y = tf.matMul(X, w);
  return (b ? tf.add(y, b) : y) as Tensor2D;
}

/**
 * F-GRAND-l's attention on the edges of `graph` (give it self loops, e.g. from withSelfLoops): for edge
 * j -> i, per head softmax over i's incoming edges of (W_K x_i)ᵀ(W_Q x_j)/√d_k (GRAND, Chamberlain et al.
 * 2021, eq. 7, with the √d_k of its code), averaged over heads. Returns [E]; differentiable in X0 and W.
 */
export function edgeAttention(X0: Tensor2D, graph: SparseGraph, p: AttentionParams): Tensor1D {
  const width = p.wK.shape[1];
  if (!Number.isInteger(p.heads) || p.heads <= 0 || width % p.heads !== 0) {
    throw new Error(`edgeAttention: heads is ${p.heads}; allowed: a positive integer dividing wK's width ${width}`);
  }
  if (p.wQ.shape[1] !== width || p.wK.shape[0] !== X0.shape[1] || p.wQ.shape[0] !== X0.shape[1]) {
    throw new Error(`edgeAttention: wK [${p.wK.shape}] and wQ [${p.wQ.shape}] must both be [${X0.shape[1]}, heads * dk]`);
  }
  const dk = width / p.heads;
  return tf.tidy(() => {
    const k = tf.reshape(tf.gather(project(X0, p.wK, p.bK), graph.rowIdx), [graph.numEdges, p.heads, dk]);
    const q = tf.reshape(tf.gather(project(X0, p.wQ, p.bQ), graph.colIdx), [graph.numEdges, p.heads, dk]);
    const scores = tf.div(tf.sum(tf.mul(k, q), 2), Math.sqrt(dk)) as Tensor2D;
    return tf.mean(segmentSoftmax(scores, graph), 1) as Tensor1D;
  });
}

/** A sparse graph with self loops whose edge values are filled in per call (spmm's `values`), for attention. */
export function attentionGraph(edges: EdgeList, numNodes: number): SparseGraph {
  const { src, dst } = withSelfLoops(edges, numNodes);
  return makeSparse(src, dst, new Float32Array(src.length).fill(1), numNodes);
}
