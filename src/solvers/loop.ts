// The one stepping loop of every method: it owns the history and the states, and the plan's step rule
// (solvers/rules/) makes each step. Under the tape (fdeint) it is differentiated by autodiff; the adjoint
// runs it untaped and records the states for its reverse sweep.
import { tf } from "../backend";
import type { Tensor } from "@tensorflow/tfjs";
import { tapeIsOn } from "../tfjs-internals";
import { assertFinite, callField } from "./field";
import { forwardHistory } from "./fast-history";
import { asRow, History } from "./history";
import { HostFastHistory, type HostHistorySnapshot } from "./host-history";
import type { Plan } from "./plan";
import type { ForwardContext } from "./rules/step-rule";
import type { VectorField } from "./types";

export interface Trajectory {
  /** y(tEnd), or the states at plan.outputIndices stacked on axis 0. */
  output: Tensor;
  /** With `record` (no checkpoints): y_0 .. y_{N-1} (y_0 is the caller's y0); empty when hostStates holds them. */
  states: Tensor[];
  /** The same states as float32 copies on the host, with the fast history off the tape (no live tensor per step). */
  hostStates: Float32Array[];
  /** With `record` (no checkpoints): for step k+1 (index k), the inputs z⁰..z^{S-1} of the corrector's f evaluations. */
  stageInputs: Tensor[][];
  /** With `record` and plan.checkpoints: the state and the fast history at each checkpoint step. */
  checkpoints: Checkpoint[];
  /** y_N. */
  final: Tensor;
}

/** Where a segment of the solve starts again: y_step and the (host) fast history before step `step`. */
export interface Checkpoint {
  step: number;
  state: Tensor;
  history: HostHistorySnapshot;
}

type Keep = "states" | "checkpoints" | "none";

/** The solve from y0; with `record`, keeps what a reverse sweep needs (every state, or plan.checkpoints). */
export function solve(f: VectorField, y0: Tensor, plan: Plan, record: boolean): Trajectory {
  const keep: Keep = !record ? "none" : plan.checkpoints ? "checkpoints" : "states";
  return march(f, y0, plan, { step: 0, state: y0, history: null }, plan.steps, keep);
}

/** Steps checkpoint.step .. until − 1 again from a checkpoint: their states (from the checkpoint's own) and stage inputs. */
export function recomputeSegment(f: VectorField, y0: Tensor, plan: Plan, checkpoint: Checkpoint, until: number): Pick<Trajectory, "states" | "hostStates" | "stageInputs"> {
  const t = march(f, y0, plan, checkpoint, until, "states");
  t.final.dispose();
  return t;
}

function march(f: VectorField, y0: Tensor, plan: Plan, from: { step: number; state: Tensor; history: HostHistorySnapshot | null },
  until: number, keep: Keep): Trajectory {
  const { steps, stepSize, rule } = plan;
  const taped = tapeIsOn();
  const { weights, history } = forwardHistory(plan, taped ? plan.betaVariable : null, taped, y0.size);
  const ctx: ForwardContext = {
    y0, field: (t, y, step) => callField(f, t, y, step), stepSize, correctorSteps: plan.correctorSteps, weights,
  };
  const segment = from.history !== null;
  const marks = new Set(keep === "checkpoints" ? plan.checkpoints : []);
  if ((segment || marks.size > 0) && !(history instanceof HostFastHistory)) {
    throw new Error("checkpoints need the fast history off the tape (history 'fast', gradient 'adjoint')");
  }
  if (from.history) (history as HostFastHistory).restore(from.history);
  const wanted = new Set(segment ? [] : plan.outputIndices ?? [steps]);
  const kept = new Map<number, Tensor>();
  if (wanted.has(0)) kept.set(0, y0);
  const states: Tensor[] = [];
  const hostStates: Float32Array[] = [];
  const statesOnHost = keep === "states" && plan.fit !== null;
  const stageInputs: Tensor[][] = [];
  const checkpoints: Checkpoint[] = [];
  let y = from.state;
  // Off the tape the exact history adds y0 inside its product. Under it y0 stays its own add: autodiff then
  // sums y0's terms (+y0 in the sums, −y0 in the u family's entries) interleaved; apart, in float32, they lost
  // a digit (l1's ∂L/∂y0 was 1.4e-6 off the adjoint's).
  const y0Row = history instanceof History && !taped ? asRow(y0) : null;
  try {
    for (let k = from.step; k < until; k++) {
      if (marks.has(k)) checkpoints.push({ step: k, state: y, history: (history as HostFastHistory).snapshot() });
      const [next, ...inputs] = tf.tidy(() => {
        const fk = callField(f, k * stepSize, y, k);
        history.push(rule.historyEntry(ctx, y, fk));
        const bases = y0Row ? (history as History).sumsOn(y0Row, y0.shape) : history.sums(y0.shape).map((s) => tf.add(y0, s));
        const step = rule.advance(ctx, k, bases, fk);
        return [step.next, ...step.stageInputs];
      });
      assertFinite(next, k + 1, (k + 1) * stepSize);
      if (statesOnHost) hostStates.push(new Float32Array(y.dataSync()));
      if (keep === "states" && !statesOnHost) states.push(y);
      else if (y !== y0 && y !== from.state && !kept.has(k) && !marks.has(k)) y.dispose();
      if (keep === "states") stageInputs.push(inputs);
      else tf.dispose(inputs);
      y = next;
      if (wanted.has(k + 1)) kept.set(k + 1, y);
    }
    const output = segment ? y : plan.outputIndices === null ? y : tf.stack(plan.outputIndices.map((i) => kept.get(i)!));
    return { output, states, hostStates, stageInputs, checkpoints, final: y };
  } finally {
    history.dispose();
    y0Row?.dispose();
  }
}
