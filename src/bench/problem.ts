// A benchmark problem: trainable variables and a loss whose solve runs in the chosen mode. The vector
// field is wrapped so that the time spent inside f and inside its vjp can be read per step.
import { tf } from "../backend";
import type { Scalar, Tensor, Variable } from "@tensorflow/tfjs";
import { fdeint } from "../solvers";
import { fdeintAdjoint } from "../adjoint";
import type { VectorField } from "../solvers/types";
import type { BenchMode } from "./types";

export interface FieldTimers {
  fieldMs: number;
  vjpMs: number;
}

export interface Problem {
  variables: Variable[];
  loss(mode: BenchMode): Scalar;
  timers: FieldTimers;
  dispose(): void;
}

export interface SolveSpec {
  beta: number;
  tEnd: number;
  stepSize: number;
}

/** f with timers around its calls; the vjp is kept (timed) unless `keepVjp` is false. */
export function instrument(f: VectorField, timers: FieldTimers, keepVjp: boolean): VectorField {
  const g: VectorField = (t, y) => {
    const t0 = performance.now();
    try { return f(t, y); } finally { timers.fieldMs += performance.now() - t0; }
  };
  const vjp = f.vjp;
  if (keepVjp && vjp) {
    g.vjp = (t, y, c, ps, needValue) => {
      const t0 = performance.now();
      try { return vjp(t, y, c, ps, needValue); } finally { timers.vjpMs += performance.now() - t0; }
    };
  }
  return g;
}

/** y(tEnd) by plain autodiff (direct) or by the discrete adjoint, with or without f's own vjp. */
export function solveIn(mode: BenchMode, f: VectorField, y0: Tensor, params: Tensor[], spec: SolveSpec, timers: FieldTimers): Tensor {
  const opts = { beta: spec.beta, tEnd: spec.tEnd, stepSize: spec.stepSize, method: "predictor" as const };
  if (mode === "direct") return fdeint(instrument(f, timers, false), y0, opts);
  return fdeintAdjoint(instrument(f, timers, mode === "adjoint"), y0, { ...opts, params });
}

export function meanSquaredError(a: Tensor, b: Tensor): Scalar {
  return tf.mean(tf.squaredDifference(a, b)) as Scalar;
}
