// The one stepping loop of every method (the step rule is in schemes.ts, the weights in weights.ts).
// fdeint runs it under the tape; fdeintAdjoint runs it untaped and records the states for its reverse sweep.
import { tf } from "../backend";
import type { Tensor } from "@tensorflow/tfjs";
import { History, asRow } from "./history";
import { tapeIsOn, untaped } from "./tape";
import type { Plan } from "./plan";
import type { StepWeights } from "./weights";
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

const sameShape = (a: number[], b: number[]) => a.length === b.length && a.every((v, i) => v === b[i]);

export function callField(f: VectorField, t: number, y: Tensor, step: number): Tensor {
  const out = f(t, y);
  if (!(out instanceof tf.Tensor)) {
    throw new Error(`f(t, y) returned ${typeof out} at step ${step} (t = ${t}); it must return a tf.Tensor of y's shape [${y.shape}]`);
  }
  if (!sameShape(out.shape, y.shape) || out.dtype !== "float32") {
    throw new Error(`f(t, y) returned shape [${out.shape}] (${out.dtype}) at step ${step} (t = ${t}); ` +
      `it must return y's shape [${y.shape}] (float32)`);
  }
  return out;
}

export function assertFinite(y: Tensor, step: number, t: number, what = "the state y"): void {
  // one reduction on the device; the values come to JS only to name the culprit
  if (untaped(() => tf.tidy(() => tf.all(tf.isFinite(y)).dataSync()[0])) === 1) return;
  const d = y.dataSync();
  for (let i = 0; i < d.length; i++) {
    if (!Number.isFinite(d[i])) {
      throw new Error(`${what} became non-finite (${d[i]} at flat index ${i}) at step ${step} (t = ${t}); ` +
        "the solve diverged: reduce stepSize or tEnd, or check f");
    }
  }
}

export function solve(f: VectorField, y0: Tensor, plan: Plan, w: StepWeights, record: boolean): Trajectory {
  const { n, h, memory, stages } = plan;
  const hist = new History(w.source, n, memory, tapeIsOn());
  const wanted = new Set(plan.outputIndices ?? [n]);
  const kept = new Map<number, Tensor>();
  if (wanted.has(0)) kept.set(0, y0);
  const states: Tensor[] = [];
  const stageInputs: Tensor[][] = [];
  let y = y0;
  try {
    for (let k = 0; k < n; k++) {
      const [next, ...inputs] = tf.tidy(() => {
        const fk = callField(f, k * h, y, k);
        hist.push(asRow(w.family === "f" ? fk : tf.sub(y, y0)));
        const q = hist.query();
        const sums = w.R === 1 ? [q] : tf.split(q, w.R, 0);
        let z = tf.add(y0, tf.reshape(sums[0], y0.shape));
        if (w.family === "u") z = tf.add(z, tf.mul(fk, w.s));
        const zs: Tensor[] = [];
        if (stages > 0) {
          const base = tf.add(y0, tf.reshape(sums[1], y0.shape));
          for (let s = 0; s < stages; s++) {
            zs.push(z);
            z = tf.add(base, tf.mul(callField(f, (k + 1) * h, z, k + 1), w.c));
          }
        }
        return [z, ...zs];
      });
      assertFinite(next, k + 1, (k + 1) * h);
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
    hist.dispose();
  }
}
