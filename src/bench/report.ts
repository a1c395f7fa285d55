// Readable tables (danfojs) and plotly figures of benchmark results, with torchfde's figures beside ours.
import * as os from "node:os";
import { barChart, logLogPlot } from "../plot/figures";
import type { Figure } from "../plot/figure";
import type { Row } from "../plot/figures";
import { referenceFor } from "./peers";
import type { BenchResult } from "./types";

const MB = 2 ** 20;
const round = (x: number, d = 3) => (Number.isFinite(x) ? Number(x.toPrecision(d)) : null);
const ratio = (a: number, b: number | null | undefined) => (b ? round(a / b) : null);

/** One row per result: our figures, torchfde's, and ours/theirs. */
export function resultRows(results: BenchResult[]): Row[] {
  return results.map((r) => {
    const ref = referenceFor(r.config, r.mode);
    const peakMB = typeof r.peakBytes === "number" ? r.peakBytes / MB : NaN; // null: NaN read back from JSON
    return {
      config: r.config, mode: r.mode, N: r.n, H: r.hidden, threads: r.threads,
      "peak MB": round(peakMB), "torch live MB": ref?.liveMB ?? null, "peak/live": ratio(peakMB, ref?.liveMB),
      "RSS MB": round(r.rssPeakMB), "torch RSS MB": ref?.rssMB ?? null, "RSS ratio": ratio(r.rssPeakMB, ref?.rssMB),
      "ms median": round(r.stepMsMedian), "ms min": round(r.stepMsMin), "ms max": round(r.stepMsMax),
      "torch ms": ref ? round(ref.stepMs) : null, "time ratio": ratio(r.stepMsMedian, ref?.stepMs),
      gradRelDiff: r.gradRelDiff === null || Number.isNaN(r.gradRelDiff) ? null : Number(r.gradRelDiff.toExponential(2)),
    };
  });
}

function find(results: BenchResult[], config: string, mode: string, threads?: string) {
  return results.find((r) => r.config === config && r.mode === mode && (threads === undefined || r.threads === threads));
}

const unique = <T>(xs: T[]) => [...new Set(xs)];

/** Per configuration: adjoint/direct ratios of peak memory and step time, ours beside torchfde's. */
export function summaryRows(results: BenchResult[]): Row[] {
  const rows: Row[] = [];
  for (const threads of unique(results.map((r) => r.threads))) {
    for (const config of unique(results.map((r) => r.config))) {
      const d = find(results, config, "direct", threads), a = find(results, config, "adjoint", threads);
      if (!d || !a) continue;
      const rd = referenceFor(config, "direct"), ra = referenceFor(config, "adjoint");
      rows.push({
        config, threads,
        "adj/dir peak": round(a.peakBytes / d.peakBytes), "torch adj/dir live": rd?.liveMB && ra?.liveMB ? round(ra.liveMB / rd.liveMB) : null,
        "adj/dir RSS": round(a.rssPeakMB / d.rssPeakMB), "torch adj/dir RSS": rd && ra ? round(ra.rssMB / rd.rssMB) : null,
        "adj/dir time": round(a.stepMsMedian / d.stepMsMedian), "torch adj/dir time": rd && ra ? round(ra.stepMs / rd.stepMs) : null,
        "adj time / torch adj": ratio(a.stepMsMedian, ra?.stepMs),
      });
    }
  }
  return rows;
}

/** Median step time per thread count for each (configuration, mode), and the faster setting. */
export function threadRows(results: BenchResult[]): Row[] {
  const threads = unique(results.map((r) => r.threads)).sort();
  if (threads.length < 2) return [];
  const rows: Row[] = [];
  for (const config of unique(results.map((r) => r.config))) {
    for (const mode of unique(results.map((r) => r.mode))) {
      const row: Row = { config, mode };
      let best: string | null = null, bestMs = Infinity;
      for (const t of threads) {
        const r = find(results, config, mode, t);
        row[`ms @${t}`] = r ? round(r.stepMsMedian) : null;
        if (r && r.stepMsMedian < bestMs) { bestMs = r.stepMsMedian; best = t; }
      }
      if (best !== null) rows.push({ ...row, faster: best });
    }
  }
  return rows;
}

/** Geometric mean over (configuration, mode) of each thread count's step time relative to the best. */
export function threadVerdict(results: BenchResult[]): { threads: string; geoMeanRelative: number }[] {
  const rows = threadRows(results);
  const threads = unique(results.map((r) => r.threads)).sort();
  return threads.map((t) => {
    const rel = rows.map((row) => {
      const vals = threads.map((u) => row[`ms @${u}`] as number | null).filter((v): v is number => v !== null);
      const v = row[`ms @${t}`] as number | null;
      return v === null ? NaN : v / Math.min(...vals);
    }).filter(Number.isFinite);
    return { threads: t, geoMeanRelative: round(Math.exp(rel.reduce((s, x) => s + Math.log(x), 0) / rel.length)) ?? NaN };
  });
}

/** Where a step's time goes (medians, ms): f evaluations, VJPs, and the rest (history sums, bookkeeping). */
export function breakdownRows(results: BenchResult[]): Row[] {
  return results.map((r) => {
    const b = r.breakdown;
    return {
      config: r.config, mode: r.mode, threads: r.threads, kernels: r.kernels,
      "fwd ms": round(b.forwardMs), "fwd f": round(b.forwardFieldMs), "fwd rest": round(b.forwardMs - b.forwardFieldMs),
      "bwd ms": round(b.backwardMs), "bwd vjp": round(b.backwardVjpMs + b.backwardFieldMs),
      "bwd rest": round(b.backwardMs - b.backwardVjpMs - b.backwardFieldMs), "adam ms": round(b.updateMs),
    };
  });
}

/** Rows as a danfojs text table (columns as wide as their content, at most `maxWidth` characters). */
export function formatTable(rows: Row[], maxWidth = 14): string {
  if (rows.length === 0) return "(no rows)";
  // danfojs-node loads tfjs-node itself (the same engine, through the package's overrides): load on demand.
  const { DataFrame } = require("danfojs-node") as typeof import("danfojs-node");
  // A column named "config" would shadow DataFrame.config (danfojs adds one accessor per column).
  const cols = Object.keys(rows[0]);
  const header = cols.map((c) => (c === "config" ? "bench" : c));
  const cell = (v: Row[string]) => (v === null || v === undefined ? "-" : v);
  const data = rows.map((r) => cols.map((c) => cell(r[c])));
  const width = (c: string) => Math.min(maxWidth, Math.max(4, ...[c, ...rows.map((r) => String(cell(r[c])))].map((s) => s.length)));
  const columns: Record<number, { width: number; wrapWord?: boolean }> = { 0: { width: String(rows.length - 1).length } };
  cols.forEach((c, i) => { columns[i + 1] = { width: width(c), wrapWord: true }; });
  const df = new DataFrame(data, {
    columns: header,
    config: {
      tableMaxRow: 10000, tableMaxColInConsole: 100,
      tableDisplayConfig: { columns, drawHorizontalLine: (i: number, size: number) => i <= 1 || i === size },
    },
  });
  return df.toString();
}

/** The machine and moment of a run, for the report header. */
export function machineLine(results: BenchResult[]): string {
  const cpu = os.cpus();
  const r = results[0];
  const threads = unique(results.map((x) => x.threads)).join(", ");
  const loads = results.map((x) => x.load1).filter((x) => typeof x === "number");
  const load = loads.length ? `${Math.min(...loads).toFixed(2)}-${Math.max(...loads).toFixed(2)}` : "?";
  const flags = unique(results.map((x) => x.nodeOptions ?? "").filter(Boolean)).join(", ");
  return `${r?.date ?? new Date().toISOString()} | ${cpu.length} x ${cpu[0]?.model ?? "?"} | backend ${r?.backend ?? "?"}, ` +
    `TF_NUM_INTRAOP_THREADS ${threads} | node ${process.version}${flags ? ` ${flags}` : ""} | 1-min load during the run ${load}`;
}

/** Grouped bars of peak tensor memory (MB) per configuration: ours (direct, adjoint) and torchfde's live peaks. */
export function peakMemoryFigure(results: BenchResult[]): Figure {
  const configs = unique(results.filter((r) => !r.config.startsWith("B3")).map((r) => r.config));
  const ours = (mode: string) => configs.map((c) => (find(results, c, mode)?.peakBytes ?? NaN) / MB);
  const theirs = (mode: "direct" | "adjoint") => configs.map((c) => referenceFor(c, mode)?.liveMB ?? NaN);
  return barChart(configs, [
    { name: "ours direct", values: ours("direct") }, { name: "ours adjoint", values: ours("adjoint") },
    { name: "torchfde direct (live)", values: theirs("direct") }, { name: "torchfde adjoint (live)", values: theirs("adjoint") },
  ], { title: "Peak tensor memory of one training step", yLabel: "MB (log)", logY: true });
}

function b3(results: BenchResult[], mode: string) {
  return results.filter((r) => r.config.startsWith("B3") && r.mode === mode).sort((a, b) => a.n - b.n);
}

/** Step time against N (B3), ours and torchfde's, log-log. */
export function stepTimeVsNFigure(results: BenchResult[]): Figure {
  const series = (["direct", "adjoint"] as const).flatMap((mode) => {
    const rs = b3(results, mode);
    const refs = rs.map((r) => referenceFor(r.config, mode)?.stepMs ?? NaN);
    return [
      { name: `ours ${mode}`, x: rs.map((r) => r.n), y: rs.map((r) => r.stepMsMedian) },
      { name: `torchfde ${mode}`, x: rs.map((r) => r.n), y: refs, dash: "dash" },
    ];
  }).filter((s) => s.x.length > 0);
  return logLogPlot(series, { title: "Training step time vs number of steps N (B3)", xLabel: "N", yLabel: "ms per step" });
}

/** Peak tensor memory (ours) and peak RSS (ours and torchfde's) against N (B3), log-log. */
export function memoryVsNFigure(results: BenchResult[]): Figure {
  const series = (["direct", "adjoint"] as const).flatMap((mode) => {
    const rs = b3(results, mode);
    return [
      { name: `ours ${mode} tensors`, x: rs.map((r) => r.n), y: rs.map((r) => r.peakBytes / MB) },
      { name: `ours ${mode} RSS`, x: rs.map((r) => r.n), y: rs.map((r) => Math.max(r.rssPeakMB, 0.1)), dash: "dot" },
      { name: `torchfde ${mode} RSS`, x: rs.map((r) => r.n), y: rs.map((r) => referenceFor(r.config, mode)?.rssMB ?? NaN), dash: "dash" },
    ];
  }).filter((s) => s.x.length > 0);
  return logLogPlot(series, { title: "Peak memory vs N (B3)", xLabel: "N", yLabel: "MB" });
}

/** Step time by phase per configuration and mode (stacked bars). */
export function breakdownFigure(results: BenchResult[]): Figure {
  const cats = results.map((r) => `${r.config} ${r.mode}${r.threads !== results[0].threads ? ` @${r.threads}` : ""}`);
  const b = (fn: (r: BenchResult) => number) => results.map(fn);
  return barChart(cats, [
    { name: "forward: f", values: b((r) => r.breakdown.forwardFieldMs) },
    { name: "forward: rest (history sums)", values: b((r) => r.breakdown.forwardMs - r.breakdown.forwardFieldMs) },
    { name: "backward: VJPs", values: b((r) => r.breakdown.backwardVjpMs + r.breakdown.backwardFieldMs) },
    { name: "backward: rest", values: b((r) => r.breakdown.backwardMs - r.breakdown.backwardVjpMs - r.breakdown.backwardFieldMs) },
    { name: "Adam", values: b((r) => r.breakdown.updateMs) },
  ], { title: "Where a training step's time goes (median ms)", yLabel: "ms", mode: "stack" });
}

/** Every figure that the results allow. */
export function benchFigures(results: BenchResult[]): Figure[] {
  const figs: Figure[] = [];
  if (results.some((r) => !r.config.startsWith("B3"))) figs.push(peakMemoryFigure(results));
  if (results.some((r) => r.config.startsWith("B3"))) figs.push(stepTimeVsNFigure(results), memoryVsNFigure(results));
  if (results.length > 0) figs.push(breakdownFigure(results));
  return figs;
}

