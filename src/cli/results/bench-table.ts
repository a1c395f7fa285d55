// The README's bench and threads sections: the newest `nfde bench --suite all` run beside torchfde's figures,
// and the newest `nfde bench ... --threads` run.
import { code, fmt, fmtExp, machineText, MB, num, sourceText, unique, type ResultLine } from "./format";
import { isHorizonLine } from "./horizon-table";
import { isKernelTableRun } from "./kernel-table";
import { nearestReferenceSet, newest, runsOf, type Run } from "./runs";

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

/**
 * torchfde's set measured nearest in date to `date` (ties: the earlier one). A figure measured more than once
 * that day: the line whose run is nearest in time to `at` (one of our runs' id, an ISO time; ties: the later).
 */
function referenceSet(lines: ResultLine[], date: string): {
  lines: ResultLine[];
  line: (config: string, mode: string, at: string) => ResultLine | null;
  get: (config: string, mode: string, at: string) => RefFigures | null;
} {
  const set = nearestReferenceSet(lines, date, (l) => l.tool === "torchfde");
  const line = (config: string, mode: string, at: string) => {
    const xs = set.filter((x) => x.output.config === config && x.output.mode === (mode === "direct" ? "direct" : "adjoint"));
    const gap = (x: ResultLine) => Math.abs(Date.parse(x.run) - Date.parse(at)); // NaN (run ids that are not times): the later line
    return xs.reduce<ResultLine | null>((best, x) => (best === null || !(gap(x) > gap(best)) ? x : best), null);
  };
  return {
    lines: set,
    line,
    get: (config, mode, at) => {
      const l = line(config, mode, at);
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

export function renderBench(lines: ResultLine[]): string {
  const runs = runsOf(lines, "bench");
  const suite = newest(runs, isSuiteAll);
  if (!suite) throw new Error("results/*.jsonl holds no run of nfde bench --suite all");
  const figs = suite.lines.map(benchFigures);
  const ref = referenceSet(lines, suite.date);
  const modes = MODE_ORDER.filter((m) => figs.some((f) => f.mode === m));
  const find = (config: string, mode: string) => figs.find((f) => f.config === config && f.mode === mode);
  const singles = unique(figs.filter((f) => !f.config.startsWith("B3")).map((f) => f.config));
  const b3 = figs.filter((f) => f.config.startsWith("B3")).sort((a, b) => (a.n ?? 0) - (b.n ?? 0));
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
      const r = ref.get(config, mode, suite.run);
      rows.push(`| ${configLabel(f)} | ${mode} | ${withRef(fmt(f.peakMB ?? NaN), r?.liveMB != null ? fmt(r.liveMB) : null)} | ` +
        `${withRef(fmt(f.rssMB ?? NaN), r?.rssMB != null ? fmt(r.rssMB) : null)} | ${withRef(fmt(f.stepMs ?? NaN), r?.stepMs != null ? fmt(r.stepMs) : null)} | ${gradCell([f])} |`);
    }
  }
  for (const mode of modes) {
    const fs = b3.filter((f) => f.mode === mode);
    if (fs.length === 0) continue;
    const rs = fs.map((f) => ref.get(f.config, mode, suite.run));
    const list = (xs: (number | null | undefined)[]) => (xs.every((x) => x !== null && x !== undefined) ? xs.map((x) => fmt(x as number)).join(" / ") : null);
    rows.push(`| B3 N = ${fs.map((f) => f.n).join(" / ")} | ${mode} | ${withRef(list(fs.map((f) => f.peakMB)) ?? "?", list(rs.map((r) => r?.liveMB)), true)} | ` +
      `${withRef(list(fs.map((f) => f.rssMB)) ?? "?", list(rs.map((r) => r?.rssMB)), true)} | ` +
      `${withRef(list(fs.map((f) => f.stepMs)) ?? "?", list(rs.map((r) => r?.stepMs)), true)} | ${gradCell(fs)} |`);
  }
  const repeats = unique(figs.map((f) => f.repeats).filter((x): x is number => x !== null));
  const m = suite.lines[0].machine;
  // the peer lines beside this run: the provenance note names their files alone
  const used = figs.map((f) => ref.line(f.config, f.mode, suite.run)).filter((l): l is ResultLine => l !== null);
  const refLine = used[0] ?? ref.lines[0];
  const out = [
    "| config | mode | peak tensor MB (torchfde live) | peak RSS MB (torchfde) | ms/step (torchfde) | ‖g − g_direct‖/‖g_direct‖ |",
    "|---|---|---|---|---|---|",
    ...rows,
    "",
    `- ours: ${code(suite.command)}, ${suite.date}, ${machineText(m)}${repeats.length ? `; medians of ${repeats.join(" / ")} steps` : ""} (${sourceText(suite.lines)}).`,
  ];
  if (refLine) {
    out.push(`- ${refLine.tool}${refLine.toolVersion ? ` ${refLine.toolVersion}` : ""}, ${refLine.date}${refLine.dateInferred ? " (date inferred)" : ""}, ` +
      `${machineText(refLine.machine)} (${sourceText(used.length ? used : ref.lines)}).`);
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
  const vs = adj.map((f) => ({ f, ours: f.stepMs, theirs: ref.get(f.config, "adjoint", suite.run)?.stepMs ?? null }))
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
  // Other runs of the same day (e.g. at a lower load, or before a change), each beside the peer lines nearest in time.
  for (const r of runs.filter((x) => x !== suite && x.date === suite.date && !/--threads/.test(x.command) && !isKernelTableRun(x.command) && !x.lines.some(isHorizonLine))) {
    const again = r.lines.map(benchFigures).filter((f) => f.stepMs !== null).map((f) => {
      const t = ref.get(f.config, f.mode, r.run);
      return `${shortLabel(f)} ${f.mode} ${fmt(f.stepMs!)} ms${t?.stepMs != null ? ` (torchfde ${fmt(t.stepMs)} ms)` : ""}`;
    });
    const at = /T(\d\d:\d\d)/.exec(r.run)?.[1];
    const which = r.run < suite.run ? "An earlier run" : "A later run";
    if (again.length) text.push(`${which} the same day${at ? ` (${at} UTC)` : ""}, ${code(r.command)} (${machineText(r.lines[0].machine)}), gave ${again.join(", ")}.`);
  }
  out.push("", text.join(" "));
  return out.join("\n");
}

export function renderThreads(lines: ResultLine[]): string {
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
