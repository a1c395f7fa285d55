// nfde bench --kernel-table: the fast history's kernel fits (docs/design.md §2) over a grid of methods, orders
// β, steps N and tolerances: K (the number of exponentials), the fit's largest relative error over every far
// lag, and the time to build it (the scheme's weights and the fit, first call in the process: fits are cached).
import type { Row } from "../plot/figures";
import { checkTolerance, exponentialFit, LOCAL } from "../solvers/exponential-fit";
import { METHODS, type Method } from "../solvers/types";

export interface KernelGrid {
  methods: Method[];
  betas: number[];
  steps: number[];
  stepSize: number;
  tolerances: number[];
}

/** The grid of issue 12: h 0.01, tolerance 1e-6 and, in a second block, 1e-4. */
export const KERNEL_GRID: Readonly<KernelGrid> = {
  methods: ["predictor", "l1", "gl", "corrector"], betas: [0.1, 0.3, 0.5, 0.7, 0.9, 0.99], steps: [1000, 10000, 100000],
  stepSize: 0.01, tolerances: [1e-6, 1e-4],
};

interface KernelCell {
  table: "kernels";
  method: Method;
  beta: number;
  n: number;
  h: number;
  tolerance: number;
}

export interface KernelFit extends KernelCell {
  K: number;
  maxError: number;
  /** Wall time of the fit's first build, rounded to 0.1 ms. */
  buildMs: number;
}

/** A cell whose fit threw (e.g. the tolerance is out of reach within the fit's node cap): the fit's message. */
export interface KernelFitFailure extends KernelCell {
  error: string;
}

export type KernelTableLine = KernelFit | KernelFitFailure;

export const isFailure = (l: KernelTableLine): l is KernelFitFailure => "error" in l;

function checkGrid(g: KernelGrid): void {
  const bad = (name: string, value: unknown, allowed: string) => {
    throw new Error(`kernel table: ${name} is ${JSON.stringify(value)}; allowed: ${allowed}`);
  };
  g.methods.forEach((m) => { if (!METHODS.includes(m)) bad("method", m, METHODS.join(", ")); });
  g.betas.forEach((b) => { if (!(b > 0 && b <= 1)) bad("beta", b, "numbers in (0, 1]"); });
  g.steps.forEach((n) => { if (!(Number.isInteger(n) && n > LOCAL + 1)) bad("N", n, `whole numbers > ${LOCAL + 1} (the fast history's exact window + 1)`); });
  if (!(g.stepSize > 0)) bad("stepSize", g.stepSize, "a positive number");
  g.tolerances.forEach((t) => checkTolerance(t));
}

/** Every cell of the grid, tolerance by tolerance, then method, β and N. */
export function kernelTable(grid: Partial<KernelGrid> = {}): KernelTableLine[] {
  const g: KernelGrid = { ...KERNEL_GRID, ...grid };
  checkGrid(g);
  const out: KernelTableLine[] = [];
  for (const tolerance of g.tolerances) {
    for (const method of g.methods) {
      for (const beta of g.betas) {
        for (const n of g.steps) {
          const cell: KernelCell = { table: "kernels", method, beta, n, h: g.stepSize, tolerance };
          const t0 = performance.now();
          try {
            const fit = exponentialFit(method, beta, n, g.stepSize, tolerance);
            out.push({ ...cell, K: fit.decay.length, maxError: fit.maxError, buildMs: Math.round((performance.now() - t0) * 10) / 10 });
          } catch (e) {
            out.push({ ...cell, error: e instanceof Error ? e.message : String(e) });
          }
        }
      }
    }
  }
  return out;
}

const unique = <T>(xs: T[]) => [...new Set(xs)];

/** One row per (tolerance, method, β): K, largest relative error and build ms at each N ("-": the fit threw). */
export function kernelRows(lines: KernelTableLine[]): Row[] {
  const rows: Row[] = [];
  const steps = unique(lines.map((l) => l.n)).sort((a, b) => a - b);
  for (const tolerance of unique(lines.map((l) => l.tolerance))) {
    for (const method of unique(lines.map((l) => l.method))) {
      for (const beta of unique(lines.map((l) => l.beta))) {
        const cells = lines.filter((l) => l.tolerance === tolerance && l.method === method && l.beta === beta);
        if (cells.length === 0) continue;
        const at = (n: number) => cells.find((l): l is KernelFit => l.n === n && !isFailure(l));
        const row: Row = { tolerance: tolerance.toExponential(0), method, "β": beta };
        for (const n of steps) row[`K N=${n}`] = at(n)?.K ?? null;
        for (const n of steps) row[`err N=${n}`] = at(n)?.maxError.toExponential(1) ?? null;
        for (const n of steps) row[`ms N=${n}`] = at(n)?.buildMs ?? null;
        rows.push(row);
      }
    }
  }
  return rows;
}

/** The cells whose fit threw, one line per method and message (a method every cell of which threw is "skipped"). */
export function kernelFailures(lines: KernelTableLine[]): string[] {
  const out: string[] = [];
  for (const method of unique(lines.map((l) => l.method))) {
    const mine = lines.filter((l) => l.method === method);
    const failed = mine.filter(isFailure);
    if (failed.length === 0) continue;
    if (failed.length === mine.length) {
      out.push(`${method}: skipped, every fit threw: ${failed[0].error}`);
      continue;
    }
    for (const f of failed) out.push(`${method}, β ${f.beta}, N ${f.n}, tolerance ${f.tolerance}: ${f.error}`);
  }
  return out;
}
