// Shapes of the benchmark: configurations, modes and the result of one measured (configuration, mode).
import type { SolverOptions } from "../solvers/options";

export type BenchMode = "direct" | "adjoint" | "adjoint-taped";
export const BENCH_MODES: readonly BenchMode[] = ["direct", "adjoint", "adjoint-taped"];

/**
 * The solve of a configuration. The mode sets the gradient; β is a number, as configurations cross to the
 * child processes as JSON.
 */
export type BenchSolverOptions = Required<Pick<SolverOptions, "tEnd" | "stepSize" | "method">> &
  Pick<SolverOptions, "memory" | "correctorSteps" | "history" | "tolerance" | "checkpoints"> & { beta: number };

/** What every configuration may add: the modes it runs (others do not fit), and whether to profile. */
interface BenchLimits {
  /** The modes this configuration runs (default: all); e.g. direct's tape at N = 20000 does not fit. */
  modes?: readonly BenchMode[];
  /**
   * The modes with a tf.profile step (default true: every mode). tf.profile's peak is a Math.max over one argument
   * per kernel, which overflows the call stack past ~10^5 kernels (direct's tape at N = 1000 on the small state):
   * false or a mode not listed means no profiled step, and peakBytes and kernels are NaN.
   */
  profile?: boolean | readonly BenchMode[];
  /** Timed steps when the run does not say (default 7): long solves take one. */
  repeats?: number;
  /**
   * history 'fast' only: also solve the problem value-only (no tape) with the exact and the fast history at
   * the initial parameters and report ‖y_fast(T) − y_exact(T)‖ / ‖y_exact(T)‖ (default false: the exact
   * solve is O(N²), minutes at N = 20480).
   */
  exactCheck?: boolean;
}

export interface FgrandBenchConfig extends BenchLimits {
  kind: "fgrand";
  name: string;
  dataset: "cora" | "citeseer";
  hidden: number;
  /** Adam's learning rate. */
  lr: number;
  solver: BenchSolverOptions;
}

export interface MlpBenchConfig extends BenchLimits {
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

/** The long-horizon state of issue 12: f(t, y) = tanh(y W), W [dim, dim], y0 [rows, dim], loss mean(y(T)²). */
export interface TanhBenchConfig extends BenchLimits {
  kind: "tanh";
  name: string;
  /** The state [rows, dim]; W is [dim, dim]; `hidden` (reported) is dim. */
  rows: number;
  dim: number;
  hidden: number;
  lr: number;
  solver: BenchSolverOptions;
}

export type BenchConfig = FgrandBenchConfig | MlpBenchConfig | TanhBenchConfig;

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
  /** The solve's history ('exact' when the configuration does not say). */
  history: "exact" | "fast";
  /** history 'fast': the kernel approximation's tolerance (the solver's default when not set); null for exact. */
  tolerance: number | null;
  /** history 'fast' with an adjoint: the checkpoints option as given; null when not set. */
  checkpoints: number | "auto" | null;
  /** history 'fast': the number of exponentials K of the far lags' fit; null for exact. */
  K: number | null;
  /**
   * history 'fast' with exactCheck: ‖y_fast(T) − y_exact(T)‖ / ‖y_exact(T)‖ of value-only solves at the
   * initial parameters; null when not computed.
   */
  exactRelDiff: number | null;
  /** 1-minute load average of the machine at the end of the measurement (shared machines: read beside times). */
  load1: number;
  backend: string;
  /** NODE_OPTIONS of the measuring process (its V8 flags), "" when none. */
  nodeOptions?: string;
  date: string;
}
