// torchfde's figures, beside which nfde bench prints ours: read from a committed results/torchfde-*.jsonl file
// (by default the newest set by date) instead of constants in code, with the set's provenance (tool, commit,
// machine, date, file).
//
// Each line of such a file is one JSON object (the result-file format of src/cli/results/format.ts):
//   { kind: "reference", tool, toolVersion, run, date: "YYYY-MM-DD", command, machine: { cpu, cores, pytorch, threads },
//     source, provenance,
//     output: { config: "B1-H64" | … | "B3-N320", mode: "direct" | "adjoint", n, stepMsMedian, rssPeakMB, liveMB | null }
//           | { config: "long/tiny", mode, n, seconds }      (one forward + backward, the first call included)
//           | { figure: "…", … } }                          (another figure, e.g. gradient accuracy: not read here)
// direct = torchfde's method 'predictor', adjoint = 'predictor-f'; our 'adjoint-taped' compares with its adjoint.
// The command-line layer has its own reader for the README (src/cli/results); bench may not import from cli.
import * as fs from "node:fs";
import * as path from "node:path";
import type { BenchMode } from "./types";

/** The package root (src/bench or dist/bench, two levels up), wherever the package is installed. */
export const PACKAGE_ROOT = path.resolve(__dirname, "..", "..");
export const PEERS_DIR = path.join(PACKAGE_ROOT, "results");
const PEERS_FILE = /^torchfde-.*\.jsonl$/;

export interface ReferenceFigure {
  /** Median ms per training step. */
  stepMs: number;
  /** Peak RSS above the process baseline, MB. */
  rssMB: number;
  /** torch's peak allocated tensor memory, MB (null: not measured, as for B3). */
  liveMB: number | null;
}

export interface PeerProvenance {
  tool: string;
  toolVersion: string;
  date: string;
  /** "2 × AMD EPYC, PyTorch 2.13.0+cpu, 2 threads". */
  machine: string;
  /** The file read, relative to the package root when inside it. */
  file: string;
}

type PeerMode = "direct" | "adjoint";

export interface PeerSet {
  provenance: PeerProvenance;
  /** Keyed `${config} ${mode}`. */
  figures: ReadonlyMap<string, ReferenceFigure>;
  /** torchfde on the long-horizon small state, seconds; keyed `${n} ${mode}`. */
  longTiny: ReadonlyMap<string, number>;
}

const peerMode = (mode: BenchMode): PeerMode => (mode === "direct" ? "direct" : "adjoint");

function displayName(file: string): string {
  const abs = path.resolve(file);
  const rel = path.relative(PACKAGE_ROOT, abs);
  return rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel.split(path.sep).join("/") : abs;
}

function machineText(m: Record<string, unknown>): string {
  const parts: string[] = [];
  if (typeof m.cpu === "string") parts.push(typeof m.cores === "number" ? `${m.cores} × ${m.cpu}` : m.cpu);
  if (typeof m.pytorch === "string") parts.push(`PyTorch ${m.pytorch}`);
  if (m.threads !== undefined) parts.push(`${m.threads} thread${String(m.threads) === "1" ? "" : "s"}`);
  return parts.length ? parts.join(", ") : "machine not recorded";
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const isPositive = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v) && v > 0;
const isNonNegative = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v) && v >= 0;

type PeerLine =
  | { provenance: PeerProvenance; kind: "figure"; key: string; figure: ReferenceFigure }
  | { provenance: PeerProvenance; kind: "longTiny"; key: string; seconds: number }
  | { provenance: PeerProvenance; kind: "other" };

/** One line of a peer file; `where` is "file:line". */
function parseLine(raw: string, where: string, file: string): PeerLine {
  function fail(field: string, value: unknown, expected: string): never {
    throw new Error(`${where}: ${field} is ${value === undefined ? "missing" : JSON.stringify(value)}; expected ${expected}`);
  }
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch (e) {
    throw new Error(`${where}: not JSON (${(e as Error).message}); expected one JSON object per line`);
  }
  if (!isObject(v)) fail("the line", v, "a JSON object");
  if (v.kind !== "reference") fail("kind", v.kind, '"reference"');
  if (typeof v.tool !== "string" || v.tool === "") fail("tool", v.tool, "the peer tool's name");
  if (typeof v.toolVersion !== "string" || v.toolVersion === "") fail("toolVersion", v.toolVersion, "the tool's version or commit");
  if (typeof v.date !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(v.date)) fail("date", v.date, "YYYY-MM-DD");
  if (!isObject(v.machine)) fail("machine", v.machine, "an object with cpu, cores, pytorch, threads");
  const o = v.output;
  if (!isObject(o)) fail("output", o, "an object with config, mode and the figures");
  const provenance: PeerProvenance = { tool: v.tool, toolVersion: v.toolVersion, date: v.date, machine: machineText(v.machine), file };
  if (o.config === undefined && typeof o.figure === "string") return { provenance, kind: "other" };
  if (typeof o.config !== "string" || o.config === "") {
    fail("output.config", o.config, 'a configuration name ("B1-H64", …, "long/tiny"), or output.figure for another kind of figure');
  }
  if (o.mode !== "direct" && o.mode !== "adjoint") fail("output.mode", o.mode, '"direct" or "adjoint"');
  if (o.config === "long/tiny") {
    if (!(typeof o.n === "number" && Number.isInteger(o.n) && o.n > 0)) fail("output.n", o.n, "the number of steps, a positive integer");
    if (!isPositive(o.seconds)) fail("output.seconds", o.seconds, "a positive number of seconds");
    return { provenance, kind: "longTiny", key: `${o.n} ${o.mode}`, seconds: o.seconds };
  }
  if (!isPositive(o.stepMsMedian)) fail("output.stepMsMedian", o.stepMsMedian, "a positive number of ms");
  if (!isNonNegative(o.rssPeakMB)) fail("output.rssPeakMB", o.rssPeakMB, "a number of MB >= 0");
  const live = o.liveMB ?? null;
  if (!(live === null || isNonNegative(live))) fail("output.liveMB", o.liveMB, "a number of MB >= 0, or null");
  return { provenance, kind: "figure", key: `${o.config} ${o.mode}`, figure: { stepMs: o.stepMsMedian, rssMB: o.rssPeakMB, liveMB: live } };
}

/** Parses a peer file's text; throws an Error naming the file, the line, the field and what was expected. */
export function parsePeers(text: string, file: string): PeerSet {
  const name = displayName(file);
  const figures = new Map<string, ReferenceFigure>();
  const longTiny = new Map<string, number>();
  let first: { provenance: PeerProvenance; line: number } | null = null;
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() === "") continue;
    const where = `${name}:${i + 1}`;
    const l = parseLine(lines[i], where, name);
    if (first === null) first = { provenance: l.provenance, line: i + 1 };
    for (const k of ["tool", "toolVersion", "date", "machine"] as const) {
      if (l.provenance[k] !== first.provenance[k]) {
        throw new Error(`${where}: ${k} is ${JSON.stringify(l.provenance[k])}; expected ${JSON.stringify(first.provenance[k])} ` +
          `as on line ${first.line} (one set of figures per file)`);
      }
    }
    if (l.kind === "other") continue;
    const into: Map<string, unknown> = l.kind === "figure" ? figures : longTiny;
    if (into.has(l.key)) {
      throw new Error(`${where}: ${l.kind === "figure" ? "config and mode" : "long/tiny n and mode"} "${l.key}" repeat an earlier line; expected each once per file`);
    }
    if (l.kind === "figure") figures.set(l.key, l.figure);
    else longTiny.set(l.key, l.seconds);
  }
  if (first === null || (figures.size === 0 && longTiny.size === 0)) {
    throw new Error(`${name}: holds no figures; expected JSON lines of kind "reference" with output.config and output.mode`);
  }
  return { provenance: first.provenance, figures, longTiny };
}

/** Reads one peer file; a missing or malformed file is an Error naming it. */
export function loadPeers(file: string): PeerSet {
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
    throw new Error(`peer figures: ${displayName(file)} is not a file; expected a JSON-lines file of torchfde's figures such as results/torchfde-*.jsonl`);
  }
  return parsePeers(fs.readFileSync(file, "utf8"), file);
}

/** The committed peer files results/torchfde-*.jsonl, in name order. */
export function peerFiles(dir: string = PEERS_DIR): string[] {
  if (!fs.existsSync(dir)) throw new Error(`peer figures: ${displayName(dir)} is missing; expected the package's results/ with torchfde-*.jsonl`);
  return fs.readdirSync(dir).filter((f) => PEERS_FILE.test(f)).sort().map((f) => path.join(dir, f));
}

/** The newest set by date among `dir`'s torchfde-*.jsonl (ties: the later file name). */
export function newestPeers(dir: string = PEERS_DIR): PeerSet {
  const sets = peerFiles(dir).map(loadPeers);
  if (sets.length === 0) throw new Error(`peer figures: ${displayName(dir)} holds no torchfde-*.jsonl; expected at least one`);
  return sets.reduce((best, s) => (s.provenance.date >= best.provenance.date ? s : best));
}

let active: PeerSet | null = null;

/** Makes `file`'s figures (by default the newest committed set) the ones the reports print; returns them. */
export function usePeers(file?: string): PeerSet {
  active = file === undefined ? newestPeers() : loadPeers(file);
  return active;
}

/** The figures the reports print: those of usePeers, else the newest committed set (read once). */
export function activePeers(): PeerSet {
  return active ?? usePeers();
}

/** torchfde's figure for a configuration and mode (our 'adjoint-taped' compares with its adjoint), or null. */
export function referenceFor(config: string, mode: BenchMode, set: PeerSet = activePeers()): ReferenceFigure | null {
  return set.figures.get(`${config} ${peerMode(mode)}`) ?? null;
}

/** torchfde's time (ms) of one forward + backward on the long-horizon small state at N steps, or null. */
export function longTinyReferenceMs(n: number, mode: BenchMode, set: PeerSet = activePeers()): number | null {
  const s = set.longTiny.get(`${n} ${peerMode(mode)}`);
  return s === undefined ? null : s * 1000;
}

/** Where the figures come from: tool, version, date, machine and file. */
export function provenance(set: PeerSet = activePeers()): PeerProvenance {
  return { ...set.provenance };
}

/** "torchfde 8cd54347 (Dec 2025 head), 2026-12-01, 2 × AMD EPYC, PyTorch 2.13.0+cpu, 2 threads — results/torchfde-2026-12-01.jsonl". */
export function provenanceLine(p: PeerProvenance = provenance()): string {
  return `${p.tool} ${p.toolVersion}, ${p.date}, ${p.machine} — ${p.file}`;
}
