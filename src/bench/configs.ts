// The benchmark configurations of issue 7 (the same as the torchfde reference figures).
import type { BenchConfig, FgrandBenchConfig, MlpBenchConfig, TanhBenchConfig } from "./types";

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
// "long/tiny" protocol), and B2's field at h = 2/40 over growing T. Direct autodiff only where its tape fits;
// no tf.profile past a few thousand steps (its kernel list overflows).
const tanh = (n: number): TanhBenchConfig => ({
  kind: "tanh", name: `H-tiny-N${n}`, rows: 4, dim: 8, hidden: 8, lr: 1e-3,
  solver: { beta: 0.6, tEnd: n * 0.01, stepSize: 0.01, method: "predictor" },
  ...(n > 1000 ? { modes: ["adjoint"] as const } : {}), ...(n > 2000 ? { profile: false, repeats: 1 } : { repeats: 3 }),
});
const longMlp = (n: number): MlpBenchConfig => ({
  ...mlp(`H-B2-N${n}`, 40), solver: { beta: 0.6, tEnd: n * 0.05, stepSize: 0.05, method: "predictor" },
  modes: ["adjoint"], profile: false, repeats: 1,
});
const HORIZON_TINY = [1000, 4000, 20000] as const;
const HORIZON_B2 = [1280, 5120] as const;

export const CONFIGS: readonly BenchConfig[] = [
  b1(64), b1(256), mlp("B2", 40), ...B3_STEPS.map((n) => mlp(`B3-N${n}`, n)),
  ...HORIZON_TINY.map(tanh), ...HORIZON_B2.map(longMlp),
];

export type Suite = "memory" | "scaling" | "horizon" | "all";
export const SUITES: readonly Suite[] = ["memory", "scaling", "horizon", "all"];

/** Number of solver steps N = tEnd / h. */
export function stepsOf(c: BenchConfig): number {
  return Math.round(c.solver.tEnd / c.solver.stepSize);
}

export function suiteConfigs(suite: Suite): BenchConfig[] {
  if (!SUITES.includes(suite)) throw new Error(`suite is "${suite}"; allowed: ${SUITES.join(", ")}`);
  const of: Record<Exclude<Suite, "all">, (name: string) => boolean> = {
    memory: (name) => name.startsWith("B1") || name === "B2",
    scaling: (name) => name.startsWith("B3"),
    horizon: (name) => name.startsWith("H-"),
  };
  // "all" is the suite of the README's table (memory and scaling); horizon runs for minutes per row.
  return CONFIGS.filter((c) => (suite === "all" ? !of.horizon(c.name) : of[suite](c.name)));
}

/** Configurations by name or prefix ("B1" = both B1 sizes, "B3" = every N, "B3-N160" = one, "H-tiny" = its N). */
export function selectConfigs(names: string[]): BenchConfig[] {
  const out: BenchConfig[] = [];
  for (const name of names) {
    const hits = CONFIGS.filter((c) => c.name === name || c.name.startsWith(`${name}-`));
    if (hits.length === 0) {
      throw new Error(`configs: "${name}" matches no configuration; allowed: ${CONFIGS.map((c) => c.name).join(", ")}, B1, B3, H-tiny, H-B2`);
    }
    hits.forEach((c) => { if (!out.includes(c)) out.push(c); });
  }
  return out;
}

/** A configuration by name, or the object itself (notebooks and tests pass their own small ones). */
export function resolveConfig(config: BenchConfig | string): BenchConfig {
  if (typeof config !== "string") return config;
  const c = CONFIGS.find((x) => x.name === config);
  if (!c) throw new Error(`config is "${config}"; allowed: ${CONFIGS.map((x) => x.name).join(", ")}`);
  return c;
}
