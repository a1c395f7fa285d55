// B1: the FGrandL users train (constant Â, no attention, no dropout) on a Planetoid graph with its sparse
// features, and the trainer's loss (cross-entropy on the training nodes). Only the solve is observed: the
// field is timed and the mode picks the gradient.
import { tf } from "../backend";
import type { Tensor, Tensor2D } from "@tensorflow/tfjs";
import { loadPlanetoidSync } from "../data/planetoid";
import { FGrandL, type FGrandOptions } from "../models/fgrand";
import type { SolverOptions } from "../solvers/options";
import type { VectorField } from "../solvers/types";
import { planetoidNodeData, trainingLoss } from "../train/node-classifier";
import { instrument, MODE_SOLVE, type FieldTimers, type Problem } from "./problem";
import type { BenchMode, FgrandBenchConfig } from "./types";

/** FGrandL whose solve is timed and run with the gradient of the current bench mode. */
class MeasuredFGrandL extends FGrandL {
  mode: BenchMode = "direct";

  constructor(edges: ConstructorParameters<typeof FGrandL>[0], numNodes: number, opts: FGrandOptions, private readonly timers: FieldTimers) {
    super(edges, numNodes, opts);
  }

  protected override solve(field: VectorField, X0: Tensor2D, opts: SolverOptions): Tensor {
    const { gradient, handVjp } = MODE_SOLVE[this.mode];
    return super.solve(instrument(field, this.timers, handVjp), X0, { ...opts, gradient });
  }
}

export function fgrandProblem(c: FgrandBenchConfig, seed = 7): Problem & { model: FGrandL } {
  const d = loadPlanetoidSync(c.dataset);
  const data = planetoidNodeData(d);
  const timers: FieldTimers = { fieldMs: 0, vjpMs: 0 };
  const model = new MeasuredFGrandL(d.edges, d.numNodes, {
    numFeatures: d.numFeatures, numClasses: d.numClasses, hidden: c.hidden, inputDropout: 0, dropout: 0, seed, solver: c.solver,
  }, timers);
  return {
    model,
    variables: model.variables,
    timers,
    loss: (mode) => {
      model.mode = mode;
      return tf.tidy(() => trainingLoss(model, data));
    },
    dispose: () => { model.dispose(); data.dispose(); },
  };
}
