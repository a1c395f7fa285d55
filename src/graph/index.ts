export { makeScaledSparse, makeSparse, spmm } from "./sparse-matmul";
export type { SparseGraph, SpmmOptions } from "./sparse-matmul";
export { withSelfLoops, inDegrees, gcnNormalizedAdjacency, attentionGraph } from "./adjacency";
export type { EdgeList } from "./adjacency";
export { diffusion } from "./diffusion";
export { dirichletEnergy } from "./energy";
export { edgeAttention, segmentSoftmax } from "./attention";
export type { AttentionParams } from "./attention";
