// B2/B3: the MLP field on a state [rows, dim], MSE of y(T) to a fixed random target.
import { tf } from "../backend";
import { mlpField } from "../nn/mlp-field";
import { meanSquaredError, solveIn, type FieldTimers, type Problem } from "./problem";
import type { MlpBenchConfig } from "./types";

export function mlpProblem(c: MlpBenchConfig, seed = 7): Problem {
  const field = mlpField({ dim: c.dim, hidden: c.hidden, seed, name: `bench-${c.name}-${Date.now()}-${Math.random()}` });
  const y0 = tf.randomNormal([c.rows, c.dim], 0, 1, "float32", seed + 10);
  const target = tf.randomNormal([c.rows, c.dim], 0, 1, "float32", seed + 11);
  const timers: FieldTimers = { fieldMs: 0, vjpMs: 0 };
  return {
    variables: field.params,
    timers,
    loss: (mode) => tf.tidy(() => meanSquaredError(solveIn(mode, field.f, y0, field.params, c, timers), target)),
    dispose: () => { field.dispose(); tf.dispose([y0, target]); },
  };
}
