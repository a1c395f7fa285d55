// The long-horizon state (issue 12, torchfde's "long/tiny"): f(t, y) = tanh(y W), W [dim, dim] ~ 0.3·N(0, 1),
// y0 [rows, dim] ~ N(0, 1), loss mean(y(T)²).
import { tf } from "../backend";
import type { Scalar, Tensor2D } from "@tensorflow/tfjs";
import { solveFde } from "../adjoint/solve-fde";
import { fdeint } from "../solvers/fdeint";
import type { VectorField } from "../solvers/types";
import { tanhGrad } from "../native-ops";
import { instrument, MODE_SOLVE, type FieldTimers, type Problem } from "./problem";
import type { TanhBenchConfig } from "./types";

export function tanhProblem(c: TanhBenchConfig, seed = 7): Problem {
  const W = tf.variable(tf.randomNormal([c.dim, c.dim], 0, 0.3, "float32", seed), true, `bench-${c.name}-W-${Date.now()}-${Math.random()}`);
  const y0 = tf.randomNormal([c.rows, c.dim], 0, 1, "float32", seed + 10);
  // (∂f/∂y)ᵀc = (c ⊙ (1 − f²)) Wᵀ, (∂f/∂W)ᵀc = yᵀ (c ⊙ (1 − f²))
  const f: VectorField = (_t, y) => tf.tanh(tf.matMul(y as Tensor2D, W));
  f.vjp = (_t, y, cot, _params, needValue) => {
    const [value, dy, dW] = tf.tidy(() => {
      const out = tf.tanh(tf.matMul(y as Tensor2D, W));
      const g = tanhGrad(out, cot) as Tensor2D;
      return [out, tf.matMul(g, W, false, true), tf.matMul(y as Tensor2D, g, true, false)];
    });
    if (!needValue) value.dispose();
    return { value: needValue ? value : undefined, y: dy, params: [dW] };
  };
  const timers: FieldTimers = { fieldMs: 0, vjpMs: 0 };
  return {
    variables: [W],
    timers,
    loss: (mode) => tf.tidy(() => {
      const { gradient, handVjp } = MODE_SOLVE[mode];
      const yEnd = solveFde(instrument(f, timers, handVjp), y0, { ...c.solver, gradient, params: [W] });
      return tf.mean(tf.square(yEnd)) as Scalar;
    }),
    finalState: (solver) => fdeint(f, y0, solver),
    dispose: () => tf.dispose([W, y0]),
  };
}
