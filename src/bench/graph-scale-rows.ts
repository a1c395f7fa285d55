// The graph-scale rows that carry no measurement (a row that did not fit, or whose child failed), and the
// mode check every entry shares; free of the engine, for the parent process.
import * as os from "node:os";
import { GRAPH_SCALE_MODES, type GraphScaleConfig, type GraphScaleMode, type GraphScaleResult } from "./graph-scale-types";

export function checkGraphScaleMode(c: GraphScaleConfig, mode: GraphScaleMode): void {
  if (!GRAPH_SCALE_MODES.includes(mode)) throw new Error(`mode is "${mode}"; allowed: ${GRAPH_SCALE_MODES.join(", ")}`);
  if (c.modes && !c.modes.includes(mode)) throw new Error(`${c.name} runs in mode ${c.modes.join(", ")} only; mode "${mode}" is not one`);
}

/** A row without measurements: every measured field null. */
export function unmeasuredRow(c: GraphScaleConfig, mode: GraphScaleMode, status: "did-not-fit" | "failed", reason: string,
  estimateMB: number, budgetMB: number, threads = "default"): GraphScaleResult {
  return {
    suite: "graph-scale", config: c.name, mode, status, reason, nodes: c.graph.nodes, hidden: c.hidden,
    n: Math.round(c.solver.tEnd / c.solver.stepSize), threads, estimateMB, budgetMB, edges: null, baselineMB: null, rssPeakMB: null,
    rssTrainPeakMB: null, peakBytes: null, msPerEpoch: null, msPerEval: null, epochs: null, subgraphsPerEpoch: null, meanSubgraphNodes: null,
    testAcc: null, bestValAcc: null, bestEpoch: null, finalLoss: null, evals: null, setupMs: null, load1: os.loadavg()[0], backend: null,
    date: new Date().toISOString(),
  };
}
