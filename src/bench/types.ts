// Shapes of the benchmark: configurations, modes and the result of one measured (configuration, mode).
import type { SolverOptions } from "../solvers/options";

export type BenchMode = "direct" | "adjoint" | "adjoint-taped";
export const BENCH_MODES: readonly BenchMode[] = ["direct", "adjoint", "adjoint-taped"];

/**
 * The solve of a configuration. The mode sets the gradient; β is a number, as configurations cross to the
 * child processes as JSON.
 */
export type BenchSolverOptions = Required<Pick<SolverOptions, "tEnd" | "stepSize" | "method">> &
  Pick<SolverOptions, "memory" | "correctorSteps"> & { beta: number };

export interface FgrandBenchConfig {
  kind: "fgrand";
  name: string;
  dataset: "cora" | "citeseer";
  hidden: number;
  /** Adam's learning rate. */
  lr: number;
  solver: BenchSolverOptions;
}

export interface MlpBenchConfig {
  kind: "mlp";
  name: string;
  /** State [rows, dim]; the field's hidden width. */
  rows: number;
  dim: number;
  hidden: number;
  /** Adam's learning rate. */
  lr: number;
  solver: BenchSolverOptions;
}

export type BenchConfig = FgrandBenchConfig | MlpBenchConfig;

/** Milliseconds of one step by phase; f and vjp are the time spent inside the vector field's calls. */
export interface StepBreakdown {
  forwardMs: number;
  forwardFieldMs: number;
  backwardMs: number;
  backwardFieldMs: number;
  backwardVjpMs: number;
  updateMs: number;
}

export interface BenchResult {
  config: string;
  mode: BenchMode;
  n: number;
  hidden: number;
  threads: string;
  /** tf.profile peak tensor bytes of one training step above the bytes live at its start. */
  peakBytes: number;
  /** Peak resident set size of the process above its baseline after set-up (MB = 2^20 bytes). */
  rssPeakMB: number;
  stepMsMedian: number;
  stepMsMin: number;
  stepMsMax: number;
  stepMs: number[];
  /** ‖g_adjoint − g_direct‖ / ‖g_direct‖ over all parameters at the same point (NaN when not checked). */
  gradRelDiff: number;
  /** Kernels run by the profiled step. */
  kernels: number;
  /** The profiled step's kernels by name, the most time-consuming first (tf.profile's kernel times). */
  topKernels: { name: string; count: number; ms: number }[];
  /** Medians over the timed steps, per phase. */
  breakdown: StepBreakdown;
  loss: number;
  setupMs: number;
  /** 1-minute load average of the machine at the end of the measurement (shared machines: read beside times). */
  load1: number;
  backend: string;
  date: string;
}
