// Fits the fractional Lotka–Volterra parameters a, b, c, d and the order β to observed trajectories by
// gradient descent (β is a tf.Variable, learned like the rest; gradients by default from the discrete adjoint).
import { tf } from "../backend";
import type { Optimizer, Scalar, Tensor, Tensor1D, Variable } from "@tensorflow/tfjs";
import { solveFde } from "../adjoint/solve-fde";
import type { SolverOptions } from "../solvers/options";
import { lotkaVolterraField, lvCoefficients, type LotkaVolterraParams } from "../models/lotka-volterra";
import {
  checkModelOptionNames, checkSolverValues, resolveSolverOptions, type ModelSolverOptions,
} from "../models/solver-options";
import type { LvData } from "../data/lotka-volterra";

export interface LvEstimate extends LotkaVolterraParams { beta: number }

export interface LvEpoch extends LvEstimate {
  epoch: number;
  loss: number;
  ms: number;
}

export interface LvFitOptions {
  /** Starting point (default a, b, c, d = 0.8, 0.4, 0.8, 0.4 and β = 0.9). */
  init?: LvEstimate;
  epochs?: number;
  /** Adam learning rate (default 0.03). */
  lr?: number;
  /**
   * The model's solve (defaults: stepSize 0.1, which must divide every observation time; method
   * 'corrector'; gradient 'adjoint'). β is the learned order and tEnd the last observation time.
   */
  solver?: ModelSolverOptions;
  /** Learn β (default true); otherwise it stays at init.beta. */
  learnBeta?: boolean;
  /** Called after every epoch; return false to stop. */
  onEpoch?: (r: LvEpoch) => void | boolean;
}

const LV_FIT_OPTION_NAMES = ["init", "epochs", "lr", "solver", "learnBeta", "onEpoch"] as const satisfies
  readonly (keyof LvFitOptions)[];
const allListed: Exclude<keyof LvFitOptions, (typeof LV_FIT_OPTION_NAMES)[number]> extends never ? true : false = true;
void allListed;

export interface LvFitResult {
  estimate: LvEstimate;
  loss: number;
  history: LvEpoch[];
}

const DEFAULT_INIT: LvEstimate = { a: 0.8, b: 0.4, c: 0.8, d: 0.4, beta: 0.9 };

const SET_BY_DATA = {
  beta: "is set by the parameters: the order is init.beta (fitLotkaVolterra) or p.beta (lvTrajectory)",
  tEnd: "is set by the data: the solve ends at the last observation time",
  times: "is set by the data: the states are compared at the observation times",
};

/** The solver settings of the Lotka–Volterra model; β and the times come from the caller. */
function lvSolver(owner: string, given: unknown, gradient: "adjoint" | "direct", beta: number, times: number[]) {
  const solver = resolveSolverOptions(owner, given, { stepSize: 0.1, method: "corrector", gradient }, SET_BY_DATA);
  for (const t of times) {
    if (Math.abs(t / solver.stepSize - Math.round(t / solver.stepSize)) > 1e-6) {
      throw new Error(`${owner}: solver.stepSize is ${solver.stepSize}; allowed: a step that divides every observation time (t = ${t} is off the grid)`);
    }
  }
  const opts = { ...solver, beta, tEnd: times[times.length - 1], times };
  checkSolverValues(owner, opts);
  return opts;
}

/** Mean squared error between the model's states at data.times and the noisy observations. */
function lvLoss(theta: Tensor1D, beta: Variable | number, solver: Omit<SolverOptions, "params">, obs: Tensor, y0: Tensor): Scalar {
  const { r, K } = lvCoefficients(theta);
  const pred = solveFde(lotkaVolterraField(r, K), y0, { ...solver, beta, params: [r, K] });
  return tf.mean(tf.square(tf.sub(pred, obs))) as Scalar;
}

/** Learns a, b, c, d and β from data.noisy. */
export async function fitLotkaVolterra(data: LvData, opts: LvFitOptions = {}): Promise<LvFitResult> {
  checkModelOptionNames("fitLotkaVolterra", opts, LV_FIT_OPTION_NAMES);
  const init = opts.init ?? DEFAULT_INIT;
  const epochs = opts.epochs ?? 200;
  if (!Number.isInteger(epochs) || epochs <= 0) throw new Error(`fitLotkaVolterra: epochs is ${epochs}; allowed: a positive integer`);
  if (!(init.beta > 0 && init.beta <= 1)) throw new Error(`fitLotkaVolterra: init.beta is ${init.beta}; allowed: 0 < beta <= 1`);
  const solver = lvSolver("fitLotkaVolterra", opts.solver, "adjoint", init.beta, data.times);
  const theta = tf.tidy(() => tf.variable(tf.tensor1d([init.a, init.b, init.c, init.d]), true));
  const learnBeta = opts.learnBeta ?? true;
  const beta = tf.tidy(() => tf.variable(tf.scalar(init.beta), learnBeta));
  const obs = tf.tensor3d(data.noisy);
  const y0 = tf.tensor2d(data.initial);
  // Typed as the base class, whose applyGradients takes the gradients variableGrads returns.
  const optimizer: Optimizer = tf.train.adam(opts.lr ?? 0.03);
  const vars = learnBeta ? [theta, beta] : [theta];
  const history: LvEpoch[] = [];
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const start = performance.now();
      const loss = tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => lvLoss(theta, learnBeta ? beta : init.beta, solver, obs, y0), vars);
        optimizer.applyGradients(grads);
        theta.assign(tf.maximum(theta, 1e-3));
        beta.assign(tf.clipByValue(beta, 0.05, 1));
        return value.dataSync()[0];
      });
      const [a, b, c, d] = theta.dataSync();
      const rec = { epoch, loss, a, b, c, d, beta: beta.dataSync()[0], ms: performance.now() - start };
      history.push(rec);
      if (opts.onEpoch?.(rec) === false) break;
      await new Promise((r) => setImmediate(r));
    }
  } finally {
    optimizer.dispose();
    tf.dispose([theta, beta, obs, y0]);
  }
  const last = history[history.length - 1];
  return { estimate: { a: last.a, b: last.b, c: last.c, d: last.d, beta: last.beta }, loss: last.loss, history };
}

/**
 * The model's trajectories [times][B][2] for given parameters (e.g. to plot fitted against true), solved
 * as the fit solves (solver defaults: stepSize 0.1, method 'corrector').
 */
export function lvTrajectory(p: LvEstimate, initial: number[][], times: number[], solver?: ModelSolverOptions): number[][][] {
  const opts = lvSolver("lvTrajectory", solver, "direct", p.beta, times);
  return tf.tidy(() => {
    const { r, K } = lvCoefficients(tf.tensor1d([p.a, p.b, p.c, p.d]));
    return solveFde(lotkaVolterraField(r, K), tf.tensor2d(initial), { ...opts, params: [r, K] }).arraySync() as number[][][];
  });
}
