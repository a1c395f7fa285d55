// The 'direct' gradient strategy: the stepping loop made of ordinary tfjs ops, differentiated by autodiff.
import { tf } from "../backend";
import type { Tensor } from "@tensorflow/tfjs";
import { solve } from "./loop";
import type { Plan } from "./plan";
import type { VectorField } from "./types";

export function solveDirect(f: VectorField, y0: Tensor, plan: Plan): Tensor {
  return tf.tidy(() => solve(f, y0, plan, false).output);
}
