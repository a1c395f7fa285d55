// The README's kernels section: the newest `nfde bench --kernel-table` run, K (the number of exponentials of the
// fast history's far-lag fit) per method and β (rows) and N (columns), at tolerance 1e-6.
import { code, fmt, fmtExp, machineText, num, sourceText, unique, type ResultLine } from "./format";
import { newest, runsOf } from "./runs";

const TOLERANCE = 1e-6;

export const isKernelTableRun = (command: string) => /^nfde bench\b.*--kernel-table\b/.test(command);

interface Cell {
  method: string;
  beta: number;
  n: number;
  K: number | null;
  maxError: number | null;
  buildMs: number | null;
}

function cellOf(l: ResultLine): Cell {
  const o = l.output;
  return { method: String(o.method), beta: Number(o.beta), n: Number(o.n), K: num(o.K), maxError: num(o.maxError), buildMs: num(o.buildMs) };
}

export function renderKernels(lines: ResultLine[]): string {
  const run = newest(runsOf(lines, "bench"), (r) => isKernelTableRun(r.command));
  if (!run) throw new Error("results/*.jsonl holds no run of nfde bench --kernel-table --json");
  const mine = run.lines.filter((l) => l.output.table === "kernels" && l.output.tolerance === TOLERANCE);
  if (mine.length === 0) throw new Error(`${run.command} (${run.date}) has no line at tolerance ${TOLERANCE}`);
  const cells = mine.map(cellOf);
  const steps = unique(cells.map((c) => c.n)).sort((a, b) => a - b);
  const rows: string[] = [];
  for (const method of unique(cells.map((c) => c.method))) {
    for (const beta of unique(cells.filter((c) => c.method === method).map((c) => c.beta))) {
      const at = (n: number) => cells.find((c) => c.method === method && c.beta === beta && c.n === n);
      rows.push(`| ${method} | ${beta} | ${steps.map((n) => String(at(n)?.K ?? "—")).join(" | ")} |`);
    }
  }
  const fits = cells.filter((c) => c.K !== null);
  const failed = cells.filter((c) => c.K === null);
  const errors = fits.map((c) => c.maxError).filter((x): x is number => x !== null);
  const times = fits.map((c) => c.buildMs).filter((x): x is number => x !== null);
  const h = unique(mine.map((l) => l.output.h));
  const out = [
    `| method | β | ${steps.map((n) => `N = ${n}`).join(" | ")} |`,
    `|---|---|${steps.map(() => "---|").join("")}`,
    ...rows,
    "",
    `- K: the number of exponentials of the fast history's fit of the far lags, at tolerance ${TOLERANCE.toExponential(0)}, h ${h.join(" / ")}; ` +
      `the largest relative error of a fit over every far lag: ${fmtExp(Math.max(...errors))}; ` +
      `time to build a fit (the scheme's weights and the fit): ${fmt(Math.min(...times))}–${fmt(Math.max(...times))} ms.`,
  ];
  if (failed.length) {
    // "l1 (N=100000: β 0.1, 0.3; N=10000: β 0.99)": no space inside N=…, so that wrapping keeps it whole
    const list = unique(failed.map((c) => c.method)).map((m) => {
      const fs = failed.filter((c) => c.method === m);
      const byN = unique(fs.map((c) => c.n)).sort((a, b) => b - a).map((n) => `N=${n}: β ${fs.filter((c) => c.n === n).map((c) => c.beta).join(", ")}`);
      return `${m} (${byN.join("; ")})`;
    });
    out.push(`- —: no fit within the tolerance (the fit threw): ${list.join(", ")}.`);
  }
  out.push(`- ${code(run.command)}, ${run.date}, ${machineText(run.lines[0].machine)} (${sourceText(run.lines)}).`);
  return out.join("\n");
}
