// The README's train section: the newest run of every train command, beside the published GCN figures.
import { code, fmt, fmtAcc, loadText, machineText, MB, num, sourceText, unique, type ResultLine } from "./format";
import { newestOfEachCommand, runsOf, type Run } from "./runs";

interface TrainFigures {
  command: string;
  date: string;
  dataset: string;
  adjoint: boolean;
  seeds: number;
  meanTestAcc: number;
  stdTestAcc: number;
  msPerEpochMedian: number | null;
  peakMB: number | null;
  testAccs: number[];
  lines: ResultLine[];
}

// Records from before the solver options were nested carry args.adjoint; newer ones args.solver.gradient.
function usesAdjoint(args: ResultLine["args"], command: string): boolean {
  const gradient = (args?.solver as { gradient?: unknown } | undefined)?.gradient;
  if (typeof gradient === "string") return gradient !== "direct";
  if (args?.adjoint !== undefined) return args.adjoint !== false;
  return /--adjoint|--gradient[ =](continuous-)?adjoint/.test(command);
}

function trainFigures(r: Run): TrainFigures | null {
  const agg = r.lines.find((l) => l.source === "aggregate" || (l.source === "transcribed" && l.output.aggregate === true));
  if (!agg) return null;
  const o = agg.output;
  const seedLines = r.lines.filter((l) => l.source === "output" && typeof l.output.seed === "number");
  const accs = seedLines.length > 0 ? seedLines.map((l) => l.output.testAcc as number) : (o.testAccs as number[] | undefined) ?? [];
  const peakBytes = num(o.peakBytesMedian);
  return {
    command: r.command, date: r.date, dataset: String(o.dataset), adjoint: usesAdjoint(agg.args, r.command),
    seeds: num(o.seeds) ?? accs.length, meanTestAcc: num(o.meanTestAcc) ?? NaN, stdTestAcc: num(o.stdTestAcc) ?? NaN,
    msPerEpochMedian: num(o.msPerEpochMedian), peakMB: peakBytes !== null ? peakBytes / MB : num(o.peakMB), testAccs: accs, lines: r.lines,
  };
}

const DATASET_NAME: Record<string, string> = { cora: "Cora", citeseer: "Citeseer" };

export function renderTrain(lines: ResultLine[]): string {
  const figures = new Map<Run, TrainFigures>();
  for (const r of runsOf(lines, "train")) {
    const f = trainFigures(r);
    if (f) figures.set(r, f);
  }
  if (figures.size === 0) throw new Error("results/*.jsonl holds no train runs (kind \"train\" with an aggregate line)");
  // One row per command: a newer run of a command replaces the older; other commands keep their newest run.
  const runs = newestOfEachCommand([...figures.keys()]).map((r) => figures.get(r)!);
  const published = lines.filter((l) => l.kind === "published");
  const gcn = (dataset: string) => published.find((p) => p.output.model === "GCN" && p.output.dataset === dataset);
  // Newest first; within a date, cora before citeseer and direct before adjoint.
  const order = (f: TrainFigures) => `${f.dataset === "cora" ? 0 : 1}${f.adjoint ? 1 : 0}`;
  runs.sort((a, b) => (a.date === b.date ? order(a).localeCompare(order(b)) : b.date.localeCompare(a.date)));
  const seedCounts = unique(runs.map((r) => r.seeds));
  const rows = runs.map((f) => {
    const g = gcn(f.dataset);
    return `| ${code(f.command)} | ${f.date} | ${fmtAcc(f.meanTestAcc)} ± ${fmtAcc(f.stdTestAcc)} | ` +
      `${g ? fmtAcc(g.output.testAcc as number) : "—"} | ${f.msPerEpochMedian === null ? "—" : fmt(f.msPerEpochMedian)} | ` +
      `${f.peakMB === null ? "—" : fmt(f.peakMB)} | ${loadText(f.lines[0].machine) ?? "—"} |`;
  });
  const out = [
    `| command | date | test accuracy, mean ± std over ${seedCounts.join(" / ")} seeds | GCN (published) | median ms/epoch | peak tensor MB | 1-min load |`,
    "|---|---|---|---|---|---|---|",
    ...rows,
    "",
  ];
  // Per date: the machine, whether direct and adjoint agreed seed by seed, where the lines are.
  for (const date of unique(runs.map((r) => r.date))) {
    const day = runs.filter((r) => r.date === date);
    const notes: string[] = [];
    for (const ds of unique(day.map((r) => r.dataset))) {
      const d = day.find((r) => r.dataset === ds && !r.adjoint), a = day.find((r) => r.dataset === ds && r.adjoint);
      if (d && a && d.testAccs.length > 0 && d.testAccs.length === a.testAccs.length) {
        const same = d.testAccs.every((x, i) => x === a.testAccs[i]);
        notes.push(`direct and adjoint ${same ? "gave the same test accuracy on every seed" : "differed on some seeds"} (${DATASET_NAME[ds] ?? ds})`);
      }
    }
    const machines = unique(day.map((r) => machineText({ ...r.lines[0].machine, load1: undefined })));
    out.push(`- ${date}: ${machines.join("; ")}; ${notes.length ? `${notes.join(", ")}; ` : ""}${sourceText(day.flatMap((r) => r.lines))}.`);
  }
  const gcnLines = published.filter((p) => p.output.model === "GCN");
  if (gcnLines.length > 0) out.push(`- GCN: ${unique(gcnLines.map((p) => p.cite ?? p.provenance)).join("; ")} (${sourceText(gcnLines)}).`);
  return out.join("\n");
}
