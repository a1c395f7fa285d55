// Checks the option values of a solve and turns them into a plan: grid, scheme, weights, outputs, gradient.
import { tf } from "../backend";
import type { Tensor, Variable } from "@tensorflow/tfjs";
import { fail } from "./fail";
import { GRADIENTS, type Gradient, type SolverOptions } from "./options";
import { STEP_RULES } from "./rules";
import type { StepRule } from "./rules/step-rule";
import { schemeWeights, type WeightsAndDerivatives } from "./weights";
import { checkTolerance, DEFAULT_TOLERANCE, exponentialFit, LOCAL, type ExponentialFit } from "./exponential-fit";
import { METHODS, type Method } from "./types";

export interface Plan {
  method: Method;
  beta: number;
  /** β when it is a tf.Variable (learnable), else null. */
  betaVariable: Variable | null;
  steps: number;
  stepSize: number;
  tEnd: number;
  /** Short-memory window in steps, at most `steps`. */
  memory: number;
  /** Corrections per step: correctorSteps for the corrector, 0 for every other method. */
  correctorSteps: number;
  /** Grid indices returned, in order; null = only y(tEnd), unstacked. */
  outputIndices: number[] | null;
  weights: WeightsAndDerivatives;
  /** history 'fast': the exponential fit of the far lags, and the weights truncated to its local window. */
  fit: ExponentialFit | null;
  localWeights: WeightsAndDerivatives | null;
  rule: StepRule;
  gradient: Gradient;
  /** The tensors that get gradients from an adjoint ([] with 'direct'). */
  params: Tensor[];
  /** The steps whose state and fast history the adjoint's forward keeps (segment starts, from 0), or null: every state. */
  checkpoints: number[] | null;
}

/** `checkpoints` (a count, or 'auto' ≈ √(N / (K + L + 1)), which balances the checkpoints' fast histories against one segment's states). */
function readCheckpoints(value: unknown, history: string, gradient: Gradient, steps: number, fit: ExponentialFit | null): number[] | null {
  if (value === undefined) return null;
  if (history !== "fast") {
    fail("checkpoints", value, "only with history 'fast' (the exact history reads every state in the reverse sweep, so there is nothing to recompute)");
  }
  if (gradient !== "adjoint") fail("checkpoints", value, "only with the discrete adjoint (gradient 'adjoint', fdeintAdjoint's adjoint 'discrete')");
  if (value !== "auto" && !(Number.isInteger(value) && (value as number) >= 1 && (value as number) <= steps)) {
    fail("checkpoints", value, `'auto' or a whole number in [1, ${steps}] (the steps)`);
  }
  if (!fit) return null;
  const count = value === "auto" ? Math.max(1, Math.round(Math.sqrt(steps / (fit.decay.length + fit.local + 1)))) : (value as number);
  const length = Math.ceil(steps / count);
  return Array.from({ length: Math.ceil(steps / length) }, (_, i) => i * length);
}

export function readBeta(beta: number | Variable): { value: number; variable: Variable | null } {
  if (typeof beta === "number") {
    if (!(beta > 0 && beta <= 1)) fail("beta", beta, "the order must satisfy 0 < beta <= 1");
    return { value: beta, variable: null };
  }
  if (!(beta instanceof tf.Variable) || beta.size !== 1 || beta.rank !== 0) {
    fail("beta", beta instanceof tf.Tensor ? `a tensor of shape [${beta.shape}]` : typeof beta,
      "a number in (0, 1] or a scalar tf.Variable");
  }
  const value = beta.dataSync()[0];
  if (!(value > 0 && value <= 1)) fail("beta (tf.Variable value)", value, "the order must satisfy 0 < beta <= 1");
  return { value, variable: beta };
}

function readParams(params: unknown, gradient: Gradient): Tensor[] {
  if (params === undefined && gradient === "direct") return [];
  if (!Array.isArray(params)) {
    fail("params", typeof params, "an array of the tensors f reads that need gradients (may be [])" +
      (gradient === "direct" ? "" : `; required with gradient '${gradient}'`));
  }
  params.forEach((p, i) => {
    if (!(p instanceof tf.Tensor)) fail(`params[${i}]`, typeof p, "each entry must be a tf.Tensor");
    if (p.dtype !== "float32") fail(`params[${i}].dtype`, p.dtype, "float32 tensors only");
  });
  return params as Tensor[];
}

const FAST_METHODS: Method[] = ["predictor", "corrector", "l1", "gl"];

export function makePlan(opts: SolverOptions, y0: Tensor): Plan {
  if (opts === null || typeof opts !== "object") fail("options", opts, "an object { beta, tEnd, stepSize, ... }");
  if (!(y0 instanceof tf.Tensor)) fail("y0", typeof y0, "a tf.Tensor");
  if (y0.dtype !== "float32") fail("y0.dtype", y0.dtype, "float32");
  const method = opts.method ?? "predictor";
  if (!METHODS.includes(method)) fail("method", method, METHODS.join(", "));
  const { value: beta, variable } = readBeta(opts.beta);
  const { tEnd, stepSize } = opts;
  if (typeof tEnd !== "number" || !(tEnd > 0) || !Number.isFinite(tEnd)) fail("tEnd", tEnd, "a finite number > 0");
  if (typeof stepSize !== "number" || !(stepSize > 0) || !Number.isFinite(stepSize)) fail("stepSize", stepSize, "a finite number > 0");
  const ratio = tEnd / stepSize;
  const steps = Math.round(ratio);
  if (steps < 1 || Math.abs(ratio - steps) > 1e-9 * Math.max(1, ratio)) {
    fail("stepSize", stepSize, `tEnd / stepSize must be a whole number >= 1 (tEnd = ${tEnd} gives ${ratio})`);
  }
  const memory = opts.memory ?? steps;
  if (!Number.isInteger(memory) || memory < 1) fail("memory", memory, "a whole number of steps >= 1");
  const correctorSteps = method === "corrector" ? opts.correctorSteps ?? 1 : 0;
  if (method === "corrector" && (!Number.isInteger(correctorSteps) || correctorSteps < 1)) {
    fail("correctorSteps", correctorSteps, "a whole number >= 1");
  }
  if (method !== "corrector" && opts.correctorSteps !== undefined) fail("correctorSteps", opts.correctorSteps, "only with method 'corrector'");
  let outputIndices: number[] | null = null;
  if (opts.times !== undefined) {
    if (!Array.isArray(opts.times) || opts.times.length === 0) fail("times", opts.times, "a non-empty array of grid times");
    outputIndices = opts.times.map((t, i) => {
      const k = Math.round(t / stepSize);
      if (typeof t !== "number" || !(t >= 0 && t <= tEnd * (1 + 1e-12)) || Math.abs(t / stepSize - k) > 1e-6) {
        fail(`times[${i}]`, t, `grid times k * stepSize in [0, ${tEnd}] (stepSize ${stepSize})`);
      }
      return k;
    });
  }
  const gradient = opts.gradient ?? "direct";
  if (!GRADIENTS.includes(gradient)) fail("gradient", gradient, GRADIENTS.join(", "));
  const params = readParams(opts.params, gradient);
  if (gradient === "continuous-adjoint" && variable) {
    throw new Error("beta is a tf.Variable but the continuous adjoint (gradient 'continuous-adjoint', fdeintAdjoint's adjoint " +
      "'continuous') has no gradient for the order: use the discrete adjoint (gradient 'adjoint', adjoint 'discrete')");
  }
  const y0Data = y0.dataSync();
  for (let i = 0; i < y0Data.length; i++) {
    if (!Number.isFinite(y0Data[i])) fail(`y0[${i}] (flat index)`, y0Data[i], "finite numbers (no NaN or Infinity)");
  }
  const window = Math.min(memory, steps);
  const history = opts.history ?? "exact";
  if (history !== "exact" && history !== "fast") fail("history", history, "'exact' or 'fast'");
  if (history === "exact" && opts.tolerance !== undefined) fail("tolerance", opts.tolerance, "only with history 'fast'");
  let fit: ExponentialFit | null = null;
  let localWeights: WeightsAndDerivatives | null = null;
  if (history === "fast") {
    const tolerance = opts.tolerance ?? DEFAULT_TOLERANCE;
    checkTolerance(tolerance);
    if (!FAST_METHODS.includes(method)) {
      fail("method", method, `history 'fast' supports the methods ${FAST_METHODS.join(", ")} (not trapezoid: the tail of its weights alternates in sign, which a sum of decaying exponentials with non-negative coefficients cannot follow)`);
    }
    if (window < steps && window > LOCAL) {
      throw new Error(`history 'fast' with memory = ${memory} is not supported yet: memory must be at least the steps ` +
        `(${steps}) or at most ${LOCAL} (the fast history's exact window); or use history 'exact'`);
    }
    if (window > LOCAL + 1) {
      fit = exponentialFit(method, beta, steps, stepSize, tolerance);
      localWeights = schemeWeights(method, beta, steps, stepSize, LOCAL);
    }
  }
  const checkpoints = readCheckpoints(opts.checkpoints, history, gradient, steps, fit);
  return {
    method, beta, betaVariable: variable, steps, stepSize, tEnd, memory: window, correctorSteps, outputIndices,
    weights: schemeWeights(method, beta, steps, stepSize, window), fit, localWeights, rule: STEP_RULES[method], gradient, params,
    checkpoints,
  };
}
