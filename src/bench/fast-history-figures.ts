// The fast history's figures of a benchmark row: K, the number of exponentials of the far lags' fit
// (docs/design.md §2), and how far the fast solution lies from the exact one.
import { tf } from "../backend";
import { relativeDifference } from "../analysis/relative-difference";
import { DEFAULT_TOLERANCE, exponentialFit } from "../solvers/exponential-fit";
import { stepsOf } from "./configs";
import type { Problem } from "./problem";
import type { BenchConfig } from "./types";

/** K of the configuration's fast history (the fit the solve builds, from the same cache); null for exact. */
export function kernelCount(c: BenchConfig): number | null {
  const s = c.solver;
  if ((s.history ?? "exact") !== "fast") return null;
  return exponentialFit(s.method, s.beta, stepsOf(c), s.stepSize, s.tolerance ?? DEFAULT_TOLERANCE).decay.length;
}

/**
 * ‖y_fast(T) − y_exact(T)‖ / ‖y_exact(T)‖ of two value-only solves (no tape, no gradient) of the problem at its
 * current parameters; checkpoints (an adjoint's option) do not change the forward solution and are left out.
 */
export function fastVsExact(p: Problem, c: BenchConfig): number {
  if (!p.finalState) {
    throw new Error(`exactCheck: ${c.name} is of kind "${c.kind}", which has no value-only solve; allowed: kinds mlp, tanh`);
  }
  const { checkpoints: _checkpoints, tolerance, history: _history, ...common } = c.solver;
  const fast = p.finalState({ ...common, history: "fast", ...(tolerance !== undefined ? { tolerance } : {}) });
  try {
    const exact = p.finalState({ ...common, history: "exact" });
    try {
      return relativeDifference([fast], [exact]);
    } finally {
      exact.dispose();
    }
  } finally {
    fast.dispose();
  }
}
