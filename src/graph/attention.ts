// Multi-head scaled dot-product attention on the edges of a graph (GRAND's attention, used by F-GRAND-l).
import { tf } from "../backend";
import { nativeBinding, typeAttr } from "../tfjs-internals";
import { runNative } from "../native-ops";
import type { SparseGraph } from "./sparse-matmul";

type Tensor1D = ReturnType<typeof tf.tensor1d>;
type Tensor2D = ReturnType<typeof tf.tensor2d>;

export interface AttentionParams {
  /** Key and query projections [F, heads * dk] (and optional biases [heads * dk]). */
  wK: Tensor2D;
  wQ: Tensor2D;
  bK?: Tensor1D;
  bQ?: Tensor1D;
  heads: number;
}

function segmentMaxNative(scores: Tensor2D, ids: Tensor1D, n: number): Tensor2D | null {
  const b = nativeBinding();
  if (!b) return null;
  return tf.tidy(() => runNative(b, "UnsortedSegmentMax", [
    typeAttr(b, "T", b.binding.TF_FLOAT), typeAttr(b, "Tindices", b.binding.TF_INT32), typeAttr(b, "Tnumsegments", b.binding.TF_INT32),
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
