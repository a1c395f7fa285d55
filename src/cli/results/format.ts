// The result files results/*.jsonl, from which the README's measured figures are rendered: their line format,
// reading them, and the helpers that format their figures.
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
import * as fs from "node:fs";
import * as path from "node:path";

export const ROOT = path.resolve(__dirname, "..", "..", "..");
export const RESULTS_DIR = path.join(ROOT, "results");

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

export const MB = 2 ** 20;
/** Integers from 100 up, else three significant digits without trailing zeros. */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return "?";
  return Math.abs(v) >= 100 ? String(Math.round(v)) : String(Number(v.toPrecision(3)));
}
export const fmtExp = (v: number) => v.toExponential(1);
export const fmtAcc = (v: number) => v.toFixed(3);
export const num = (x: unknown): number | null => (typeof x === "number" && Number.isFinite(x) ? x : null);
export const code = (s: string) => `\`${s}\``;
export const unique = <T>(xs: T[]) => [...new Set(xs)];
export const dayDiff = (a: string, b: string) => Math.abs(Date.parse(a) - Date.parse(b)) / 86400000;

export function loadText(m: Machine | null): string | null {
  const l = m?.load1;
  if (!l) return null;
  if (l.min !== undefined && l.max !== undefined) return `${l.min}–${l.max}`;
  if (l.start !== undefined && l.end !== undefined) return l.start === l.end ? `about ${l.start}` : `${l.start}–${l.end}`;
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
export function sourceText(lines: ResultLine[]): string {
  const files = unique(lines.map((l) => l.file).filter((f): f is string => !!f)).map(code).join(", ");
  return lines.some((l) => l.source === "transcribed" && l.kind !== "published") ? `${files}, transcribed: raw output not committed` : files;
}
