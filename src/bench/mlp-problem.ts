// B2/B3: the MLP field on a state [rows, dim], MSE of y(T) to a fixed random target.
import { tf } from "../backend";
import type { Scalar } from "@tensorflow/tfjs";
import { solveFde } from "../adjoint/solve-fde";
import { fdeint } from "../solvers/fdeint";
import { mlpField } from "../models/mlp-field";
import { instrument, MODE_SOLVE, type FieldTimers, type Problem } from "./problem";
import type { MlpBenchConfig } from "./types";

export function mlpProblem(c: MlpBenchConfig, seed = 7): Problem {
  const field = mlpField({ dim: c.dim, hidden: c.hidden, seed, name: `bench-${c.name}-${Date.now()}-${Math.random()}` });
  const y0 = tf.randomNormal([c.rows, c.dim], 0, 1, "float32", seed + 10);
  const target = tf.randomNormal([c.rows, c.dim], 0, 1, "float32", seed + 11);
  const timers: FieldTimers = { fieldMs: 0, vjpMs: 0 };
  return {
    variables: field.params,
    timers,
    loss: (mode) => tf.tidy(() => {
      const { gradient, handVjp } = MODE_SOLVE[mode];
      const yEnd = solveFde(instrument(field.f, timers, handVjp), y0, { ...c.solver, gradient, params: field.params });
      return tf.mean(tf.squaredDifference(yEnd, target)) as Scalar;
    }),
    finalState: (solver) => fdeint(field.f, y0, solver),
    dispose: () => { field.dispose(); tf.dispose([y0, target]); },
  };
}
