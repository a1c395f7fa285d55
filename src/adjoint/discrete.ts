// The exact discrete adjoint: the reverse sweep of the step rule in solvers/schemes.ts (DESIGN.md §3).
// μ_j = ∂L/∂y_j (total). Entry m of the reverse history holds ρ_m = (cotangent of the W0 sum at step m,
// and of the W1 sum for the corrector), so one history query gives, for every j,
//   ξ_j  = Σ_{m>j} Σ_r W_r[m, j] ρ_m^r      (cotangent of the history entry h_j = f_j or u_j)
//   ξ'_j = Σ_{m>j} Σ_r ∂W_r[m, j]/∂β ρ_m^r  (its share of ∂L/∂β: ⟨ξ'_j, h_j⟩)
import { tf } from "../backend";
import type { Tensor, Tensor2D } from "@tensorflow/tfjs";
import { History, asRow, type WeightSource } from "../solvers/history";
import type { Plan } from "../solvers/plan";
import type { VectorField } from "../solvers/types";
import { Accumulator } from "./accumulator";
import { assertParamsComplete, vjp } from "./vjp";

export interface ReverseInput {
  f: VectorField;
  y0: Tensor;
  params: Tensor[];
  plan: Plan;
  /** y_0 .. y_{N-1} and the corrector's stage inputs per step, from the forward solve. */
  states: Tensor[];
  stageInputs: Tensor[][];
  /** ∂L/∂y_k for the grid indices the output holds. */
  cotangents: Map<number, Tensor>;
}

export interface Gradients {
  y0: Tensor;
  params: Tensor[];
  beta: Tensor | null;
}

/** Reverse row q = N - j, entry e = N - m, channel c: W_c[m, j] (and ∂W_c[m, j]/∂β when β is learned). */
function reverseWeights(plan: Plan, withBeta: boolean): WeightSource {
  const { W, dW, n } = plan.tables;
  const C = W.length;
  const tables = withBeta ? [W, dW] : [W];
  const rows = tables.length;
  return {
    rows,
    channels: C,
    block: (q0, q1, e0, e1) => {
      const cols = (e1 - e0) * C;
      const out = new Float32Array((q1 - q0) * rows * cols);
      for (let q = q0; q < q1; q++) {
        for (let r = 0; r < rows; r++) {
          const base = ((q - q0) * rows + r) * cols;
          for (let e = e0; e < e1; e++) {
            const at = (n - e) * (n + 1) + (n - q);
            for (let c = 0; c < C; c++) out[base + (e - e0) * C + c] = tables[r][c][at];
          }
        }
      }
      return tf.tensor2d(out, [(q1 - q0) * rows, cols]);
    },
  };
}

export function discreteAdjoint(inp: ReverseInput): Gradients {
  const { f, y0, params, plan, states, stageInputs, cotangents } = inp;
  const { n, h, memory, stages } = plan;
  const { family, W, s, ds, c, dc } = plan.tables;
  const R = W.length;
  const wantBeta = plan.betaVariable !== null;
  const hist = new History(reverseWeights(plan, wantBeta), n, memory, false);
  const dy0 = new Accumulator();
  const dbeta = new Accumulator();
  const dparams = params.map(() => new Accumulator());
  let muNext: Tensor | null = null;
  const exclude = [y0, ...(plan.betaVariable ? [plan.betaVariable] : [])];
  try {
    for (let j = n; j >= 0; j--) {
      const mu = tf.tidy(() => {
        const cot = cotangents.get(j);
        let mu: Tensor = cot ? tf.clone(cot) : tf.zerosLike(y0);
        if (j < n) {
          const q = hist.query();
          const [xi, xiBeta] = (wantBeta ? tf.split(q, 2, 0) : [q]).map((x) => tf.reshape(x, y0.shape));
          const nu = family === "f" ? xi : tf.mul(muNext!, s);
          if (j === n - 1) assertParamsComplete(f, j * h, states[j], nu, params, exclude);
          const g = vjp(f, j * h, states[j], nu, params, j, wantBeta);
          mu = tf.add(mu, g.y);
          g.params.forEach((p, i) => dparams[i].add(p));
          if (wantBeta) {
            dbeta.add(family === "f" ? tf.sum(tf.mul(xiBeta, g.value!)) : tf.mul(tf.sum(tf.mul(muNext!, g.value!)), ds));
          }
          if (family === "u" && j >= 1) {
            mu = tf.add(mu, xi);
            dy0.add(tf.neg(xi));
            if (wantBeta) dbeta.add(tf.sum(tf.mul(xiBeta, tf.sub(states[j], y0))));
          }
        }
        if (j < n) states[j].dispose(); // the saved copy is no longer needed: the sweep only moves down
        if (j === 0) {
          dy0.add(mu);
          return mu;
        }
        // Corrector stages of step j, backwards: zˢ = y0 + Σ W1 f + c·f(zˢ⁻¹).
        let lambda = mu;
        let lambdaC: Tensor | null = null;
        for (let st = stages - 1; st >= 0; st--) {
          lambdaC = lambdaC ? tf.add(lambdaC, lambda) : lambda;
          const g = vjp(f, j * h, stageInputs[j - 1][st], tf.mul(lambda, c), params, j, wantBeta);
          g.params.forEach((p, i) => dparams[i].add(p));
          if (wantBeta) dbeta.add(tf.mul(tf.sum(tf.mul(lambda, g.value!)), dc));
          lambda = g.y;
        }
        tf.dispose(stageInputs[j - 1]);
        dy0.add(lambdaC ? tf.add(lambda, lambdaC) : lambda);
        hist.push(R === 1 ? asRow(lambda) : (tf.concat([asRow(lambda), asRow(lambdaC!)], 0) as Tensor2D));
        return mu;
      });
      muNext?.dispose();
      muNext = tf.keep(mu);
    }
    return {
      y0: dy0.take(() => tf.zerosLike(y0)),
      params: dparams.map((a, i) => a.take(() => tf.zerosLike(params[i]))),
      beta: wantBeta ? dbeta.take(() => tf.scalar(0)) : null,
    };
  } finally {
    hist.dispose();
    muNext?.dispose();
    [dy0, dbeta, ...dparams].forEach((a) => a.dispose());
  }
}
