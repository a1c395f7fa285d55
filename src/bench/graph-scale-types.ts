// Shapes of the graph-scale suite: F-GRAND-l trained for a fixed number of epochs on CSBM graphs of growing
// size, full batch (direct or adjoint) and on GraphSAINT subgraphs (adjoint), one row per (configuration, mode).
import type { CsbmOptions } from "../data/csbm";
import type { RandomWalkSamplerOptions } from "../graph/saint-sampler";
import type { BenchSolverOptions } from "./types";

export type GraphScaleMode = "direct" | "adjoint" | "minibatch-adjoint";
export const GRAPH_SCALE_MODES: readonly GraphScaleMode[] = ["direct", "adjoint", "minibatch-adjoint"];

export interface GraphScaleConfig {
  kind: "graph-scale";
  name: string;
  /** The CSBM graph (set-up: generated before the measurement). */
  graph: CsbmOptions;
  hidden: number;
  inputDropout: number;
  dropout: number;
  /** Adam's learning rate; weight decay is the trainer's default (5e-4). */
  lr: number;
  solver: BenchSolverOptions;
  /** Epochs of every mode: full batch takes one step per epoch, mini-batch one pass of subgraphsPerEpoch subgraphs. */
  epochs: number;
  /** Validation and test accuracy on the full graph every k epochs (and after the last). */
  evalEvery: number;
  /** The mini-batch mode's random-walk sampler; what is left out takes the trainer's defaults. */
  sampler?: Partial<Omit<RandomWalkSamplerOptions, "kind">>;
  /** A row still running after this many ms is killed and reported as not fitting. */
  timeoutMs: number;
  /** The modes this configuration runs (default: all three). */
  modes?: readonly GraphScaleMode[];
}

export type GraphScaleStatus = "ok" | "did-not-fit" | "failed";

export interface GraphScaleResult {
  /** Tells these lines from the step-timing suites' in --json output. */
  suite: "graph-scale";
  config: string;
  mode: GraphScaleMode;
  status: GraphScaleStatus;
  /** Why the row did not fit or failed; null when ok. */
  reason: string | null;
  nodes: number;
  hidden: number;
  /** Solver steps N = tEnd / h. */
  n: number;
  threads: string;
  /** The estimate of the process's peak memory the fit decision read (MB), and the budget it was held to. */
  estimateMB: number;
  budgetMB: number;
  /** Measured rows only (null otherwise): */
  /** Directed edges of the graph (symmetric, no self loops). */
  edges: number | null;
  /** Resident set size after set-up (graph, model, sampler, features), in MB. */
  baselineMB: number | null;
  /**
   * Peak RSS above that baseline over the whole run (training passes and full-graph evaluations), and over the
   * training passes before the first evaluation (MB = 2^20 bytes).
   */
  rssPeakMB: number | null;
  rssTrainPeakMB: number | null;
  /** tf.profile peak tensor bytes of the first training step above the bytes live before it. */
  peakBytes: number | null;
  /** Training pass per epoch (evaluation excluded), and one full-graph evaluation, in ms. */
  msPerEpoch: number | null;
  msPerEval: number | null;
  epochs: number | null;
  subgraphsPerEpoch: number | null;
  meanSubgraphNodes: number | null;
  /** Test accuracy at the evaluation with the best validation accuracy, and that validation accuracy. */
  testAcc: number | null;
  bestValAcc: number | null;
  bestEpoch: number | null;
  finalLoss: number | null;
  /** The evaluations: epoch, validation and test accuracy. */
  evals: { epoch: number; valAcc: number; testAcc: number }[] | null;
  setupMs: number | null;
  load1: number;
  backend: string | null;
  date: string;
}
