// The propagation matrix of a GraphSAINT subgraph (Zeng et al., "GraphSAINT", ICLR 2020, §3.2): each of the
// subgraph's edges u → v keeps the full graph's GCN entry Â[v, u] = s_v s_u (degrees of the full graph) divided
// by its aggregator normalisation α_{u,v} = C_{u,v} / C_v, so that the aggregation at a sampled v is an unbiased
// estimate of the full graph's; the self loops keep Â[v, v] = s_v² (α = 1: a sampled v always sees itself).
// α is floored at λ_u = C_u / N (a neighbour of a sampled v is at least about as likely to be sampled as it is
// at all): an edge pre-sampled a few times or never (count 0.1) otherwise gets 1/α in the hundreds, and the
// subgraph's Â a spectral radius of 4 to 40 (10^5 nodes, 8% subgraphs, 556 pre-samples), which a diffusion to
// T = 10 amplifies without bound. GraphSAINT's code clips 1/α too (at 10^4).
import { makeSparse, type SparseGraph } from "./sparse-matmul";
import type { SaintSubgraph } from "./saint-sampler";

/** The subgraph's Â / max(α, λ_src) in local ids, self loops appended after the edges. `scale` is the full graph's gcnScale. Call dispose(). */
export function saintAdjacency(sub: SaintSubgraph, scale: Float32Array): SparseGraph {
  const { nodes, edges, aggNorm, lossNorm } = sub;
  const n = nodes.length;
  if (aggNorm.length !== edges.src.length || edges.dst.length !== edges.src.length) {
    throw new Error(`saintAdjacency: ${edges.src.length} sources, ${edges.dst.length} destinations and ${aggNorm.length} aggNorm values; allowed: one each per edge`);
  }
  if (lossNorm.length !== n) throw new Error(`saintAdjacency: ${lossNorm.length} lossNorm values for ${n} nodes; allowed: one per node`);
  let kept = 0;
  for (let e = 0; e < edges.src.length; e++) if (edges.src[e] !== edges.dst[e]) kept++;
  const src = new Int32Array(kept + n), dst = new Int32Array(kept + n), values = new Float32Array(kept + n);
  for (let e = 0, k = 0; e < edges.src.length; e++) {
    const u = edges.src[e], v = edges.dst[e];
    if (u === v) continue;
    src[k] = u;
    dst[k] = v;
    values[k++] = (scale[nodes[v]] * scale[nodes[u]]) / Math.max(aggNorm[e], lossNorm[u]);
  }
  for (let i = 0; i < n; i++) {
    src[kept + i] = i;
    dst[kept + i] = i;
    values[kept + i] = scale[nodes[i]] * scale[nodes[i]];
  }
  return makeSparse(src, dst, values, n);
}
