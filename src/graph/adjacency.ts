// Edge lists and the GCN-normalised adjacency (Kipf & Welling 2017) as sparse graphs.
import { makeScaledSparse, makeSparse, type SparseGraph } from "./sparse-matmul";

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
  const scale = gcnScale(edges, numNodes);
  return makeScaledSparse(src, dst, { row: scale, col: scale }, numNodes);
}

/** The GCN Â's factor per node, 1 / √(1 + d_i) (d_i: incoming edges, self loops excluded): Â[i, j] = s_i s_j. */
export function gcnScale(edges: EdgeList, numNodes: number): Float32Array {
  return Float32Array.from(inDegrees(edges, numNodes), (d) => 1 / Math.sqrt(1 + d));
}

/** A sparse graph with self loops whose edge values are filled in per call (spmm's `values`), for attention. */
export function attentionGraph(edges: EdgeList, numNodes: number): SparseGraph {
  const { src, dst } = withSelfLoops(edges, numNodes);
  return makeSparse(src, dst, new Float32Array(src.length).fill(1), numNodes);
}
