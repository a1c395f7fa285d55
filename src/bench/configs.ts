// The benchmark configurations of issue 7 (the same as the torchfde reference figures).
import type { BenchConfig, FgrandBenchConfig, MlpBenchConfig } from "./types";

const b1 = (hidden: number): FgrandBenchConfig => ({
  kind: "fgrand", name: `B1-H${hidden}`, dataset: "cora", hidden, lr: 0.01,
  solver: { beta: 0.85, tEnd: 40, stepSize: 1, method: "predictor" },
});

const mlp = (name: string, n: number): MlpBenchConfig => ({
  kind: "mlp", name, rows: 256, dim: 64, hidden: 256, lr: 1e-3,
  solver: { beta: 0.6, tEnd: 2, stepSize: 2 / n, method: "predictor" },
});

const B3_STEPS = [10, 20, 40, 80, 160, 320] as const;

export const CONFIGS: readonly BenchConfig[] = [
  b1(64), b1(256), mlp("B2", 40), ...B3_STEPS.map((n) => mlp(`B3-N${n}`, n)),
];

export type Suite = "memory" | "scaling" | "all";
export const SUITES: readonly Suite[] = ["memory", "scaling", "all"];

/** Number of solver steps N = tEnd / h. */
export function stepsOf(c: BenchConfig): number {
  return Math.round(c.solver.tEnd / c.solver.stepSize);
}

export function suiteConfigs(suite: Suite): BenchConfig[] {
  if (!SUITES.includes(suite)) throw new Error(`suite is "${suite}"; allowed: ${SUITES.join(", ")}`);
  return CONFIGS.filter((c) =>
    suite === "all" || (suite === "memory" ? !c.name.startsWith("B3") : c.name.startsWith("B3")));
}

/** Configurations by name or prefix ("B1" = both B1 sizes, "B3" = every N, "B3-N160" = one). */
export function selectConfigs(names: string[]): BenchConfig[] {
  const out: BenchConfig[] = [];
  for (const name of names) {
    const hits = CONFIGS.filter((c) => c.name === name || c.name.startsWith(`${name}-`));
    if (hits.length === 0) {
      throw new Error(`configs: "${name}" matches no configuration; allowed: ${CONFIGS.map((c) => c.name).join(", ")}, B1, B3`);
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
