// The propagation matrix of a GraphSAINT subgraph, two ways of rescaling the full graph's GCN entries
// Â[v, u] = s_v s_u (degrees of the full graph, self loops counted) on the subgraph's edges u → v:
// - "alpha" (Zeng et al., "GraphSAINT", ICLR 2020, §3.2): each edge divided by its aggregator normalisation
//   α_{u,v} = C_{u,v} / C_v, an unbiased estimate of the full graph's aggregation at a sampled v; the self loops
//   keep s_v² (α = 1). α is floored at λ_u = C_u / N: an edge pre-sampled a few times or never (count 0.1)
//   otherwise gets 1/α in the hundreds, and the subgraph's Â a spectral radius of 4 to 40 (10^5 nodes, 8%
//   subgraphs, 556 pre-samples), which a diffusion to T = 10 amplifies without bound.
// - "degree" (the neighbour-sampling estimator of Chen, Zhu, Song, "Stochastic Training of Graph Convolutional
//   Networks with Variance Reduction", ICML 2018, §3: n(v)/D times the sampled sum): row v times d_v / d_v^sub,
//   the full graph's degree over the subgraph's. Then Â_sub = S⁻¹ D_sub⁻¹ (A_sub + I) S with S = diag(s), similar
//   to a row-stochastic matrix: its spectral radius is 1, as the full Â's, whatever the subgraph's size.
import { makeSparse, type SparseGraph } from "./sparse-matmul";
import type { SaintSubgraph } from "./saint-sampler";

export const SUBGRAPH_AGGREGATIONS = ["degree", "alpha"] as const;
export type SubgraphAggregation = (typeof SUBGRAPH_AGGREGATIONS)[number];

/** The subgraph's rescaled Â in local ids, self loops appended after the edges. `scale` is the full graph's gcnScale. Call dispose(). */
export function saintAdjacency(sub: SaintSubgraph, scale: Float32Array, aggregation: SubgraphAggregation = "degree"): SparseGraph {
  const { nodes, edges, aggNorm, lossNorm } = sub;
  const n = nodes.length;
  if (!SUBGRAPH_AGGREGATIONS.includes(aggregation)) {
    throw new Error(`saintAdjacency: aggregation is ${JSON.stringify(aggregation)}; allowed: ${SUBGRAPH_AGGREGATIONS.map((a) => `"${a}"`).join(", ")}`);
  }
  if (aggNorm.length !== edges.src.length || edges.dst.length !== edges.src.length) {
    throw new Error(`saintAdjacency: ${edges.src.length} sources, ${edges.dst.length} destinations and ${aggNorm.length} aggNorm values; allowed: one each per edge`);
  }
  if (lossNorm.length !== n) throw new Error(`saintAdjacency: ${lossNorm.length} lossNorm values for ${n} nodes; allowed: one per node`);
  let kept = 0;
  const subDegree = new Float64Array(n).fill(1);
  for (let e = 0; e < edges.src.length; e++) {
    if (edges.src[e] === edges.dst[e]) continue;
    kept++;
    subDegree[edges.dst[e]]++;
  }
  const rowScale = Float64Array.from(subDegree, (d, v) => (aggregation === "degree" ? 1 / (scale[nodes[v]] ** 2 * d) : 1));
  const src = new Int32Array(kept + n), dst = new Int32Array(kept + n), values = new Float32Array(kept + n);
  for (let e = 0, k = 0; e < edges.src.length; e++) {
    const u = edges.src[e], v = edges.dst[e];
    if (u === v) continue;
    src[k] = u;
    dst[k] = v;
    const entry = scale[nodes[v]] * scale[nodes[u]];
    values[k++] = aggregation === "degree" ? entry * rowScale[v] : entry / Math.max(aggNorm[e], lossNorm[u]);
  }
  for (let i = 0; i < n; i++) {
    src[kept + i] = i;
    dst[kept + i] = i;
    values[kept + i] = scale[nodes[i]] * scale[nodes[i]] * rowScale[i];
  }
  return makeSparse(src, dst, values, n);
}
