import { tf } from "../backend";
import type { Tensor } from "@tensorflow/tfjs";
import { dirichletEnergy } from "../graph/energy";
import type { SparseGraph } from "../graph/sparse-matmul";

/** Dirichlet energy (normalised by the number of nodes) of each state of a stack [K, N, H], e.g. fdeint's output with `times`. */
export function energiesOverTime(states: Tensor, graph: SparseGraph): number[] {
  if (states.rank !== 3) throw new Error(`states has shape [${states.shape}]; allowed: [times, nodes, features] (fdeint with times)`);
  return tf.tidy(() => tf.unstack(states).map((X) => dirichletEnergy(X, graph).dataSync()[0]));
}
