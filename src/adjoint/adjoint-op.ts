// The 'adjoint' and 'continuous-adjoint' gradient strategies: the solve as one tfjs op whose forward runs
// the stepping loop untaped and keeps only the states, and whose gradient is a reverse sweep.
import { tf } from "../backend";
import type { Tensor } from "@tensorflow/tfjs";
import { customOp, forwardScopeTensors, tapeIsOn } from "../tfjs-internals";
import { solve } from "../solvers/loop";
import type { Plan } from "../solvers/plan";
import type { VectorField } from "../solvers/types";
import { checkpointedStates, hostKeptStates, keptStates } from "./recorded-states";
import type { ReverseSweep } from "./reverse-sweep";

/** Splits the output cotangent into ∂L/∂y_k per grid index (indices repeated in `times` add up). */
function cotangentsOf(dy: Tensor, plan: Plan): Map<number, Tensor> {
  const map = new Map<number, Tensor>();
  if (plan.outputIndices === null) return map.set(plan.steps, dy);
  tf.unstack(dy).forEach((g, i) => {
    const k = plan.outputIndices![i];
    map.set(k, map.has(k) ? tf.add(map.get(k)!, g) : g);
  });
  return map;
}

/**
 * Same value as the direct solve; gradients (for y0, every tensor in plan.params, and β when it is a
 * tf.Variable) come from `sweep` (the discrete or the continuous adjoint) instead of the tape.
 */
export function solveByAdjoint(f: VectorField, y0: Tensor, plan: Plan, sweep: ReverseSweep): Tensor {
  const { params, betaVariable: beta, steps: n, correctorSteps: S } = plan;
  const inputs = [y0, ...params, ...(beta ? [beta] : [])];
  // Without a tape no gradient can be asked for: then the forward keeps no states.
  const record = tapeIsOn();
  // Tensors made in the forward pass of the current gradient computation (a derived parameter such as the
  // encoder output X0) are disposed when that pass ends, but f reads them again in the reverse sweep.
  const adopted = record ? forwardScopeTensors([y0, ...params]) : [];
  adopted.forEach((t) => tf.keep(t));
  return customOp((_inputs, save) => {
    const traj = solve(f, y0, plan, record);
    if (record) {
      const kept = [...traj.states, ...traj.stageInputs.flat(), ...traj.checkpoints.map((c) => c.state), traj.final];
      save(kept);
      tf.dispose(kept.filter((t) => t !== y0 && t !== traj.output));
    }
    return {
      value: traj.output,
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const recorded = plan.checkpoints
          ? checkpointedStates(f, y0, plan, traj.checkpoints.map((c, i) => ({ ...c, state: saved[i] })))
          : traj.hostStates.length > 0
            ? hostKeptStates(traj.hostStates, y0.shape, Array.from({ length: n }, (_, k) => saved.slice(k * S, (k + 1) * S)))
            : keptStates(saved.slice(0, n), Array.from({ length: n }, (_, k) => saved.slice(n + k * S, (n + (k + 1) * S))));
        try {
          const g = sweep({ f, y0, plan, recorded, final: saved[saved.length - 1], cotangents: cotangentsOf(dy, plan) });
          return [g.y0, ...g.params, ...(beta ? [g.beta!] : [])];
        } finally {
          recorded.dispose();
          tf.dispose(adopted);
        }
      },
    };
  })(...inputs);
}
