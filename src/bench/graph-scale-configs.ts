// The graph-scale suite's configurations: F-GRAND-l (H 64, β 0.85, predictor, T 10, h 1: N = 10) on CSBM graphs
// of 10^4, 10^5 and 10^6 nodes — average degree 10, 128 features, 5 classes, homophily 0.8, class means at
// distance 1 (in noise standard deviations), 5% of the nodes labelled for training (n/100 per class; with
// Planetoid's 20 per class a 10^6-node graph would leave most GraphSAINT subgraphs without a training node),
// validation 500 and test 1000 nodes. At 10^4 nodes the features alone are weak and the graph lifts 30 epochs
// of training to about 0.9 test accuracy: neither trivial nor chance (0.2). Every mode trains 30 epochs.
import { resolveByName, selectByName } from "./by-name";
import type { GraphScaleConfig } from "./graph-scale-types";

const MINUTE = 60_000;

const csbmRow = (nodes: number, timeoutMs: number): GraphScaleConfig => ({
  kind: "graph-scale", name: `G-CSBM-N${nodes}`,
  graph: { nodes, classes: 5, avgDegree: 10, homophily: 0.8, features: 128, signal: 1, seed: 1, trainPerClass: nodes / 100 },
  hidden: 64, inputDropout: 0.5, dropout: 0, lr: 0.01,
  solver: { beta: 0.85, tEnd: 10, stepSize: 1, method: "predictor" },
  epochs: 30, evalEvery: 5, timeoutMs,
});

export const GRAPH_SCALE_CONFIGS: readonly GraphScaleConfig[] = [
  csbmRow(10_000, 20 * MINUTE), csbmRow(100_000, 90 * MINUTE), csbmRow(1_000_000, 240 * MINUTE),
];

/** Names of the graph-scale configurations start with "G-" (the step-timing suites' never do). */
export function isGraphScaleName(name: string): boolean {
  return name.startsWith("G-");
}

/** Graph-scale configurations by name or prefix ("G-CSBM": all three). */
export function selectGraphScaleConfigs(names: string[]): GraphScaleConfig[] {
  return selectByName(GRAPH_SCALE_CONFIGS, names, "graph-scale configuration", ["G-CSBM"]);
}

/** A graph-scale configuration by name, or the object itself (tests pass small ones). */
export function resolveGraphScaleConfig(config: GraphScaleConfig | string): GraphScaleConfig {
  return resolveByName(GRAPH_SCALE_CONFIGS, config);
}
