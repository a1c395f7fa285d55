import type { Tensor } from "@tensorflow/tfjs";
import { solveDirect } from "./direct";
import { checkOptionNames } from "./options";
import { makePlan } from "./plan";
import type { FdeOptions, VectorField } from "./types";

/**
 * Solves the Caputo FDE D^β y = f(t, y), y(0) = y0 on the grid t_k = k·stepSize. Built from ordinary tfjs
 * ops, so tf.grad and friends differentiate it (with respect to y0, anything f reads, and β if it is a
 * tf.Variable). Returns y(tEnd), or the states at `times` stacked on a new axis 0.
 */
export function fdeint(f: VectorField, y0: Tensor, opts: FdeOptions): Tensor {
  checkOptionNames("fdeint", opts);
  return solveDirect(f, y0, makePlan(opts, y0));
}
