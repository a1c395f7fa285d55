// What the reverse sweep reads of the forward solve, step by step going down: every state kept by the
// forward pass, or (checkpoints) the segment between two checkpoints recomputed when the sweep enters it.
import { tf } from "../backend";
import type { Tensor } from "@tensorflow/tfjs";
import { recomputeSegment, type Checkpoint } from "../solvers/loop";
import type { Plan } from "../solvers/plan";
import type { VectorField } from "../solvers/types";

export interface RecordedStates {
  /** y_j, j < N. */
  state(j: number): Tensor;
  /** The corrector's stage inputs of step k + 1. */
  stageInputs(k: number): Tensor[];
  /** Frees y_j and the stage inputs of step j + 1 (the sweep only moves down). */
  release(j: number): void;
  dispose(): void;
}

export function keptStates(states: Tensor[], stageInputs: Tensor[][]): RecordedStates {
  return {
    state: (j) => states[j],
    stageInputs: (k) => stageInputs[k],
    release: (j) => tf.dispose([states[j], ...stageInputs[j]]),
    dispose: () => tf.dispose([...states, ...stageInputs.flat()].filter((t) => !t.isDisposed)),
  };
}

/** States kept as host copies: each made a tensor when the sweep reads it, freed when it moves past it. */
export function hostKeptStates(arrays: Float32Array[], shape: number[], stageInputs: Tensor[][], first = 0): RecordedStates {
  const made = new Map<number, Tensor>();
  const state = (j: number) => {
    let t = made.get(j);
    if (!t) made.set(j, t = tf.keep(tf.tensor(arrays[j - first], shape)));
    return t;
  };
  return {
    state,
    stageInputs: (k) => stageInputs[k - first],
    release: (j) => {
      tf.dispose([...(made.get(j) ? [made.get(j)!] : []), ...stageInputs[j - first]]);
      made.delete(j);
    },
    dispose: () => {
      tf.dispose([...made.values(), ...stageInputs.flat()].filter((t) => !t.isDisposed));
      made.clear();
    },
  };
}

/** Segments [c_i, c_{i+1}) recomputed from their checkpoints; one segment's states live at a time. */
export function checkpointedStates(f: VectorField, y0: Tensor, plan: Plan, checkpoints: Checkpoint[]): RecordedStates {
  let loaded = -1;
  let current = keptStates([], []);
  const segmentOf = (j: number) => {
    let i = checkpoints.length - 1;
    while (checkpoints[i].step > j) i--;
    return i;
  };
  const load = (j: number) => {
    const i = segmentOf(j);
    if (i === loaded) return;
    current.dispose();
    const start = checkpoints[i].step;
    const until = i + 1 < checkpoints.length ? checkpoints[i + 1].step : plan.steps;
    // loaded from inside the sweep's per-step tidy: the segment must outlive it
    let seg: ReturnType<typeof recomputeSegment> | null = null;
    // nothing returned through tf.tidy: it would walk the host arrays element by element
    tf.tidy(() => {
      seg = recomputeSegment(f, y0, plan, checkpoints[i], until);
      seg.stageInputs.flat().forEach((t) => tf.keep(t));
    });
    const { hostStates, stageInputs } = seg!;
    checkpoints[i].state.dispose(); // the segment's first state is a host copy of it now
    current = hostKeptStates(hostStates, y0.shape, stageInputs, start);
    loaded = i;
  };
  return {
    state: (j) => (load(j), current.state(j)),
    stageInputs: (k) => (load(k), current.stageInputs(k)),
    release: (j) => current.release(j),
    dispose: () => {
      current.dispose();
      tf.dispose(checkpoints.map((c) => c.state).filter((t) => !t.isDisposed));
    },
  };
}
