// The benchmark configurations of issues 7 (the same as the torchfde reference figures) and 12 (long horizons).
import type { BenchConfig, BenchSolverOptions, FgrandBenchConfig, MlpBenchConfig, TanhBenchConfig } from "./types";
import { resolveByName, selectByName } from "./by-name";

const b1 = (hidden: number): FgrandBenchConfig => ({
  kind: "fgrand", name: `B1-H${hidden}`, dataset: "cora", hidden, lr: 0.01,
  solver: { beta: 0.85, tEnd: 40, stepSize: 1, method: "predictor" },
});

const mlp = (name: string, n: number): MlpBenchConfig => ({
  kind: "mlp", name, rows: 256, dim: 64, hidden: 256, lr: 1e-3,
  solver: { beta: 0.6, tEnd: 2, stepSize: 2 / n, method: "predictor" },
});

const B3_STEPS = [10, 20, 40, 80, 160, 320] as const;

// Long horizons (issue 12): the small state f = tanh(yW), W 8×8, y0 [4, 8], β 0.6, h 0.01 (torchfde's
// "long/tiny" protocol), and B2's field at h = 2/40 over growing T; each with the exact history (where it still
// finishes), the fast one, and the fast one with checkpoints. Direct autodiff only where its tape fits; no
// tf.profile of direct's step at N = 1000 nor of any step past a few thousand steps (its kernel list overflows);
// the exact check (an O(N²) value-only solve) up to N = 20480 on the small state and 5120 on B2.
type Variant = "exact" | "fast" | "fast-ckpt";

const horizonSolver = (n: number, h: number, v: Variant): BenchSolverOptions => ({
  beta: 0.6, tEnd: n * h, stepSize: h, method: "predictor",
  ...(v === "exact" ? {} : { history: "fast" as const }), ...(v === "fast-ckpt" ? { checkpoints: "auto" as const } : {}),
});
const suffix = (v: Variant) => (v === "exact" ? "" : `-${v}`);

const tanh = ([n, v]: [number, Variant]): TanhBenchConfig => ({
  kind: "tanh", name: `H-tiny-N${n}${suffix(v)}`, rows: 4, dim: 8, hidden: 8, lr: 1e-3, solver: horizonSolver(n, 0.01, v),
  ...(n > 1000 || v === "fast-ckpt" ? { modes: ["adjoint"] as const } : {}),
  ...(n > 2000 ? { profile: false, repeats: 1 } : { profile: ["adjoint", "adjoint-taped"] as const, repeats: 3 }),
  ...(v !== "exact" && n <= 20480 ? { exactCheck: true } : {}),
});
const longMlp = ([n, v]: [number, Variant]): MlpBenchConfig => ({
  ...mlp(`H-B2-N${n}${suffix(v)}`, 40), solver: horizonSolver(n, 0.05, v),
  modes: ["adjoint"], profile: false, repeats: 1, ...(v !== "exact" && n <= 5120 ? { exactCheck: true } : {}),
});
// Ordered by N, so that the rows compared at one N run close together in time.
const HORIZON_TINY: [number, Variant][] = [
  [1000, "exact"], [1000, "fast"], [4000, "exact"], [4000, "fast"],
  [20000, "fast"], [20000, "fast-ckpt"], [100000, "fast"], [100000, "fast-ckpt"],
];
const HORIZON_B2: [number, Variant][] = [
  [1280, "exact"], [1280, "fast"], [5120, "exact"], [5120, "fast"], [5120, "fast-ckpt"], [20480, "fast"], [20480, "fast-ckpt"],
];

export const CONFIGS: readonly BenchConfig[] = [
  b1(64), b1(256), mlp("B2", 40), ...B3_STEPS.map((n) => mlp(`B3-N${n}`, n)),
  ...HORIZON_TINY.map(tanh), ...HORIZON_B2.map(longMlp),
];

export type Suite = "memory" | "scaling" | "horizon" | "all" | "graph-scale";
export const SUITES: readonly Suite[] = ["memory", "scaling", "horizon", "all", "graph-scale"];

/** Number of solver steps N = tEnd / h. */
export function stepsOf(c: BenchConfig): number {
  return Math.round(c.solver.tEnd / c.solver.stepSize);
}

/** The step-timing configurations of a suite; "graph-scale" has none (its rows are GRAPH_SCALE_CONFIGS, graph-scale-configs.ts). */
export function suiteConfigs(suite: Suite): BenchConfig[] {
  if (!SUITES.includes(suite)) throw new Error(`suite is "${suite}"; allowed: ${SUITES.join(", ")}`);
  const of: Record<Exclude<Suite, "all">, (name: string) => boolean> = {
    memory: (name) => name.startsWith("B1") || name === "B2",
    scaling: (name) => name.startsWith("B3"),
    horizon: (name) => name.startsWith("H-"),
    "graph-scale": () => false,
  };
  // "all" is the suite of the README's table (memory and scaling); horizon runs for minutes per row.
  return CONFIGS.filter((c) => (suite === "all" ? !of.horizon(c.name) : of[suite](c.name)));
}

/**
 * Configurations by name or prefix: "B1" = both B1 sizes, "B3" = every N, "H-tiny" = every small-state row;
 * a full name is that configuration alone ("H-tiny-N1000" is not also H-tiny-N1000-fast).
 */
export function selectConfigs(names: string[]): BenchConfig[] {
  return selectByName(CONFIGS, names, "configuration", ["B1", "B3", "H-tiny", "H-B2"]);
}

/** A configuration by name, or the object itself (notebooks and tests pass their own small ones). */
export function resolveConfig(config: BenchConfig | string): BenchConfig {
  return resolveByName(CONFIGS, config);
}
