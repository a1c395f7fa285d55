// Checks the options of a solve and turns them into a plan: grid, method, weights, output indices.
import { tf } from "../backend";
import type { Tensor, Variable } from "@tensorflow/tfjs";
import { METHODS, type FdeOptions, type Method } from "./types";
import { schemeTables, type Tables } from "./weights";

export interface Plan {
  method: Method;
  beta: number;
  betaVariable: Variable | null;
  n: number;
  h: number;
  tEnd: number;
  memory: number;
  stages: number;
  /** Grid indices returned, in order; null = only y(tEnd), unstacked. */
  outputIndices: number[] | null;
  tables: Tables;
}

const fmt = (v: unknown) => (typeof v === "number" || typeof v === "string" ? String(v) : JSON.stringify(v));

function fail(arg: string, value: unknown, allowed: string): never {
  throw new Error(`${arg} = ${fmt(value)} is not allowed: ${allowed}`);
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

export function makePlan(opts: FdeOptions, y0: Tensor): Plan {
  if (opts === null || typeof opts !== "object") fail("options", opts, "an object { beta, tEnd, stepSize, ... }");
  if (!(y0 instanceof tf.Tensor)) fail("y0", typeof y0, "a tf.Tensor");
  if (y0.dtype !== "float32") fail("y0.dtype", y0.dtype, "float32");
  const method = opts.method ?? "predictor";
  if (!METHODS.includes(method)) fail("method", method, METHODS.join(", "));
  const { value: beta, variable } = readBeta(opts.beta);
  const { tEnd, stepSize: h } = opts;
  if (typeof tEnd !== "number" || !(tEnd > 0) || !Number.isFinite(tEnd)) fail("tEnd", tEnd, "a finite number > 0");
  if (typeof h !== "number" || !(h > 0) || !Number.isFinite(h)) fail("stepSize", h, "a finite number > 0");
  const ratio = tEnd / h;
  const n = Math.round(ratio);
  if (n < 1 || Math.abs(ratio - n) > 1e-9 * Math.max(1, ratio)) {
    fail("stepSize", h, `tEnd / stepSize must be a whole number >= 1 (tEnd = ${tEnd} gives ${ratio})`);
  }
  const memory = opts.memory ?? n;
  if (!Number.isInteger(memory) || memory < 1) fail("memory", memory, "a whole number of steps >= 1");
  const stages = method === "corrector" ? opts.correctorSteps ?? 1 : 0;
  if (method === "corrector" && (!Number.isInteger(stages) || stages < 1)) fail("correctorSteps", stages, "a whole number >= 1");
  if (method !== "corrector" && opts.correctorSteps !== undefined) fail("correctorSteps", opts.correctorSteps, "only with method 'corrector'");
  let outputIndices: number[] | null = null;
  if (opts.times !== undefined) {
    if (!Array.isArray(opts.times) || opts.times.length === 0) fail("times", opts.times, "a non-empty array of grid times");
    outputIndices = opts.times.map((t, i) => {
      const k = Math.round(t / h);
      if (typeof t !== "number" || !(t >= 0 && t <= tEnd * (1 + 1e-12)) || Math.abs(t / h - k) > 1e-6) {
        fail(`times[${i}]`, t, `grid times k * stepSize in [0, ${tEnd}] (stepSize ${h})`);
      }
      return k;
    });
  }
  const y0Data = y0.dataSync();
  for (let i = 0; i < y0Data.length; i++) {
    if (!Number.isFinite(y0Data[i])) fail(`y0[${i}] (flat index)`, y0Data[i], "finite numbers (no NaN or Infinity)");
  }
  return {
    method, beta, betaVariable: variable, n, h, tEnd, memory: Math.min(memory, n), stages, outputIndices,
    tables: schemeTables(method, beta, n, h, Math.min(memory, n)),
  };
}
