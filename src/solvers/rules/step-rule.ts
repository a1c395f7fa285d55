// What a step rule is: one scheme family's step, forward, and beside it its transpose (the reverse step of
// the discrete adjoint). The loop (solvers/loop.ts) and the reverse sweep (adjoint/discrete-adjoint.ts) are
// drivers that own the histories and call these; they know no family.
import type { Tensor, Tensor2D } from "@tensorflow/tfjs";
import type { Vjp } from "../types";
import type { ForwardWeights, WeightsAndDerivatives } from "../weights";

/** What the forward loop hands a rule, the same at every step. */
export interface ForwardContext {
  y0: Tensor;
  /** f(t, y), checked; `step` names the step in errors. */
  field(t: number, y: Tensor, step: number): Tensor;
  stepSize: number;
  correctorSteps: number;
  weights: ForwardWeights;
}

/** What the reverse sweep hands a rule, the same at every step. */
export interface ReverseContext {
  y0: Tensor;
  stepSize: number;
  correctorSteps: number;
  weights: WeightsAndDerivatives;
  /** True when β is a tf.Variable: the rule adds its terms of ∂L/∂β. */
  learnBeta: boolean;
  /** One VJP of f at (t, y) (f(t, y) as `value` when needValue); its parameter gradients go into ∂L/∂θ. */
  vjp(t: number, y: Tensor, cotangent: Tensor, step: number, needValue: boolean): Vjp;
  addToY0(gradient: Tensor, scale?: number): void;
  /** ∂L/∂β += scale · ⟨a, b⟩ (summed in float64). */
  addToBeta(a: Tensor, b: Tensor, scale?: number): void;
}

/** The reverse sweep's view of step j's history entry. */
export interface EntryCotangents {
  /** y_j. */
  state: Tensor;
  /** ∂L/∂y_j so far (losses at t_j), or null when there is none. */
  stateCotangent: Tensor | null;
  /** ξ_j: the cotangent of history entry j (Σ over later steps of their weights times ρ). */
  entryCotangent: Tensor;
  /** ξ'_j: the same sum with the weights' β-derivatives (when β is learned). */
  entryBetaCotangent: Tensor | null;
  /** μ_{j+1} = ∂L/∂y_{j+1} (total). */
  nextStateCotangent: Tensor;
}

export interface StepRule {
  /** History entry k (its one row): f_k or u_k. */
  historyEntry(ctx: ForwardContext, y: Tensor, fk: Tensor): Tensor[];
  /** y_{k+1} from y0 + S_{k+1}^r for each history sum r (in y's shape), and the inputs of the f calls made in the step. */
  advance(ctx: ForwardContext, k: number, bases: Tensor[], fk: Tensor): { next: Tensor; stageInputs: Tensor[] };
  /**
   * Transpose of f_j = f(t_j, y_j) and of history entry j: returns ∂L/∂y_j with this step's terms added
   * (μ_j); adds its terms of ∂L/∂y0, ∂L/∂θ and ∂L/∂β.
   */
  transposeEntry(ctx: ReverseContext, j: number, cotangents: EntryCotangents): Tensor;
  /**
   * Transpose of advance (step j - 1 to y_j): from μ_j = ∂L/∂y_j, ρ_j, the cotangents of the sums S_j as
   * the reverse history's entry j (one row per forward sum); adds its terms of ∂L/∂y0, ∂L/∂θ and ∂L/∂β.
   */
  transposeAdvance(ctx: ReverseContext, j: number, stateCotangent: Tensor, stageInputs: Tensor[]): Tensor[];
}
