// What a reverse sweep (the discrete or the continuous adjoint) takes from the forward solve and gives back.
import type { Tensor } from "@tensorflow/tfjs";
import type { Plan } from "../solvers/plan";
import type { RecordedStates } from "./recorded-states";
import type { VectorField } from "../solvers/types";

export interface ReverseInput {
  f: VectorField;
  y0: Tensor;
  plan: Plan;
  /** y_0 .. y_{N-1} and the corrector's stage inputs per step, from the forward solve (kept or recomputed). */
  recorded: RecordedStates;
  /** y_N. */
  final: Tensor;
  /** ∂L/∂y_k for the grid indices the output holds. */
  cotangents: Map<number, Tensor>;
}

export interface Gradients {
  y0: Tensor;
  params: Tensor[];
  beta: Tensor | null;
}

/** A way to compute the gradients of a solve from what its forward pass kept. */
export type ReverseSweep = (input: ReverseInput) => Gradients;
