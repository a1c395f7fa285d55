// The exact discrete adjoint (docs/design.md §3): the reverse sweep over the steps, each the transpose of the
// plan's step rule (solvers/rules/). μ_j = ∂L/∂y_j (total). Entry m of the reverse history holds ρ_m (the
// cotangents of step m's history sums), so one query gives, for every j,
//   ξ_j  = Σ_{m>j} Σ_r W_r[m, j] ρ_m^r      (the cotangent of history entry j)
//   ξ'_j = Σ_{m>j} Σ_r ∂W_r[m, j]/∂β ρ_m^r  (when β is learned: its share of ∂L/∂β is ⟨ξ'_j, h_j⟩)
import { tf } from "../backend";
import type { Tensor } from "@tensorflow/tfjs";
import { reverseHistory } from "../solvers/fast-history";
import type { ReverseContext } from "../solvers/rules/step-rule";
import { Accumulator } from "./accumulator";
import type { ReverseSweep } from "./reverse-sweep";
import { assertParamsComplete, vjp } from "./vjp";

export const discreteAdjoint: ReverseSweep = (inp) => {
  const { f, y0, plan, recorded, cotangents } = inp;
  const { steps: n, stepSize: h, rule, params } = plan;
  const learnBeta = plan.betaVariable !== null;
  const history = reverseHistory(plan, learnBeta, y0.size);
  const dy0 = new Accumulator();
  let dbeta = 0;
  const dparams = params.map(() => new Accumulator());
  const ctx: ReverseContext = {
    y0, stepSize: h, correctorSteps: plan.correctorSteps, weights: plan.weights, learnBeta,
    vjp: (t, y, cotangent, step, needValue) => {
      const g = vjp(f, t, y, cotangent, params, step, needValue);
      g.params.forEach((p, i) => dparams[i].add(p));
      return g;
    },
    addToY0: (g, scale) => dy0.add(g, scale),
    addToBeta: (a, b, scale = 1) => {
      const [x, y] = [a.dataSync(), b.dataSync()];
      let dot = 0;
      for (let i = 0; i < x.length; i++) dot += x[i] * y[i];
      dbeta += scale * dot;
    },
  };
  let muNext: Tensor | null = null;
  try {
    tf.tidy(() => assertParamsComplete(f, (n - 1) * h, recorded.state(n - 1), tf.onesLike(y0), params, [y0, ...(plan.betaVariable ? [plan.betaVariable] : [])]));
    for (let j = n; j >= 0; j--) {
      const mu = tf.tidy(() => {
        const cot = cotangents.get(j);
        let mu: Tensor | null = cot ? tf.clone(cot) : null;
        if (j === n) mu ??= tf.zerosLike(y0);
        else {
          const [xi, xiBeta] = history.sums(y0.shape);
          mu = rule.transposeEntry(ctx, j, {
            state: recorded.state(j), stateCotangent: mu, entryCotangent: xi, entryBetaCotangent: xiBeta ?? null, nextStateCotangent: muNext!,
          });
          recorded.release(j);
        }
        if (j === 0) {
          dy0.add(mu!);
          return mu!;
        }
        history.push(rule.transposeAdvance(ctx, j, mu!, recorded.stageInputs(j - 1)));
        return mu!;
      });
      muNext?.dispose();
      muNext = tf.keep(mu);
    }
    return {
      y0: dy0.take(() => tf.zerosLike(y0)),
      params: dparams.map((a, i) => a.take(() => tf.zerosLike(params[i]))),
      beta: learnBeta ? tf.scalar(dbeta) : null,
    };
  } finally {
    history.dispose();
    muNext?.dispose();
    [dy0, ...dparams].forEach((a) => a.dispose());
  }
};
