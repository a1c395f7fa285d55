// A benchmark problem: trainable variables and a loss whose solve runs in the chosen mode. The vector
// field is wrapped so that the time spent inside f and inside its vjp can be read per step.
import type { Scalar, Tensor, Variable } from "@tensorflow/tfjs";
import type { Gradient } from "../solvers/options";
import type { VectorField } from "../solvers/types";
import type { BenchMode, BenchSolverOptions } from "./types";

export interface FieldTimers {
  fieldMs: number;
  vjpMs: number;
}

export interface Problem {
  variables: Variable[];
  loss(mode: BenchMode): Scalar;
  timers: FieldTimers;
  /** y(T) of a value-only solve (fdeint outside any gradient scope: no tape) with these options, at the current parameters. */
  finalState?(solver: BenchSolverOptions): Tensor;
  dispose(): void;
}

/** What a mode means for the solve: its gradient strategy, and whether the adjoint uses f's own vjp. */
export interface ModeSolve {
  gradient: Gradient;
  handVjp: boolean;
}

/** The one map from bench modes to solves ('adjoint-taped': the adjoint tapes f instead of its vjp). */
export const MODE_SOLVE: Readonly<Record<BenchMode, ModeSolve>> = {
  direct: { gradient: "direct", handVjp: false },
  adjoint: { gradient: "adjoint", handVjp: true },
  "adjoint-taped": { gradient: "adjoint", handVjp: false },
};

/** f with timers around its calls; the vjp is kept (timed) unless `handVjp` is false. */
export function instrument(f: VectorField, timers: FieldTimers, handVjp: boolean): VectorField {
  const g: VectorField = (t, y) => {
    const t0 = performance.now();
    try { return f(t, y); } finally { timers.fieldMs += performance.now() - t0; }
  };
  const vjp = f.vjp;
  if (handVjp && vjp) {
    g.vjp = (t, y, c, ps, needValue) => {
      const t0 = performance.now();
      try { return vjp(t, y, c, ps, needValue); } finally { timers.vjpMs += performance.now() - t0; }
    };
  }
  return g;
}
