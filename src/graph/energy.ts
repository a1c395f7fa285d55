// Dirichlet energy of node features over a graph: the oversmoothing measure of FROND's analysis.
import { tf } from "../backend";
import { inDegrees } from "./adjacency";
import type { SparseGraph } from "./sparse-matmul";

type Tensor = ReturnType<typeof tf.tensor>;
type Scalar = ReturnType<typeof tf.scalar>;

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
