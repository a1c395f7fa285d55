// The one place a solve's gradient strategy is chosen (docs/design.md §3).
import type { Tensor } from "@tensorflow/tfjs";
import { solveDirect } from "../solvers/direct";
import { checkOptionNames, type Gradient, type SolverOptions } from "../solvers/options";
import { makePlan, type Plan } from "../solvers/plan";
import type { VectorField } from "../solvers/types";
import { solveByAdjoint } from "./adjoint-op";
import { continuousAdjoint } from "./continuous-adjoint";
import { discreteAdjoint } from "./discrete-adjoint";

/**
 * Solves D^β y = f(t, y), y(0) = y0 (as fdeint), with the gradient computed as `gradient` says: 'direct'
 * (default) autodiff through the solver, 'adjoint' the exact discrete adjoint, 'continuous-adjoint' the
 * paper's backward FDE; with an adjoint, `params` lists every tensor f reads that needs a gradient.
 */
export function solveFde(f: VectorField, y0: Tensor, opts: SolverOptions): Tensor {
  checkOptionNames("solveFde", opts);
  return solvePlan(f, y0, makePlan(opts, y0));
}

const STRATEGIES: Record<Gradient, (f: VectorField, y0: Tensor, plan: Plan) => Tensor> = {
  direct: solveDirect,
  adjoint: (f, y0, plan) => solveByAdjoint(f, y0, plan, discreteAdjoint),
  "continuous-adjoint": (f, y0, plan) => solveByAdjoint(f, y0, plan, continuousAdjoint),
};

export function solvePlan(f: VectorField, y0: Tensor, plan: Plan): Tensor {
  return STRATEGIES[plan.gradient](f, y0, plan);
}
