import type { Tensor } from "@tensorflow/tfjs";
import { checkOptionNames } from "../solvers/options";
import { makePlan } from "../solvers/plan";
import type { AdjointOptions, VectorField } from "../solvers/types";
import { solvePlan } from "./solve-fde";

const ADJOINTS = { discrete: "adjoint", continuous: "continuous-adjoint" } as const;

/**
 * Same value as fdeint; gradients (for y0, every tensor in `params`, and β when it is a tf.Variable) come
 * from a reverse sweep instead of the tape: the forward solve keeps only the states, and the reverse
 * sweep evaluates one vector-Jacobian product of f per evaluation. adjoint 'discrete' (default) is the
 * exact gradient of the discrete solver; 'continuous' is the paper's augmented backward FDE.
 * solveFde(f, y0, { ...opts, gradient: 'adjoint' | 'continuous-adjoint' }) is the same solve.
 */
export function fdeintAdjoint(f: VectorField, y0: Tensor, opts: AdjointOptions): Tensor {
  checkOptionNames("fdeintAdjoint", opts);
  const { adjoint: chosen, ...rest } = opts;
  const adjoint = chosen ?? "discrete";
  if (adjoint !== "discrete" && adjoint !== "continuous") {
    throw new Error(`adjoint = ${JSON.stringify(adjoint)} is not allowed: ${Object.keys(ADJOINTS).join(" or ")}`);
  }
  return solvePlan(f, y0, makePlan({ ...rest, gradient: ADJOINTS[adjoint] }, y0));
}
