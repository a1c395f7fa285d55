// The 'f' family (predictor, corrector; docs/design.md §2): the history holds f_j,
//   z⁰ = y0 + Σ_{j<=k} W0[k+1, j] f_j,   zˢ = y0 + Σ_{j<=k} W1[k+1, j] f_j + c · f(t_{k+1}, zˢ⁻¹) (s = 1..S),
//   y_{k+1} = z^S  (S = correctorSteps; 0 for the predictor).
// Its transpose is the reverse step of the discrete adjoint (docs/design.md §3).
import { tf } from "../../backend";
import type { Tensor } from "@tensorflow/tfjs";
import type { StepRule } from "./step-rule";

export const fHistory: StepRule = {
  historyEntry: (_ctx, _y, fk) => [fk],

  advance(ctx, k, [predicted, base]) {
    let z = predicted;
    const stageInputs: Tensor[] = [];
    for (let s = 0; s < ctx.correctorSteps; s++) {
      stageInputs.push(z);
      z = tf.add(base, tf.mul(ctx.field((k + 1) * ctx.stepSize, z, k + 1), ctx.weights.stage));
    }
    return { next: z, stageInputs };
  },

  // ν_j = ξ_j = ∂L/∂f_j: one VJP at (t_j, y_j); ∂L/∂β += ⟨ξ'_j, f_j⟩.
  transposeEntry(ctx, j, { state, stateCotangent, entryCotangent, entryBetaCotangent }) {
    const g = ctx.vjp(j * ctx.stepSize, state, entryCotangent, j, ctx.learnBeta);
    const mu = stateCotangent ? tf.add(stateCotangent, g.y) : g.y;
    if (ctx.learnBeta) ctx.addToBeta(entryBetaCotangent!, g.value!);
    return mu;
  },

  // The corrections backwards from λ = μ_j: Λ += λ, λ ← (∂f/∂y)ᵀ(c λ) at zˢ; ρ_j = (λ, Λ), ∂L/∂y0 += λ + Λ.
  transposeAdvance(ctx, j, stateCotangent, stageInputs) {
    const c = ctx.weights.value.stage;
    const dc = ctx.learnBeta ? ctx.weights.betaDerivative().stage : 0;
    let lambda = stateCotangent;
    let lambdaSum: Tensor | null = null;
    for (let s = ctx.correctorSteps - 1; s >= 0; s--) {
      lambdaSum = lambdaSum ? tf.add(lambdaSum, lambda) : lambda;
      const g = ctx.vjp(j * ctx.stepSize, stageInputs[s], tf.mul(lambda, c), j, ctx.learnBeta);
      if (ctx.learnBeta) ctx.addToBeta(lambda, g.value!, dc);
      lambda = g.y;
    }
    ctx.addToY0(lambda);
    if (lambdaSum) ctx.addToY0(lambdaSum);
    return lambdaSum ? [lambda, lambdaSum] : [lambda];
  },
};
