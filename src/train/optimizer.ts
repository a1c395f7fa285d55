// The node-classification trainers' optimizers and their L2 weight decay (added to the gradients as torch's
// weight_decay does), shared by the full-batch and the mini-batch trainer.
import { tf } from "../backend";
import type { NamedTensorMap, Optimizer, Tensor, Variable } from "@tensorflow/tfjs";
import { flatAdam, type GradientOptimizer } from "./flat-adam";

export type OptimizerName = "adam" | "adamax";
export const OPTIMIZERS: readonly OptimizerName[] = ["adam", "adamax"];

export function makeOptimizer(name: OptimizerName, lr: number): GradientOptimizer {
  return name === "adam" ? flatAdam(lr, { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }) : (tf.train.adamax(lr, 0.9, 0.999, 1e-8) as Optimizer);
}

/** One update from `grads` (by variable name), with wd·v added to the gradient of each variable in `decayIds`. */
export function applyDecayedGradients(optimizer: GradientOptimizer, variables: Variable[], grads: NamedTensorMap, wd: number,
  decayIds: ReadonlySet<number>): void {
  tf.tidy(() => {
    const decayed: NamedTensorMap = {};
    for (const v of variables) {
      const g: Tensor | undefined = grads[v.name];
      if (g) decayed[v.name] = wd > 0 && decayIds.has(v.id) ? tf.add(g, tf.mul(v, wd)) : g;
    }
    optimizer.applyGradients(decayed);
  });
}
