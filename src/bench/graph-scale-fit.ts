// Whether a graph-scale row fits before it runs: an estimate of the process's peak memory from the sizes
// alone, held to a memory budget. The coefficients count float32 [nodes, hidden] states per solver step: a
// training step's from tf.profile's peak (G-CSBM-N10000 and -N100000 agree: direct 21-22, adjoint 5.1), the
// full-graph evaluation's (16 of the 64 hidden channels per solve) from a mini-batch run at 10^6 nodes, whose
// evaluations added 1.8 GB to a 0.3 GB training peak (0.8; at 10^5 the runtime's own growth makes it 2.2); the set-up (host
// features, edges, the model's Â, the runtime) as measured at both sizes. At 10^5 the measured RSS was 0.8x
// (direct) and 1.6x (adjoint) of these estimates: a row near the budget is left to the child's RSS watch.
import * as os from "node:os";
import { resolveSampling, subgraphBound } from "../train/subgraph-sampling";
import type { GraphScaleConfig, GraphScaleMode } from "./graph-scale-types";

const MB = 2 ** 20;

/** Peak bytes / (nodes · hidden · N · 4): a training step's tape, and the untaped forward of an evaluation. */
export const STATE_COPIES = { direct: 21, adjoint: 5.1, eval: 0.8 } as const;
/** Set-up bytes beyond the host features: per directed edge (edge lists, CSR, Â's tensors) and the runtime's own. */
const SETUP_BYTES_PER_EDGE = 60;
const RUNTIME_MB = 400;

/** The default memory budget: 75% of this machine's memory (24 GB: 18 GB). */
export function defaultBudgetMB(): number {
  return Math.floor((0.75 * os.totalmem()) / MB);
}

export interface MemoryEstimate {
  /** Estimated peak RSS of the whole child process (set-up included), MB. */
  totalMB: number;
  setupMB: number;
  trainMB: number;
  evalMB: number;
}

/** The peak memory a (configuration, mode) is expected to need, from its sizes. */
export function estimateMemory(c: GraphScaleConfig, mode: GraphScaleMode): MemoryEstimate {
  const { nodes, features, avgDegree } = c.graph;
  const n = Math.round(c.solver.tEnd / c.solver.stepSize);
  const state = (rows: number) => rows * c.hidden * n * 4;
  const featureBytes = (rows: number) => rows * features * 4;
  const setup = featureBytes(nodes) + nodes * avgDegree * SETUP_BYTES_PER_EDGE + RUNTIME_MB * MB;
  let train: number;
  if (mode === "minibatch-adjoint") {
    const rows = subgraphBound(resolveSampling(c.sampler ?? {}, nodes, 0)!, nodes);
    train = STATE_COPIES.adjoint * state(rows) + featureBytes(rows);
  } else {
    train = STATE_COPIES[mode] * state(nodes) + featureBytes(nodes);
  }
  const evalBytes = STATE_COPIES.eval * state(nodes) + featureBytes(Math.min(nodes, 16384));
  return { totalMB: (setup + Math.max(train, evalBytes)) / MB, setupMB: setup / MB, trainMB: train / MB, evalMB: evalBytes / MB };
}

/** A size given in MB, as GB with one decimal from 1 GB up, else whole MB. */
export function formatMB(mb: number): string {
  return mb >= 1024 ? `${(mb / 1024).toFixed(1)} GB` : `${mb.toFixed(0)} MB`;
}

export type FitDecision = { fits: true; estimateMB: number } | { fits: false; estimateMB: number; reason: string };

/** Runs the row only when its estimated peak stays within the budget; otherwise the reason, with the figures. */
export function fitDecision(c: GraphScaleConfig, mode: GraphScaleMode, budgetMB = defaultBudgetMB()): FitDecision {
  const e = estimateMemory(c, mode);
  const gb = formatMB;
  if (e.totalMB <= budgetMB) return { fits: true, estimateMB: e.totalMB };
  const part = e.trainMB >= e.evalMB ? `training step ${gb(e.trainMB)}` : `full-graph evaluation ${gb(e.evalMB)}`;
  return {
    fits: false, estimateMB: e.totalMB,
    reason: `estimated peak ${gb(e.totalMB)} (set-up ${gb(e.setupMB)} + ${part}) > memory budget ${gb(budgetMB)}`,
  };
}
