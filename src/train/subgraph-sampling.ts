// The mini-batch trainer's sampler settings and their defaults (no tensors here: the benchmark's parent
// process reads them to estimate a row's memory without loading the engine).
import type { NodeSamplerOptions, RandomWalkSamplerOptions, SaintSamplerOptions } from "../graph/saint-sampler";

/** Random-walk sampling with any of its options left to the defaults, the node sampler, or no sampling. */
export type SubgraphSampling =
  | ({ kind?: "random-walk" } & Partial<Omit<RandomWalkSamplerOptions, "kind">>)
  | NodeSamplerOptions
  | { kind: "full" };

/** Each node in about this many pre-samples, as GraphSAINT's sample_coverage. */
const COVERAGE = 50;

/** The most distinct nodes a subgraph can hold: roots·(walkLength + 1), or the node sampler's budget. */
export function subgraphBound(s: SaintSamplerOptions, numNodes: number): number {
  return Math.min(numNodes, s.kind === "node" ? s.budget : s.roots * (s.walkLength + 1));
}

function preSamplesFor(numNodes: number, bound: number): number {
  const b = Number.isInteger(bound) && bound > 0 ? Math.min(numNodes, bound) : numNodes;
  return Math.min(65535, Math.max(50, Math.ceil((COVERAGE * numNodes) / b)));
}

/** Default walkers per subgraph: GraphSAINT's random-walk configurations (its train_config/table2) use 1250-2000 roots on Reddit, Yelp and Amazon (2·10^5-1.6·10^6 nodes). */
export const DEFAULT_ROOTS = 2000;

/**
 * The sampler options as run: the caller's, with the defaults filled in (random walks, roots min(⌈n/10⌉, 2000),
 * walkLength 2, seed, preSamples for each node to be pre-sampled about 50 times, at least 50). With the "degree"
 * aggregation the subgraph's Â keeps spectral radius 1 at any size, so subgraphs stay small (≤ 6000 nodes) and an
 * epoch's work grows linearly in n; with "alpha", α's variance pushes it above 1 the more the smaller the
 * subgraphs (10^5 nodes: 1.5-1.9 at 25%, 2.5-3.7 at 8%): give it roots ⌈n/10⌉ (a quarter of the graph).
 */
export function resolveSampling(s: SubgraphSampling | undefined, numNodes: number, seed: number): SaintSamplerOptions | null {
  if (s?.kind === "full") return null;
  if (s?.kind === "node") {
    const node = s as NodeSamplerOptions;
    return { ...node, seed: node.seed ?? seed, preSamples: node.preSamples ?? preSamplesFor(numNodes, node.budget) };
  }
  const walk = { ...(s as Partial<RandomWalkSamplerOptions> | undefined) };
  const roots = walk.roots ?? Math.min(Math.ceil(numNodes / 10), DEFAULT_ROOTS);
  const walkLength = walk.walkLength ?? 2;
  return {
    ...walk, kind: "random-walk", roots, walkLength, seed: walk.seed ?? seed,
    preSamples: walk.preSamples ?? preSamplesFor(numNodes, roots * (walkLength + 1)),
  };
}

/** Steps per epoch by default: enough subgraphs to hold about numNodes nodes, ⌈n / subgraphBound⌉. */
export function defaultSubgraphsPerEpoch(s: SaintSamplerOptions, numNodes: number): number {
  return Math.max(1, Math.ceil(numNodes / subgraphBound(s, numNodes)));
}
