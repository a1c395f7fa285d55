import { tf } from "../backend";
import type { Tensor } from "@tensorflow/tfjs";
import { solve } from "./loop";
import { tapeIsOn } from "./tape";
import { makePlan } from "./plan";
import { constantWeights, differentiableWeights } from "./weights";
import type { FdeOptions, VectorField } from "./types";

/**
 * Solves the Caputo FDE D^β y = f(t, y), y(0) = y0 on the grid t_k = k·stepSize. Built from ordinary tfjs
 * ops, so tf.grad and friends differentiate it (with respect to y0, anything f reads, and β if it is a
 * tf.Variable). Returns y(tEnd), or the states at `times` stacked on a new axis 0.
 */
export function fdeint(f: VectorField, y0: Tensor, opts: FdeOptions): Tensor {
  const plan = makePlan(opts, y0);
  return tf.tidy(() => {
    const taped = tapeIsOn();
    const weights = plan.betaVariable && taped ? differentiableWeights(plan.tables, plan.betaVariable) : constantWeights(plan.tables);
    return solve(f, y0, plan, weights, false).output;
  });
}
