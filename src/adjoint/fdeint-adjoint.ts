import { tf } from "../backend";
import type { Tensor } from "@tensorflow/tfjs";
import { solve } from "../solvers/loop";
import { tapeIsOn } from "../solvers/tape";
import { makePlan, type Plan } from "../solvers/plan";
import { constantWeights } from "../solvers/weights";
import type { AdjointOptions, VectorField } from "../solvers/types";
import { continuousAdjoint } from "./continuous";
import { discreteAdjoint } from "./discrete";

const MODES = ["discrete", "continuous"] as const;

function checkParams(params: unknown): Tensor[] {
  if (!Array.isArray(params)) {
    throw new Error(`params = ${typeof params} is not allowed: an array of the tensors f reads that need gradients (may be [])`);
  }
  params.forEach((p, i) => {
    if (!(p instanceof tf.Tensor)) throw new Error(`params[${i}] = ${typeof p} is not allowed: each entry must be a tf.Tensor`);
    if (p.dtype !== "float32") throw new Error(`params[${i}].dtype = ${p.dtype} is not allowed: float32 tensors only`);
  });
  return params as Tensor[];
}

/** Splits the output cotangent into ∂L/∂y_k per grid index (indices repeated in `times` add up). */
function cotangentsOf(dy: Tensor, plan: Plan): Map<number, Tensor> {
  const map = new Map<number, Tensor>();
  if (plan.outputIndices === null) return map.set(plan.n, dy);
  tf.unstack(dy).forEach((g, i) => {
    const k = plan.outputIndices![i];
    map.set(k, map.has(k) ? tf.add(map.get(k)!, g) : g);
  });
  return map;
}

interface Scoped { scopeId?: number; kept?: boolean }

/**
 * Tensors made inside the forward pass of the current gradient computation (a derived parameter such as
 * the encoder output X0) are disposed when that pass ends, but f reads them again in the reverse sweep:
 * keep them until the sweep is done.
 */
function adoptForwardScoped(tensors: Tensor[]): Tensor[] {
  const stack = (tf.engine() as unknown as { state: { scopeStack: { name: string; id: number }[] } }).state.scopeStack;
  let forward = stack.length - 1;
  while (forward >= 0 && stack[forward].name !== "forward") forward--;
  if (forward < 0) return [];
  const inForward = new Set(stack.slice(forward).map((s) => s.id));
  const adopted = [...new Set(tensors)].filter((t) => {
    const s = t as unknown as Scoped;
    return !(t instanceof tf.Variable) && !s.kept && s.scopeId !== undefined && inForward.has(s.scopeId);
  });
  adopted.forEach((t) => tf.keep(t));
  return adopted;
}

/**
 * Same value as fdeint; gradients (for y0, every tensor in `params`, and β when it is a tf.Variable) come
 * from a reverse sweep instead of the tape: the forward solve keeps only the states, and the reverse
 * sweep evaluates one vector-Jacobian product of f per evaluation. adjoint 'discrete' (default) is the
 * exact gradient of the discrete solver; 'continuous' is the paper's augmented backward FDE.
 */
export function fdeintAdjoint(f: VectorField, y0: Tensor, opts: AdjointOptions): Tensor {
  const plan = makePlan(opts, y0);
  const params = checkParams(opts.params);
  const mode = opts.adjoint ?? "discrete";
  if (!MODES.includes(mode)) throw new Error(`adjoint = ${JSON.stringify(mode)} is not allowed: ${MODES.join(" or ")}`);
  if (mode === "continuous" && plan.betaVariable) {
    throw new Error("beta is a tf.Variable but adjoint = 'continuous' has no gradient for the order: use adjoint 'discrete'");
  }
  const beta = plan.betaVariable;
  const inputs = [y0, ...params, ...(beta ? [beta] : [])];
  const S = plan.stages;
  // Without a tape no gradient can be asked for: then the forward keeps no states.
  const record = tapeIsOn();
  const adopted = record ? adoptForwardScoped([y0, ...params]) : [];
  const op = tf.customGrad(((...args: unknown[]) => {
    const save = args[args.length - 1] as (t: Tensor[]) => void;
    const traj = solve(f, y0, plan, constantWeights(plan.tables), record);
    if (record) {
      const kept = [...traj.states, ...traj.stageInputs.flat(), traj.final];
      save(kept);
      tf.dispose(kept.filter((t) => t !== y0 && t !== traj.output));
    }
    return {
      value: traj.output,
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const states = saved.slice(0, plan.n);
        const stageInputs = Array.from({ length: plan.n }, (_, k) => saved.slice(plan.n + k * S, plan.n + (k + 1) * S));
        try {
          const input = { f, y0, params, plan, states, stageInputs, cotangents: cotangentsOf(dy, plan) };
          const g = mode === "discrete" ? discreteAdjoint(input) : continuousAdjoint({ ...input, final: saved[saved.length - 1] });
          return [g.y0, ...g.params, ...(beta ? [g.beta!] : [])];
        } finally {
          tf.dispose(adopted);
        }
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return (op as unknown as (...xs: Tensor[]) => Tensor)(...inputs);
}
