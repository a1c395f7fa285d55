// The continuous adjoint of Kang et al. (AAAI 2025, §3; docs/design.md §3): the adjoint λ solves, in
// reversed time τ = T - t, D^β λ = λᵀ ∂f/∂y(T - τ, y(T - τ)), λ(0) = ∂L/∂y(T), by the forward scheme itself;
// ∂L/∂θ ≈ h Σ_k λ(t_k)ᵀ ∂f/∂θ(t_k, y_k) (first-order quadrature); ∂L/∂y0 = λ at t = 0.
// Losses at intermediate times restart the backward solve there with λ + ∂L/∂y(t_i).
// It is not the gradient of the discrete solver and is biased for β < 1.
import { tf } from "../backend";
import type { Tensor } from "@tensorflow/tfjs";
import { solve } from "../solvers/loop";
import type { Plan } from "../solvers/plan";
import { schemeWeights } from "../solvers/weights";
import { Accumulator } from "./accumulator";
import type { ReverseSweep } from "./reverse-sweep";
import { vjp } from "./vjp";

export const continuousAdjoint: ReverseSweep = (inp) => {
  const { f, y0, plan, recorded, cotangents, final } = inp;
  const { steps: n, stepSize: h, params } = plan;
  const stateAt = (k: number) => (k < n ? recorded.state(k) : final);
  const marks = [...new Set([n, 0, ...cotangents.keys()])].sort((a, b) => b - a);
  const dparams = params.map(() => new Accumulator());
  let lambda = tf.keep(cotangents.get(n)?.clone() ?? tf.zerosLike(y0));
  try {
    for (let s = 0; s + 1 < marks.length; s++) {
      const a = marks[s];
      const len = a - marks[s + 1];
      const next = tf.tidy(() => {
        const memory = Math.min(plan.memory, len);
        const sub: Plan = {
          ...plan, steps: len, tEnd: len * h, memory, outputIndices: Array.from({ length: len + 1 }, (_, i) => i),
          weights: schemeWeights(plan.method, plan.beta, len, h, memory), betaVariable: null,
        };
        const field = (tau: number, lam: Tensor) => {
          const k = a - Math.round(tau / h);
          return vjp(f, k * h, stateAt(k), lam, params, k).y;
        };
        const lambdas = tf.unstack(solve(field, lambda, sub, false).output);
        for (let i = 0; i < len; i++) {
          const k = a - i;
          vjp(f, k * h, stateAt(k), lambdas[i], params, k).params.forEach((p, m) => dparams[m].add(p, h));
        }
        const end = lambdas[len];
        const jump = cotangents.get(a - len);
        return jump ? tf.add(end, jump) : tf.clone(end);
      });
      lambda.dispose();
      lambda = tf.keep(next);
    }
    return { y0: tf.clone(lambda), params: dparams.map((a, i) => a.take(() => tf.zerosLike(params[i]))), beta: null };
  } finally {
    lambda.dispose();
    dparams.forEach((a) => a.dispose());
  }
};
