// The README's measured figures, rendered from the committed result files results/*.jsonl.
//
// Each line of a result file is one JSON object:
//   { kind: "train" | "bench" | "reference" | "published",
//     run: an id shared by the lines of one execution of the command (its start time),
//     date: "YYYY-MM-DD", command: "nfde ..." (the command as typed, with nfde for node dist/cli/main.js),
//     machine: { cpu, cores, backend, tensorflow, threads, node, nice, load1: { start, end } | { min, max } | { about } },
//     source: "output" (a line the command printed, verbatim in `output`)
//           | "aggregate" (computed by --record from the run's output lines: medians the command does not print)
//           | "transcribed" (copied from an earlier text, see provenance),
//     provenance: where the line comes from, args?: the command's parsed arguments (train),
//     output: the figures (for source "output", exactly the JSON line of nfde train/bench --json) }
//
// README.md's sections between <!-- results:NAME --> and <!-- /results:NAME --> are rendered from them:
//   train    every train run (with an aggregate line) of the two newest dates, and the published GCN figures
//   bench    the newest run of `nfde bench --suite all`, beside the torchfde set measured nearest in date,
//            and other bench runs of that day (reruns of single configurations)
//   threads  the newest run of `nfde bench ... --threads`
// `npm run readme:figures` checks; `npm run readme:figures -- --write` rewrites. In full:
//   node node_modules/tsx/dist/cli.mjs src/cli/readme-tables.ts            check README.md against the files
//   node node_modules/tsx/dist/cli.mjs src/cli/readme-tables.ts --write    rewrite the marked sections of README.md
//   node node_modules/tsx/dist/cli.mjs src/cli/readme-tables.ts --record results/FILE.jsonl -- train cora --seeds 10 --json
//       runs `node dist/cli/main.js train cora --seeds 10 --json` and replaces that command's lines in FILE
//       (--from OUT.jsonl --started ISO [--ended ISO] [--load A,B] [--nice N] records output captured earlier)
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const ROOT = path.resolve(__dirname, "..", "..");
export const RESULTS_DIR = path.join(ROOT, "results");
export const README = path.join(ROOT, "README.md");
export const SECTIONS = ["train", "bench", "threads"] as const;
export type Section = (typeof SECTIONS)[number];

export interface Machine {
  cpu?: string;
  cores?: number;
  backend?: string;
  tensorflow?: string;
  pytorch?: string;
  threads?: string;
  node?: string;
  nice?: number;
  load1?: { start?: number; end?: number; min?: number; max?: number; about?: number };
}

export type Kind = "train" | "bench" | "reference" | "published";
export type Source = "output" | "aggregate" | "transcribed";

export interface ResultLine {
  kind: Kind;
  run: string;
  date: string;
  command: string | null;
  machine: Machine | null;
  source: Source;
  provenance: string;
  output: Record<string, unknown>;
  /** For kind "reference": the tool measured and its version or commit. */
  tool?: string;
  toolVersion?: string;
  dateInferred?: boolean;
  /** For kind "published": the citation the README prints. */
  cite?: string;
  args?: Record<string, unknown>;
  /** The file (relative to the repository root) and line number it was read from; not stored. */
  file?: string;
  line?: number;
}

const KINDS: Kind[] = ["train", "bench", "reference", "published"];
const SOURCES: Source[] = ["output", "aggregate", "transcribed"];

/** Parses one result file's text; throws an Error naming the file, the line and the field. */
export function parseResults(text: string, file: string): ResultLine[] {
  const out: ResultLine[] = [];
  text.split("\n").forEach((raw, i) => {
    if (raw.trim() === "") return;
    const where = `${file}:${i + 1}`;
    let v: ResultLine;
    try {
      v = JSON.parse(raw) as ResultLine;
    } catch (e) {
      throw new Error(`${where}: not JSON (${(e as Error).message})`);
    }
    const need = (ok: boolean, field: string, allowed: string) => {
      if (!ok) throw new Error(`${where}: ${field} is ${JSON.stringify((v as unknown as Record<string, unknown>)[field])}; allowed: ${allowed}`);
    };
    need(v !== null && typeof v === "object", "line", "an object");
    need(KINDS.includes(v.kind), "kind", KINDS.join(", "));
    need(SOURCES.includes(v.source), "source", SOURCES.join(", "));
    need(typeof v.run === "string" && v.run !== "", "run", "a non-empty string");
    need(typeof v.date === "string" && /^\d{4}-\d{2}-\d{2}$/.test(v.date), "date", "YYYY-MM-DD");
    need(typeof v.provenance === "string" && v.provenance !== "", "provenance", "a non-empty string");
    need(v.output !== null && typeof v.output === "object", "output", "an object");
    if (v.kind !== "published") {
      need(typeof v.command === "string" && v.command !== "", "command", "the command that produced the figures");
      need(v.machine !== null && typeof v.machine === "object", "machine", "an object with cpu, cores, backend, threads");
    }
    out.push({ ...v, file, line: i + 1 });
  });
  return out;
}

/** Every line of results/*.jsonl (files in name order). */
export function readResults(dir = RESULTS_DIR): ResultLine[] {
  if (!fs.existsSync(dir)) throw new Error(`${dir} is missing: the README's figures come from results/*.jsonl`);
  return fs.readdirSync(dir).filter((f) => f.endsWith(".jsonl")).sort()
    .flatMap((f) => parseResults(fs.readFileSync(path.join(dir, f), "utf8"), path.posix.join("results", f)));
}

// ---- formatting -------------------------------------------------------------------------------------------

const MB = 2 ** 20;
/** Integers from 100 up, else three significant digits without trailing zeros. */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return "?";
  return Math.abs(v) >= 100 ? String(Math.round(v)) : String(Number(v.toPrecision(3)));
}
const fmtExp = (v: number) => v.toExponential(1);
const fmtAcc = (v: number) => v.toFixed(3);
const num = (x: unknown): number | null => (typeof x === "number" && Number.isFinite(x) ? x : null);
const code = (s: string) => `\`${s}\``;
const unique = <T>(xs: T[]) => [...new Set(xs)];
const dayDiff = (a: string, b: string) => Math.abs(Date.parse(a) - Date.parse(b)) / 86400000;

function loadText(m: Machine | null): string | null {
  const l = m?.load1;
  if (!l) return null;
  if (l.min !== undefined && l.max !== undefined) return `${l.min}–${l.max}`;
  if (l.start !== undefined && l.end !== undefined) return `${l.start}–${l.end}`;
  if (l.about !== undefined) return `about ${l.about}`;
  return null;
}

/** "2 × AMD EPYC, tensorflow backend (TensorFlow 2.21.0), 1 intra-op thread, 1-min load 0.4–1.3". */
export function machineText(m: Machine | null): string {
  if (!m) return "machine not recorded";
  const parts: string[] = [];
  if (m.cpu) parts.push(m.cores ? `${m.cores} × ${m.cpu}` : m.cpu);
  if (m.backend) parts.push(`${m.backend} backend${m.tensorflow ? ` (TensorFlow ${m.tensorflow})` : ""}`);
  if (m.pytorch) parts.push(`PyTorch ${m.pytorch}`);
  if (m.threads) parts.push(`${m.threads} ${m.backend ? "intra-op " : ""}thread${m.threads === "1" ? "" : "s"}`);
  if (m.nice !== undefined) parts.push(`nice ${m.nice}`);
  const load = loadText(m);
  if (load) parts.push(`1-min load ${load}`);
  return parts.join(", ");
}

/** The files the lines come from, and whether they were transcribed from an earlier text rather than recorded. */
function sourceText(lines: ResultLine[]): string {
  const files = unique(lines.map((l) => l.file).filter((f): f is string => !!f)).map(code).join(", ");
  return lines.some((l) => l.source === "transcribed" && l.kind !== "published") ? `${files}, transcribed: raw output not committed` : files;
}

// ---- runs -----------------------------------------------------------------------------------------------

interface Run {
  run: string;
  date: string;
  command: string;
  lines: ResultLine[];
}

function runsOf(lines: ResultLine[], kind: Kind): Run[] {
  const runs = new Map<string, Run>();
  for (const l of lines.filter((x) => x.kind === kind)) {
    const key = `${l.run}\u0000${l.command}`;
    if (!runs.has(key)) runs.set(key, { run: l.run, date: l.date, command: l.command ?? "", lines: [] });
    runs.get(key)!.lines.push(l);
  }
  return [...runs.values()];
}

/** The newest run of each command that `pick` accepts (by date, then by run id). */
function newest(runs: Run[], pick: (r: Run) => boolean): Run | undefined {
  return runs.filter(pick).sort((a, b) => (a.date === b.date ? b.run.localeCompare(a.run) : b.date.localeCompare(a.date)))[0];
}

// ---- train ----------------------------------------------------------------------------------------------

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

function renderTrain(lines: ResultLine[]): string {
  const all = runsOf(lines, "train").map(trainFigures).filter((f): f is TrainFigures => f !== null);
  if (all.length === 0) throw new Error("results/*.jsonl holds no train runs (kind \"train\" with an aggregate line)");
  // The two newest dates: the current figures and the ones before them, for comparison.
  const dates = unique(all.map((r) => r.date)).sort().reverse().slice(0, 2);
  const runs = all.filter((r) => dates.includes(r.date));
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

// ---- bench ----------------------------------------------------------------------------------------------

interface BenchFigures {
  config: string;
  mode: string;
  n: number | null;
  hidden: number | null;
  threads: string;
  peakMB: number | null;
  rssMB: number | null;
  stepMs: number | null;
  gradRelDiff: number | null;
  gradAtMost: number | null;
  repeats: number | null;
  line: ResultLine;
}

function benchFigures(l: ResultLine): BenchFigures {
  const o = l.output;
  const peakBytes = num(o.peakBytes);
  return {
    config: String(o.config), mode: String(o.mode), n: num(o.n), hidden: num(o.hidden), threads: String(o.threads ?? l.machine?.threads ?? "?"),
    peakMB: peakBytes !== null ? peakBytes / MB : num(o.peakMB), rssMB: num(o.rssPeakMB), stepMs: num(o.stepMsMedian),
    gradRelDiff: num(o.gradRelDiff), gradAtMost: num(o.gradRelDiffAtMost),
    repeats: Array.isArray(o.stepMs) ? o.stepMs.length : num(o.repeats), line: l,
  };
}

interface RefFigures { stepMs: number | null; rssMB: number | null; liveMB: number | null }

/** torchfde's set measured nearest in date to `date` (ties: the earlier one). */
function referenceSet(lines: ResultLine[], date: string): { lines: ResultLine[]; get: (config: string, mode: string) => RefFigures | null } {
  const refs = runsOf(lines, "reference").filter((r) => r.lines.some((l) => l.tool === "torchfde"));
  refs.sort((a, b) => dayDiff(a.date, date) - dayDiff(b.date, date) || a.date.localeCompare(b.date));
  const set = refs[0]?.lines ?? [];
  return {
    lines: set,
    get: (config, mode) => {
      const l = set.find((x) => x.output.config === config && x.output.mode === (mode === "direct" ? "direct" : "adjoint"));
      return l ? { stepMs: num(l.output.stepMsMedian), rssMB: num(l.output.rssPeakMB), liveMB: num(l.output.liveMB) } : null;
    },
  };
}

const MODE_ORDER = ["direct", "adjoint", "adjoint-taped"];

function configLabel(f: BenchFigures): string {
  if (f.config.startsWith("B1")) return `B1 F-GRAND-l Cora H=${f.hidden}`;
  if (f.config.startsWith("B2")) return `B2 MLP field, N=${f.n}`;
  return f.config;
}

function shortLabel(f: BenchFigures): string {
  if (f.config.startsWith("B1")) return `B1 H=${f.hidden}`;
  if (f.config.startsWith("B3")) return `N = ${f.n}`;
  return f.config;
}

function withRef(ours: string, theirs: string | null, long = false): string {
  if (theirs === null) return ours;
  return long ? `${ours} (torchfde ${theirs})` : `${ours} (${theirs})`;
}

const isSuiteAll = (r: Run) => /^nfde bench\b/.test(r.command) && /--suite all\b/.test(r.command);

function renderBench(lines: ResultLine[]): string {
  const runs = runsOf(lines, "bench");
  const suite = newest(runs, isSuiteAll);
  if (!suite) throw new Error("results/*.jsonl holds no run of nfde bench --suite all");
  const figs = suite.lines.map(benchFigures);
  const ref = referenceSet(lines, suite.date);
  const modes = MODE_ORDER.filter((m) => figs.some((f) => f.mode === m));
  const find = (config: string, mode: string) => figs.find((f) => f.config === config && f.mode === mode);
  const singles = unique(figs.filter((f) => !f.config.startsWith("B3")).map((f) => f.config));
  const b3 = figs.filter((f) => f.config.startsWith("B3")).sort((a, b) => (a.n ?? 0) - (b.n ?? 0));
  const b3N = unique(b3.map((f) => f.n ?? NaN));
  const gradCell = (fs: BenchFigures[]) => {
    if (fs.every((f) => f.mode === "direct")) return "—";
    const vals = fs.map((f) => f.gradRelDiff).filter((x): x is number => x !== null);
    const bounds = fs.map((f) => f.gradAtMost).filter((x): x is number => x !== null);
    if (fs.length === 1 && vals.length === 1) return fmtExp(vals[0]);
    const max = Math.max(...vals, ...bounds);
    return Number.isFinite(max) ? `≤ ${fmtExp(max)}` : "?";
  };
  const rows: string[] = [];
  for (const config of singles) {
    for (const mode of modes) {
      const f = find(config, mode);
      if (!f) continue;
      const r = ref.get(config, mode);
      rows.push(`| ${configLabel(f)} | ${mode} | ${withRef(fmt(f.peakMB ?? NaN), r?.liveMB != null ? fmt(r.liveMB) : null)} | ` +
        `${withRef(fmt(f.rssMB ?? NaN), r?.rssMB != null ? fmt(r.rssMB) : null)} | ${withRef(fmt(f.stepMs ?? NaN), r?.stepMs != null ? fmt(r.stepMs) : null)} | ${gradCell([f])} |`);
    }
  }
  for (const mode of modes) {
    const fs = b3.filter((f) => f.mode === mode);
    if (fs.length === 0) continue;
    const rs = fs.map((f) => ref.get(f.config, mode));
    const list = (xs: (number | null | undefined)[]) => (xs.every((x) => x !== null && x !== undefined) ? xs.map((x) => fmt(x as number)).join(" / ") : null);
    rows.push(`| B3 N = ${fs.map((f) => f.n).join(" / ")} | ${mode} | ${withRef(list(fs.map((f) => f.peakMB)) ?? "?", list(rs.map((r) => r?.liveMB)), true)} | ` +
      `${withRef(list(fs.map((f) => f.rssMB)) ?? "?", list(rs.map((r) => r?.rssMB)), true)} | ` +
      `${withRef(list(fs.map((f) => f.stepMs)) ?? "?", list(rs.map((r) => r?.stepMs)), true)} | ${gradCell(fs)} |`);
  }
  const repeats = unique(figs.map((f) => f.repeats).filter((x): x is number => x !== null));
  const m = suite.lines[0].machine;
  const refLine = ref.lines[0];
  const out = [
    "| config | mode | peak tensor MB (torchfde live) | peak RSS MB (torchfde) | ms/step (torchfde) | ‖g − g_direct‖/‖g_direct‖ |",
    "|---|---|---|---|---|---|",
    ...rows,
    "",
    `- ours: ${code(suite.command)}, ${suite.date}, ${machineText(m)}${repeats.length ? `; medians of ${repeats.join(" / ")} steps` : ""} (${sourceText(suite.lines)}).`,
  ];
  if (refLine) {
    out.push(`- ${refLine.tool}${refLine.toolVersion ? ` ${refLine.toolVersion}` : ""}, ${refLine.date}${refLine.dateInferred ? " (date inferred)" : ""}, ` +
      `${machineText(refLine.machine)} (${sourceText(ref.lines)}).`);
  }
  // The figures quoted in the text, from the same lines.
  const text: string[] = [];
  const peaks = [...singles, b3.length ? b3[b3.length - 1].config : ""].filter(Boolean).map((c) => {
    const d = find(c, "direct"), a = find(c, "adjoint");
    if (!d || !a || d.peakMB === null || a.peakMB === null) return null;
    return `${shortLabel(d)}: ${fmt(a.peakMB)} against ${fmt(d.peakMB)} MB`;
  }).filter((s): s is string => s !== null);
  if (peaks.length) text.push(`Peak tensor memory of one step, adjoint against direct: ${peaks.join("; ")}.`);
  const adj = figs.filter((f) => f.mode === "adjoint");
  const gradMax = Math.max(...adj.map((f) => f.gradRelDiff ?? -Infinity), ...adj.map((f) => f.gradAtMost ?? -Infinity));
  if (Number.isFinite(gradMax)) text.push(`The adjoint's gradients differ from direct autodiff by at most ${fmtExp(gradMax)} (float32 round-off).`);
  const torchGrad = ref.lines.filter((l) => num(l.output.gradRelDiff) !== null).sort((a, b) => (b.output.beta as number) - (a.output.beta as number));
  if (torchGrad.length) {
    text.push(`torchfde's adjoint gradients differ from the exact ones by ${torchGrad.map((l) => `${l.output.gradRelDiff} at β = ${l.output.beta}`).join(", ")} ` +
      `(float64, N = ${torchGrad[0].output.n}).`);
  }
  const vs = adj.map((f) => ({ f, ours: f.stepMs, theirs: ref.get(f.config, "adjoint")?.stepMs ?? null }))
    .filter((x): x is { f: BenchFigures; ours: number; theirs: number } => x.ours !== null && x.theirs !== null);
  // "B1 H=64 (258 vs 169 ms)", and the B3 entries of a list as one: "N = 10 / 20 (24 / 46 vs 11 / 22 ms)".
  const where = (xs: typeof vs) => {
    const one = xs.filter((x) => !x.f.config.startsWith("B3")).map((x) => `${shortLabel(x.f)} (${fmt(x.ours)} vs ${fmt(x.theirs)} ms)`);
    const b3s = xs.filter((x) => x.f.config.startsWith("B3"));
    if (b3s.length) {
      one.push(`N = ${b3s.map((x) => x.f.n).join(" / ")} (${b3s.map((x) => fmt(x.ours)).join(" / ")} vs ${b3s.map((x) => fmt(x.theirs)).join(" / ")} ms)`);
    }
    return one.length > 1 ? `${one.slice(0, -1).join(", ")} and ${one[one.length - 1]}` : one.join("");
  };
  const faster = vs.filter((x) => x.ours < x.theirs), slower = vs.filter((x) => x.ours >= x.theirs);
  if (vs.length) {
    text.push(`Our adjoint step against torchfde's adjoint step on the same CPU: ${faster.length ? `faster at ${where(faster)}` : "faster nowhere"}` +
      `${slower.length ? `; slower at ${where(slower)}` : ""}.`);
  }
  // Other runs of the same day that quote a single configuration again (e.g. at a lower load).
  for (const r of runs.filter((x) => x !== suite && x.date === suite.date && !/--threads/.test(x.command))) {
    const again = r.lines.map(benchFigures).filter((f) => f.stepMs !== null).map((f) => {
      const t = ref.get(f.config, f.mode);
      return `${shortLabel(f)} ${f.mode} ${fmt(f.stepMs!)} ms${t?.stepMs != null ? ` (torchfde ${fmt(t.stepMs)} ms)` : ""}`;
    });
    if (again.length) text.push(`A rerun the same day, ${code(r.command)} (${machineText(r.lines[0].machine)}), gave ${again.join(", ")}.`);
  }
  out.push("", text.join(" "));
  return out.join("\n");
}

function renderThreads(lines: ResultLine[]): string {
  const run = newest(runsOf(lines, "bench"), (r) => /--threads\s/.test(r.command));
  if (!run) throw new Error("results/*.jsonl holds no run of nfde bench --threads");
  const figs = run.lines.map(benchFigures);
  const threads = unique(figs.map((f) => f.threads)).sort();
  const configs = unique(figs.map((f) => f.config));
  const list = (mode: string, t: string) => configs.map((c) => {
    const f = figs.find((x) => x.config === c && x.mode === mode && x.threads === t);
    return f?.stepMs != null ? fmt(f.stepMs) : "?";
  }).join(" / ");
  const per = (mode: string) => threads.map((t) => `${list(mode, t)} ms with ${t} thread${t === "1" ? "" : "s"}`).join(" against ");
  const best = threads.map((t) => ({ t, wins: 0 }));
  for (const c of configs) {
    for (const mode of unique(figs.map((f) => f.mode))) {
      const xs = threads.map((t) => figs.find((x) => x.config === c && x.mode === mode && x.threads === t)?.stepMs ?? Infinity);
      best[xs.indexOf(Math.min(...xs))].wins++;
    }
  }
  const winner = best.reduce((a, b) => (b.wins > a.wins ? b : a));
  const rows = configs.length * unique(figs.map((f) => f.mode)).length;
  return `${code(run.command)} (${run.date}, ${machineText({ ...run.lines[0].machine, threads: undefined })}; ${sourceText(run.lines)}) ` +
    `gave, for ${configs.join(" / ")}, ${per("adjoint")} per adjoint step (direct: ${per("direct")}); ` +
    `${winner.t} thread${winner.t === "1" ? " was" : "s were"} faster in ${winner.wins} of ${rows} rows.`;
}

/** Wraps text lines (not table rows) at `width` columns; a code span is never split. */
export function wrap(text: string, width = 110): string {
  return text.split("\n").map((line) => {
    if (line.startsWith("|") || line.length <= width) return line;
    const indent = line.startsWith("- ") ? "  " : "";
    const words = line.match(/(?:`[^`]*`|[^\s`])+/g) ?? [];
    const out: string[] = [];
    let cur = "";
    for (const w of words) {
      if (cur !== "" && cur.length + 1 + w.length > width) {
        out.push(cur);
        cur = indent + w;
      } else cur = cur === "" ? w : `${cur} ${w}`;
    }
    if (cur !== "") out.push(cur);
    return out.join("\n");
  }).join("\n");
}

/** Every marked section of the README, rendered from the result lines. */
export function renderSections(lines: ResultLine[]): Record<Section, string> {
  return { train: wrap(renderTrain(lines)), bench: wrap(renderBench(lines)), threads: wrap(renderThreads(lines)) };
}

// ---- the README's marked sections ----------------------------------------------------------------------------

const open = (s: string) => `<!-- results:${s} -->`;
const close = (s: string) => `<!-- /results:${s} -->`;

/** The text between each pair of markers (without the newlines that border it). */
export function readmeSections(readme: string): Record<Section, string> {
  const out = {} as Record<Section, string>;
  for (const s of SECTIONS) {
    const a = readme.indexOf(open(s)), b = readme.indexOf(close(s));
    if (a < 0 || b < 0 || b < a) throw new Error(`README.md has no ${open(s)} ... ${close(s)} section`);
    if (readme.indexOf(open(s), a + 1) >= 0) throw new Error(`README.md has ${open(s)} twice`);
    out[s] = readme.slice(a + open(s).length, b).replace(/^\n/, "").replace(/\n$/, "");
  }
  return out;
}

/** The README with each marked section replaced by `sections`. */
export function applySections(readme: string, sections: Record<Section, string>): string {
  let text = readme;
  readmeSections(text); // throws on a missing marker
  for (const s of SECTIONS) {
    const a = text.indexOf(open(s)) + open(s).length, b = text.indexOf(close(s));
    text = `${text.slice(0, a)}\n${sections[s]}\n${text.slice(b)}`;
  }
  return text;
}

// ---- every figure in the sections is in the files --------------------------------------------------------

const DATE = /\b\d{4}-\d{2}-\d{2}\b/g;
const VERSION = /\b\d+\.\d+\.\d+\b/g;
const NUMBER = /(?<![\w.])\d+(?:\.\d+)?(?:e[-+]?\d+)?/gi;
// Free text (and run ids, which hold clock times) is not a source of figures.
const FREE_TEXT = new Set(["provenance", "note", "gradNote", "protocol", "measured", "run"]);

/** Numbers and strings of the result lines (peak bytes also in MB); free-text fields are left out. */
function fileValues(lines: ResultLine[]): { numbers: number[]; strings: Set<string> } {
  const numbers: number[] = [];
  const strings = new Set<string>();
  const walk = (v: unknown, key: string) => {
    if (typeof v === "number") {
      numbers.push(v);
      if (/bytes/i.test(key)) numbers.push(v / MB);
    } else if (typeof v === "string") {
      strings.add(v);
      if (!FREE_TEXT.has(key)) numbers.push(...(v.replace(DATE, " ").match(NUMBER) ?? []).map(Number));
    } else if (Array.isArray(v)) v.forEach((x) => walk(x, key));
    else if (v && typeof v === "object") Object.entries(v).forEach(([k, x]) => walk(x, k));
  };
  for (const l of lines) {
    const { file: _f, line: _l, ...rest } = l;
    walk(rest, "");
  }
  return { numbers, strings };
}

/** A printed number matches a stored one when the stored one rounds to it at the printed precision. */
function matches(token: string, v: number): boolean {
  const x = Number(token);
  const [mant, exp] = token.toLowerCase().split("e");
  const decimals = mant.includes(".") ? mant.split(".")[1].length : 0;
  const tol = 0.5 * 10 ** (-decimals + (exp ? Number(exp) : 0)) * (1 + 1e-9);
  return Math.abs(v - x) <= tol;
}

/** What in the README's marked sections is not in the result files: numbers, dates, versions, commands, file names. */
export function figureProblems(readme: string, lines: ResultLine[]): string[] {
  const { numbers, strings } = fileValues(lines);
  const commands = new Set(lines.map((l) => l.command).filter((c): c is string => !!c));
  const files = new Set(lines.map((l) => l.file));
  const problems: string[] = [];
  const sections = readmeSections(readme);
  for (const s of SECTIONS) {
    let text = sections[s];
    text = text.replace(/`([^`]*)`/g, (_m, span: string) => {
      if (!commands.has(span) && !files.has(span)) problems.push(`${s}: \`${span}\` is neither a command nor a file of results/`);
      return " ";
    });
    text = text.replace(DATE, (d) => {
      if (![...strings].some((x) => x.startsWith(d))) problems.push(`${s}: the date ${d} is in no result line`);
      return " ";
    });
    text = text.replace(VERSION, (v) => {
      if (![...strings].some((x) => x.includes(v))) problems.push(`${s}: the version ${v} is in no result line`);
      return " ";
    });
    for (const t of text.match(NUMBER) ?? []) {
      if (!numbers.some((v) => matches(t, v))) problems.push(`${s}: ${t} is in no result file`);
    }
  }
  return problems;
}

// ---- recording a run ----------------------------------------------------------------------------------------

function load1(): number {
  return Math.round(os.loadavg()[0] * 100) / 100;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** The machine as this process sees it (loads the backend: run in the environment of the measurement). */
function thisMachine(): Machine {
  const { backendInfo } = require("../backend") as typeof import("../backend");
  const { tensorflowVersion } = require("../tfjs-internals") as typeof import("../tfjs-internals");
  const info = backendInfo();
  const tensorflow = tensorflowVersion();
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? "?", cores: cpus.length, backend: info.name,
    ...(tensorflow ? { tensorflow } : {}), threads: info.intraOpThreads, node: process.version,
  };
}

/** Result lines for one run of `nfde ARGS` from its stdout lines (JSON lines only). */
export function recordLines(args: string[], stdout: string, meta: { started: string; machine: Machine }): ResultLine[] {
  const command = `nfde ${args.join(" ")}`;
  const outputs = stdout.split("\n").filter((l) => l.trim().startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);
  if (outputs.length === 0) throw new Error(`${command} printed no JSON line (does it have --json?)`);
  const kind: Kind = args[0] === "train" ? "train" : args[0] === "bench" ? "bench" : (() => { throw new Error(`cannot record "${args[0]}"; allowed: train, bench`); })();
  const base = { kind, run: meta.started, date: meta.started.slice(0, 10), command, machine: meta.machine };
  let parsed: Record<string, unknown> | undefined;
  if (kind === "train") {
    const { parseTrainArgs } = require("./train") as typeof import("./train");
    parsed = { ...parseTrainArgs(args.slice(1)) };
  }
  const lines: ResultLine[] = outputs.map((output) => ({
    ...base, source: "output", provenance: `printed by ${command}`, ...(parsed ? { args: parsed } : {}), output,
  }));
  if (kind === "train") {
    const seeds = outputs.filter((o) => typeof o.seed === "number");
    const summary = outputs.find((o) => o.summary === true);
    lines.push({
      ...base, source: "aggregate", provenance: `computed by readme-tables --record from the ${seeds.length} seed lines of this run`, args: parsed,
      output: {
        dataset: seeds[0]?.dataset, aggregate: true, seeds: seeds.length,
        meanTestAcc: summary?.meanTestAcc, stdTestAcc: summary?.stdTestAcc,
        msPerEpochMedian: median(seeds.map((o) => o.msPerEpoch as number)),
        peakBytesMedian: seeds.every((o) => typeof o.peakBytes === "number") ? median(seeds.map((o) => o.peakBytes as number)) : null,
      },
    });
  }
  return lines;
}

/** Replaces the lines of `lines[0].command` in `file` by `lines` (other commands' lines stay). */
export function writeRecorded(file: string, lines: ResultLine[]): void {
  const command = lines[0].command;
  const kept = fs.existsSync(file)
    ? fs.readFileSync(file, "utf8").split("\n").filter((l) => l.trim() !== "" && (JSON.parse(l) as ResultLine).command !== command)
    : [];
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, [...kept, ...lines.map((l) => { const { file: _f, line: _l, ...rest } = l; return JSON.stringify(rest); })].join("\n") + "\n");
}

function flag(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

async function record(argv: string[]): Promise<number> {
  const file = flag(argv, "--record");
  const dash = argv.indexOf("--");
  if (!file || !file.endsWith(".jsonl") || dash < 0 || dash === argv.length - 1) {
    console.error("usage: readme-tables --record results/FILE.jsonl [--from OUT.jsonl --started ISO [--ended ISO] [--load A,B] [--nice N]] -- train|bench ARGS");
    return 2;
  }
  const args = argv.slice(dash + 1);
  const machine = thisMachine();
  const from = flag(argv, "--from");
  let stdout: string, started: string;
  if (from !== undefined) {
    stdout = fs.readFileSync(from, "utf8");
    started = flag(argv, "--started") ?? (() => { throw new Error("--from needs --started ISO (when the command started)"); })();
    const loads = flag(argv, "--load")?.split(",").map(Number);
    if (loads) machine.load1 = { start: loads[0], end: loads[1] };
  } else {
    started = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    const start = load1();
    stdout = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(ROOT, "dist", "cli", "main.js"), ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
      let out = "";
      child.stdout.on("data", (b: Buffer) => { out += b.toString(); });
      child.on("error", reject);
      child.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`nfde ${args.join(" ")} exited with ${code}`))));
    });
    machine.load1 = { start, end: load1() };
    const priority = os.getPriority(); // the child inherits it (nice -n 10 ...)
    if (priority !== 0) machine.nice = priority;
  }
  const nice = flag(argv, "--nice");
  if (nice !== undefined) machine.nice = Number(nice);
  const lines = recordLines(args, stdout, { started, machine });
  writeRecorded(file, lines);
  console.log(`${file}: ${lines.length} lines of ${lines[0].command}`);
  return 0;
}

// ---- command line -------------------------------------------------------------------------------------------

export async function main(argv: string[]): Promise<number> {
  if (argv.includes("--record")) return record(argv);
  const lines = readResults();
  const readme = fs.readFileSync(README, "utf8");
  const rendered = applySections(readme, renderSections(lines));
  if (argv.includes("--write")) {
    if (rendered !== readme) fs.writeFileSync(README, rendered);
    console.log(rendered === readme ? "README.md: figures up to date" : "README.md: figures rewritten from results/*.jsonl");
  } else if (rendered !== readme) {
    console.error("README.md: the marked sections differ from what results/*.jsonl renders; run with --write");
    return 1;
  }
  const problems = figureProblems(rendered, lines);
  if (problems.length) {
    console.error(`README.md: figures not in results/*.jsonl:\n  ${problems.join("\n  ")}`);
    return 1;
  }
  if (!argv.includes("--write")) console.log("README.md: figures match results/*.jsonl");
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then((c) => { process.exitCode = c; }, (e) => { console.error(`readme-tables: ${(e as Error).message}`); process.exitCode = 1; });
}
