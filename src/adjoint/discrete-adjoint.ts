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
  const { f, y0, plan, states, stageInputs, cotangents } = inp;
  const { steps: n, stepSize: h, rule, params } = plan;
  const learnBeta = plan.betaVariable !== null;
  const history = reverseHistory(plan, learnBeta);
  const dy0 = new Accumulator();
  const dbeta = new Accumulator();
  const dparams = params.map(() => new Accumulator());
  const ctx: ReverseContext = {
    y0, stepSize: h, correctorSteps: plan.correctorSteps, weights: plan.weights, learnBeta,
    vjp: (t, y, cotangent, step, needValue) => {
      const g = vjp(f, t, y, cotangent, params, step, needValue);
      g.params.forEach((p, i) => dparams[i].add(p));
      return g;
    },
    addToY0: (g) => dy0.add(g),
    addToBeta: (g) => dbeta.add(g),
  };
  let muNext: Tensor | null = null;
  try {
    tf.tidy(() => assertParamsComplete(f, (n - 1) * h, states[n - 1], tf.onesLike(y0), params, [y0, ...(plan.betaVariable ? [plan.betaVariable] : [])]));
    for (let j = n; j >= 0; j--) {
      const mu = tf.tidy(() => {
        const cot = cotangents.get(j);
        let mu: Tensor = cot ? tf.clone(cot) : tf.zerosLike(y0);
        if (j < n) {
          const query = history.query();
          const [xi, xiBeta] = (learnBeta ? tf.split(query, 2, 0) : [query]).map((x) => tf.reshape(x, y0.shape));
          mu = rule.transposeEntry(ctx, j, {
            state: states[j], stateCotangent: mu, entryCotangent: xi, entryBetaCotangent: xiBeta ?? null, nextStateCotangent: muNext!,
          });
          states[j].dispose(); // the saved copy is no longer needed: the sweep only moves down
        }
        if (j === 0) {
          dy0.add(mu);
          return mu;
        }
        history.push(rule.transposeAdvance(ctx, j, mu, stageInputs[j - 1]));
        tf.dispose(stageInputs[j - 1]);
        return mu;
      });
      muNext?.dispose();
      muNext = tf.keep(mu);
    }
    return {
      y0: dy0.take(() => tf.zerosLike(y0)),
      params: dparams.map((a, i) => a.take(() => tf.zerosLike(params[i]))),
      beta: learnBeta ? dbeta.take(() => tf.scalar(0)) : null,
    };
  } finally {
    history.dispose();
    muNext?.dispose();
    [dy0, dbeta, ...dparams].forEach((a) => a.dispose());
  }
};
