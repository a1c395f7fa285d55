// The 'u' family (l1, gl, trapezoid; docs/design.md §2): the history holds u_j = y_j - y0 (Caputo
// semantics: f ≡ 0 keeps y ≡ y0), and
//   y_{k+1} = y0 + Σ_{j<=k} W0[k+1, j] u_j + s · f_k.
// Its transpose is the reverse step of the discrete adjoint (docs/design.md §3).
import { tf } from "../../backend";
import type { StepRule } from "./step-rule";

export const uHistory: StepRule = {
  historyEntry: (ctx, y) => [tf.sub(y, ctx.y0)],

  advance(ctx, _k, [base], fk) {
    return { next: tf.add(base, tf.mul(fk, ctx.weights.field)), stageInputs: [] };
  },

  // f_j enters only y_{j+1}: ν_j = s μ_{j+1}, ∂L/∂β += ∂s/∂β ⟨μ_{j+1}, f_j⟩. The entry u_j = y_j - y0
  // (j >= 1): μ_j += ξ_j, ∂L/∂y0 -= ξ_j, ∂L/∂β += ⟨ξ'_j, u_j⟩.
  transposeEntry(ctx, j, { state, stateCotangent, entryCotangent, entryBetaCotangent, nextStateCotangent }) {
    const g = ctx.vjp(j * ctx.stepSize, state, tf.mul(nextStateCotangent, ctx.weights.value.field), j, ctx.learnBeta);
    let mu = stateCotangent ? tf.add(stateCotangent, g.y) : g.y;
    if (ctx.learnBeta) ctx.addToBeta(nextStateCotangent, g.value!, ctx.weights.betaDerivative().field);
    if (j >= 1) {
      mu = tf.add(mu, entryCotangent);
      ctx.addToY0(entryCotangent, -1);
      if (ctx.learnBeta) ctx.addToBeta(entryBetaCotangent!, tf.sub(state, ctx.y0));
    }
    return mu;
  },

  // y_j = y0 + S_j + s f_{j-1}: ρ_j = μ_j and ∂L/∂y0 += μ_j (the s f_{j-1} term is transposeEntry's at j - 1).
  transposeAdvance(ctx, _j, stateCotangent) {
    ctx.addToY0(stateCotangent);
    return [stateCotangent];
  },
};
