// Fits the fractional Lotka–Volterra parameters a, b, c, d and the order β to observed trajectories by
// gradient descent, with gradients from the discrete adjoint (β is a tf.Variable, learned like the rest).
import { tf } from "../backend";
import type { Scalar, Tensor, Tensor1D, Variable } from "@tensorflow/tfjs";
import { fdeintAdjoint } from "../adjoint/fdeint-adjoint";
import { fdeint } from "../solvers/fdeint";
import type { Method } from "../solvers/types";
import { lotkaVolterraField, lvCoefficients, type LotkaVolterraParams, type LvData } from "../data/lotka-volterra";

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
  /** Solver step of the model (default 0.1; must divide every observation time) and method (default 'corrector'). */
  stepSize?: number;
  method?: Method;
  /** Learn β (default true); otherwise it stays at init.beta. */
  learnBeta?: boolean;
  /** Called after every epoch; return false to stop. */
  onEpoch?: (r: LvEpoch) => void | boolean;
}

export interface LvFitResult {
  estimate: LvEstimate;
  loss: number;
  history: LvEpoch[];
}

const DEFAULT_INIT: LvEstimate = { a: 0.8, b: 0.4, c: 0.8, d: 0.4, beta: 0.9 };

function checkGrid(times: number[], h: number): void {
  for (const t of times) {
    if (Math.abs(t / h - Math.round(t / h)) > 1e-6) {
      throw new Error(`fitLotkaVolterra: stepSize is ${h}; allowed: a step that divides every observation time (t = ${t} is off the grid)`);
    }
  }
}

/**
 * Mean squared error between the model's states at data.times and the noisy observations. r and K are
 * kept (and pushed to `kept`) because the adjoint's reverse sweep reads them after tf.variableGrads has
 * disposed the intermediates of its forward pass.
 */
function lvLoss(theta: Tensor1D, beta: Variable | number, data: LvData, obs: Tensor, y0: Tensor, h: number, method: Method, kept: Tensor[]): Scalar {
  const { r, K } = lvCoefficients(theta);
  kept.push(tf.keep(r), tf.keep(K));
  const pred = fdeintAdjoint(lotkaVolterraField(r, K), y0, {
    beta: beta as Variable, tEnd: data.times[data.times.length - 1], stepSize: h, method, times: data.times, params: [r, K],
  });
  return tf.mean(tf.square(tf.sub(pred, obs))) as Scalar;
}

/** Learns a, b, c, d and β from data.noisy. */
export async function fitLotkaVolterra(data: LvData, opts: LvFitOptions = {}): Promise<LvFitResult> {
  const init = opts.init ?? DEFAULT_INIT;
  const epochs = opts.epochs ?? 200;
  const h = opts.stepSize ?? 0.1;
  const method = opts.method ?? "corrector";
  if (!Number.isInteger(epochs) || epochs <= 0) throw new Error(`fitLotkaVolterra: epochs is ${epochs}; allowed: a positive integer`);
  if (!(init.beta > 0 && init.beta <= 1)) throw new Error(`fitLotkaVolterra: init.beta is ${init.beta}; allowed: 0 < beta <= 1`);
  checkGrid(data.times, h);
  const theta = tf.tidy(() => tf.variable(tf.tensor1d([init.a, init.b, init.c, init.d]), true));
  const learnBeta = opts.learnBeta ?? true;
  const beta = tf.tidy(() => tf.variable(tf.scalar(init.beta), learnBeta));
  const obs = tf.tensor3d(data.noisy);
  const y0 = tf.tensor2d(data.initial);
  const optimizer = tf.train.adam(opts.lr ?? 0.03);
  const vars = learnBeta ? [theta, beta] : [theta];
  const history: LvEpoch[] = [];
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const start = performance.now();
      const kept: Tensor[] = [];
      const loss = tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => lvLoss(theta, learnBeta ? beta : init.beta, data, obs, y0, h, method, kept), vars);
        tf.dispose(kept);
        optimizer.applyGradients(grads as unknown as Parameters<typeof optimizer.applyGradients>[0]);
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

/** The model's trajectories [times][B][2] for given parameters (e.g. to plot fitted against true). */
export function lvTrajectory(p: LvEstimate, initial: number[][], times: number[], stepSize = 0.1, method: Method = "corrector"): number[][][] {
  checkGrid(times, stepSize);
  return tf.tidy(() => {
    const { r, K } = lvCoefficients(tf.tensor1d([p.a, p.b, p.c, p.d]));
    return fdeint(lotkaVolterraField(r, K), tf.tensor2d(initial), {
      beta: p.beta, tEnd: times[times.length - 1], stepSize, method, times,
    }).arraySync() as number[][][];
  });
}
