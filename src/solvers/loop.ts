// The one stepping loop of every method: it owns the history and the states, and the plan's step rule
// (solvers/rules/) makes each step. Under the tape (fdeint) it is differentiated by autodiff; the adjoint
// runs it untaped and records the states for its reverse sweep.
import { tf } from "../backend";
import type { Tensor } from "@tensorflow/tfjs";
import { tapeIsOn } from "../tfjs-internals";
import { assertFinite, callField } from "./field";
import { forwardHistory } from "./fast-history";
import type { Plan } from "./plan";
import type { ForwardContext } from "./rules/step-rule";
import type { VectorField } from "./types";

export interface Trajectory {
  /** y(tEnd), or the states at plan.outputIndices stacked on axis 0. */
  output: Tensor;
  /** With `record`: y_0 .. y_{N-1} (y_0 is the caller's y0). */
  states: Tensor[];
  /** With `record`: for step k+1 (index k), the inputs z⁰..z^{S-1} of the corrector's f evaluations. */
  stageInputs: Tensor[][];
  /** y_N. */
  final: Tensor;
}

export function solve(f: VectorField, y0: Tensor, plan: Plan, record: boolean): Trajectory {
  const { steps, stepSize, rule } = plan;
  const taped = tapeIsOn();
  const { weights, history } = forwardHistory(plan, taped ? plan.betaVariable : null, taped);
  const sums = weights.history.sums;
  const ctx: ForwardContext = {
    y0, field: (t, y, step) => callField(f, t, y, step), stepSize, correctorSteps: plan.correctorSteps, weights,
  };
  const wanted = new Set(plan.outputIndices ?? [steps]);
  const kept = new Map<number, Tensor>();
  if (wanted.has(0)) kept.set(0, y0);
  const states: Tensor[] = [];
  const stageInputs: Tensor[][] = [];
  let y = y0;
  try {
    for (let k = 0; k < steps; k++) {
      const [next, ...inputs] = tf.tidy(() => {
        const fk = callField(f, k * stepSize, y, k);
        history.push(rule.historyEntry(ctx, y, fk));
        const query = history.query();
        const rows = sums === 1 ? [query] : tf.split(query, sums, 0);
        const step = rule.advance(ctx, k, rows.map((row) => tf.reshape(row, y0.shape)), fk);
        return [step.next, ...step.stageInputs];
      });
      assertFinite(next, k + 1, (k + 1) * stepSize);
      if (record) {
        states.push(y);
        stageInputs.push(inputs);
      } else {
        tf.dispose(inputs);
        if (y !== y0 && !kept.has(k)) y.dispose();
      }
      y = next;
      if (wanted.has(k + 1)) kept.set(k + 1, y);
    }
    const output = plan.outputIndices === null ? y : tf.stack(plan.outputIndices.map((i) => kept.get(i)!));
    return { output, states, stageInputs, final: y };
  } finally {
    history.dispose();
  }
}
