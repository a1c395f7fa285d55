// Measures one (configuration, mode) in this process: peak tensor bytes of a training step (tf.profile),
// peak RSS above the post-set-up baseline, step times after a warm-up, the adjoint's gradient error, and
// for the fast history its K and its distance from the exact solution.
import * as os from "node:os";
import { tf, backendInfo } from "../backend";
import type { Tensor } from "@tensorflow/tfjs";
import { flatAdam, type GradientOptimizer } from "../train/flat-adam";
import { relativeDifference } from "../analysis/relative-difference";
import { resolveConfig, stepsOf } from "./configs";
import { DEFAULT_TOLERANCE } from "../solvers/exponential-fit";
import { fastVsExact, kernelCount } from "./fast-history-figures";
import { fgrandProblem } from "./fgrand-problem";
import { mlpProblem } from "./mlp-problem";
import { tanhProblem } from "./tanh-problem";
import type { Problem } from "./problem";
import { watchRss } from "./rss";
import { startNativeKernelLog } from "../native-ops";
import { BENCH_MODES, type BenchConfig, type BenchMode, type BenchResult, type StepBreakdown } from "./types";

export interface RunOptions {
  /** Timed steps after the warm-up and the profiled step (default 7, as results/torchfde-peer.py times; at least 1). */
  repeats?: number;
  /** Compare adjoint and direct gradients at the end (default true). */
  gradCheck?: boolean;
  /** Initialisation seed (default 7). */
  seed?: number;
}

function makeProblem(c: BenchConfig, seed?: number): Problem {
  if (c.kind === "fgrand") return fgrandProblem(c, seed);
  if (c.kind === "mlp") return mlpProblem(c, seed);
  if (c.kind === "tanh") return tanhProblem(c, seed);
  throw new Error(`config.kind is "${(c as { kind: string }).kind}"; allowed: fgrand, mlp, tanh`);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((p, q) => p - q);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** One training step (forward, loss, gradients, Adam update), timed by phase. */
function trainStep(p: Problem, mode: BenchMode, opt: GradientOptimizer): { loss: number; phases: StepBreakdown } {
  p.timers.fieldMs = 0;
  p.timers.vjpMs = 0;
  const t0 = performance.now();
  let t1 = t0, f1 = 0;
  const { value, grads } = tf.variableGrads(() => {
    const l = p.loss(mode);
    t1 = performance.now();
    f1 = p.timers.fieldMs;
    return l;
  }, p.variables);
  const t2 = performance.now();
  opt.applyGradients(grads);
  const loss = value.dataSync()[0];
  const t3 = performance.now();
  tf.dispose([value, ...Object.values(grads)]);
  return {
    loss,
    phases: {
      forwardMs: t1 - t0, forwardFieldMs: f1, backwardMs: t2 - t1, backwardFieldMs: p.timers.fieldMs - f1,
      backwardVjpMs: p.timers.vjpMs, updateMs: t3 - t2,
    },
  };
}

function gradients(p: Problem, mode: BenchMode): Tensor[] {
  const { value, grads } = tf.variableGrads(() => p.loss(mode), p.variables);
  value.dispose();
  return p.variables.map((v) => grads[v.name]);
}

/** ‖g_adjoint − g_direct‖ / ‖g_direct‖ over all variables at the problem's current point. */
function gradientRelDiff(p: Problem): number {
  const gd = gradients(p, "direct");
  const ga = gradients(p, "adjoint");
  try {
    return relativeDifference(ga, gd);
  } finally {
    tf.dispose([...gd, ...ga]);
  }
}

function topKernels(kernels: { name: string; kernelTimeMs: unknown }[], count = 8) {
  const by = new Map<string, { name: string; count: number; ms: number }>();
  for (const k of kernels) {
    const e = by.get(k.name) ?? { name: k.name, count: 0, ms: 0 };
    e.count++;
    e.ms += typeof k.kernelTimeMs === "number" ? k.kernelTimeMs : 0;
    by.set(k.name, e);
  }
  return [...by.values()].sort((a, b) => b.ms - a.ms).slice(0, count).map((e) => ({ ...e, ms: Number(e.ms.toFixed(2)) }));
}

function checkMode(mode: BenchMode): void {
  if (!BENCH_MODES.includes(mode)) throw new Error(`mode is "${mode}"; allowed: ${BENCH_MODES.join(", ")}`);
}

/** Runs one configuration in one mode in this process (use runInChild for clean RSS peaks). */
export async function runConfig(config: BenchConfig | string, mode: BenchMode, opts: RunOptions = {}): Promise<BenchResult> {
  const c = resolveConfig(config);
  checkMode(mode);
  if (c.modes && !c.modes.includes(mode)) {
    throw new Error(`${c.name} runs in mode ${c.modes.join(", ")} only; mode "${mode}" does not fit (N = ${stepsOf(c)})`);
  }
  const history = c.solver.history ?? "exact";
  if (c.exactCheck && history !== "fast") {
    throw new Error(`${c.name}: exactCheck is true with history '${history}'; allowed: exactCheck only with history 'fast'`);
  }
  const K = kernelCount(c); // before the run: a tolerance the fit cannot reach fails here, with the fit's message
  const measured = await measure(c, mode, opts);
  // After the measurement, on a fresh problem with the same seed (the same initial parameters), so that the
  // exact solve's O(N²) work and memory stay out of the measured step and its RSS peak.
  const exactRelDiff = c.exactCheck ? withProblem(c, opts.seed, (p) => fastVsExact(p, c)) : null;
  return {
    ...measured, history, tolerance: history === "fast" ? c.solver.tolerance ?? DEFAULT_TOLERANCE : null,
    checkpoints: c.solver.checkpoints ?? null, K, exactRelDiff,
  };
}

function withProblem<T>(c: BenchConfig, seed: number | undefined, fn: (p: Problem) => T): T {
  const p = makeProblem(c, seed);
  try {
    return fn(p);
  } finally {
    p.dispose();
  }
}

type Measured = Omit<BenchResult, "history" | "tolerance" | "checkpoints" | "K" | "exactRelDiff">;

async function measure(c: BenchConfig, mode: BenchMode, opts: RunOptions): Promise<Measured> {
  const repeats = opts.repeats ?? c.repeats ?? 7;
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`repeats is ${repeats}; allowed: an integer >= 1`);
  const t0 = performance.now();
  const p = makeProblem(c, opts.seed);
  const opt = flatAdam(c.lr);
  const setupMs = performance.now() - t0;
  try {
    const rss = watchRss();
    trainStep(p, mode, opt); // warm-up: kernels, weight tables, Adam's slots
    const startBytes = tf.memory().numBytes;
    let loss = NaN;
    const profiled = Array.isArray(c.profile) ? c.profile.includes(mode) : c.profile ?? true;
    // tf.profile lists the engine's kernels; the ones run straight on the binding (native-ops.ts) join from its log
    const stopLog = startNativeKernelLog();
    const profile = profiled
      ? await tf.profile(() => { loss = trainStep(p, mode, opt).loss; })
      : { peakBytes: NaN, kernels: [] as { name: string; kernelTimeMs: unknown }[] };
    const kernels = [...profile.kernels, ...stopLog()];
    const steps = Array.from({ length: repeats }, () => trainStep(p, mode, opt));
    const rssPeakMB = rss.peakAboveStartMB();
    const ms = steps.map((s) => s.phases.forwardMs + s.phases.backwardMs + s.phases.updateMs);
    const breakdown = { ...steps[0].phases };
    for (const k of Object.keys(breakdown) as (keyof StepBreakdown)[]) breakdown[k] = median(steps.map((s) => s.phases[k]));
    return {
      config: c.name, mode, n: stepsOf(c), hidden: c.hidden, threads: backendInfo().intraOpThreads,
      peakBytes: profile.peakBytes - startBytes, rssPeakMB,
      stepMsMedian: median(ms), stepMsMin: Math.min(...ms), stepMsMax: Math.max(...ms), stepMs: ms,
      gradRelDiff: (opts.gradCheck ?? true) && (!c.modes || c.modes.includes("direct")) ? gradientRelDiff(p) : NaN,
      kernels: profiled ? kernels.length : NaN, topKernels: topKernels(kernels), breakdown, loss: steps[steps.length - 1]?.loss ?? loss, setupMs, load1: os.loadavg()[0],
      backend: backendInfo().name, nodeOptions: process.env.NODE_OPTIONS ?? "", date: new Date().toISOString(),
    };
  } finally {
    opt.dispose();
    p.dispose();
  }
}
