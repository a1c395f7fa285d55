import type { Tensor, Variable } from "@tensorflow/tfjs";

export type Method = "predictor" | "corrector" | "l1" | "gl" | "trapezoid";
export const METHODS: Method[] = ["predictor", "corrector", "l1", "gl", "trapezoid"];

/** The right-hand side of D^β y = f(t, y): returns a tensor of y's shape and dtype. */
export type VectorField = ((t: number, y: Tensor) => Tensor) & {
  /**
   * Optional hand-written vector-Jacobian product, used by the adjoint instead of taping f:
   * returns (∂f/∂y)ᵀ·cotangent, for each tensor of `params` (∂f/∂p)ᵀ·cotangent (null = none), and f(t, y)
   * as `value` when `needValue` is true (only the gradient of a learnable β needs it).
   */
  vjp?: (t: number, y: Tensor, cotangent: Tensor, params: Tensor[], needValue: boolean) => Vjp;
};

/** One vector-Jacobian product of f at (t, y) with a cotangent c. */
export interface Vjp {
  /** f(t, y), when asked for. */
  value?: Tensor;
  /** (∂f/∂y)ᵀ c. */
  y: Tensor;
  /** (∂f/∂p)ᵀ c for each tensor p of `params` (null: f does not read p). */
  params: (Tensor | null)[];
}

/** The options of fdeint: the order, the grid, the scheme and what to return. */
export interface FdeOptions {
  /** Order 0 < β <= 1; a scalar tf.Variable makes it learnable. */
  beta: number | Variable;
  /** Integrate over [0, tEnd]. */
  tEnd: number;
  /** Step h; tEnd / h must be a whole number. */
  stepSize: number;
  method?: Method;
  /** Short-memory window in steps (default: the full history). */
  memory?: number;
  /** Grid times to return, stacked on a new axis 0 (default: only y(tEnd)). */
  times?: number[];
  /** 'corrector' only: number of corrections per step (default 1). */
  correctorSteps?: number;
  /**
   * 'exact' (default): every history sum in full; 'fast': the last 32 lags exact and the older ones by a
   * sum of exponentials (O(K) per step; methods predictor, l1, gl).
   */
  history?: "exact" | "fast";
  /** history 'fast' only: the largest relative error of the kernel approximation (default 1e-6, at least 1e-7). */
  tolerance?: number;
  /**
   * history 'fast' with an adjoint only: keep the states and the fast history at this many steps (or about
   * √(N / (K + 33)) with 'auto') and recompute each segment in the reverse sweep (docs/design.md §3).
   */
  checkpoints?: number | "auto";
}

/** The options of fdeintAdjoint: fdeint's, the tensors that need gradients, and which adjoint. */
export interface AdjointOptions extends FdeOptions {
  /** Every tensor f reads that needs a gradient (variables, and tensors computed from them outside f). */
  params: Tensor[];
  /** 'discrete' (default): the exact gradient of the discrete solve; 'continuous': the paper's backward FDE. */
  adjoint?: "discrete" | "continuous";
}
