// The README's horizon section: per state, the newest `nfde bench --suite horizon` run (or of H-* configurations
// only) that measured it, one row per configuration and mode beside torchfde's long/tiny figures, the fast rows' growth with N and
// exact / fast at equal N. Ratios, exponents, sums and seconds are computed here: horizonDerivedFigures lists
// them for the figure check.
import { exactFastRows, forwardGradientMs, growthRows, horizonState, variantOf } from "../../bench/horizon-report";
import type { BenchResult } from "../../bench/types";
import { code, fmt, fmtExp, machineText, MB, num, sourceText, unique, type ResultLine } from "./format";
import { nearestReferenceSet, newest, runsOf, type Run } from "./runs";

export const HORIZON_PLACEHOLDER = "No run of nfde bench --suite horizon is recorded in results/*.jsonl yet.";

export const isHorizonLine = (l: ResultLine) => l.kind === "bench" && String(l.output.config ?? "").startsWith("H-");
export const isLongTinyReference = (l: ResultLine) => l.kind === "reference" && l.tool === "torchfde" && l.output.config === "long/tiny";
const isHorizonRun = (r: Run) => /--suite horizon\b/.test(r.command) || r.lines.every(isHorizonLine);

const STATE_LABEL: Record<string, string> = { "H-tiny": "small", "H-B2": "B2" };
const stateLabel = (state: string) => STATE_LABEL[state] ?? state.replace(/^H-/, "");
const variantLabel = (variant: string) => variant.replace(", checkpoints", " + checkpoints");
const MODE_ORDER = ["direct", "adjoint", "adjoint-taped"];
const stateRank = (config: string) => { const i = Object.keys(STATE_LABEL).indexOf(horizonState(config)); return i < 0 ? Infinity : i; };
const order = (r: BenchResult) => [stateRank(r.config), r.n,
  r.history !== "fast" ? 0 : r.checkpoints == null ? 1 : 2, MODE_ORDER.indexOf(r.mode)];
const byOrder = (a: BenchResult, b: BenchResult) => order(a).map((x, i) => (x === order(b)[i] ? 0 : x - order(b)[i])).find((x) => x !== 0) ?? 0;

const lineState = (l: ResultLine) => horizonState(String(l.output.config));

/** Per state, the newest horizon run that measured it (a run of H-B2 rows only replaces the B2 rows alone). */
function newestPerState(lines: ResultLine[]): { state: string; run: Run }[] {
  const runs = runsOf(lines, "bench").filter(isHorizonRun);
  const states = unique(runs.flatMap((r) => r.lines.map(lineState)));
  return states.map((state) => ({ state, run: newest(runs, (r) => r.lines.some((l) => lineState(l) === state))! }));
}

function parts(lines: ResultLine[]): { text: string; derived: number[] } {
  const chosen = newestPerState(lines);
  if (chosen.length === 0) return { text: HORIZON_PLACEHOLDER, derived: [] };
  const derived: number[] = [];
  const d = (x: number) => (derived.push(x), x);
  const time = (ms: number) => (ms >= 10000 ? `${fmt(d(ms / 1000))} s` : `${fmt(ms)} ms`);
  const results = chosen.flatMap(({ state, run }) => run.lines.filter((l) => lineState(l) === state).map((l) => l.output as unknown as BenchResult));
  results.sort(byOrder);
  const run = (chosen.find((c) => c.state === "H-tiny") ?? chosen[0]).run;
  const ref = nearestReferenceSet(lines, run.date, isLongTinyReference);
  const torchfdeMs = (r: BenchResult) => {
    if (horizonState(r.config) !== "H-tiny") return null;
    const s = num(ref.filter((l) => l.output.n === r.n && l.output.mode === (r.mode === "direct" ? "direct" : "adjoint")).pop()?.output.seconds);
    return s === null ? null : d(s * 1000);
  };
  const cell = (x: number | null, f: (v: number) => string) => (x === null ? "—" : f(x));
  const rows = results.map((r) => {
    const ms = d(forwardGradientMs(r));
    const torch = torchfdeMs(r);
    return `| ${stateLabel(horizonState(r.config))} | ${variantLabel(variantOf(r))} | ${r.mode} | ${r.n} | ${r.K ?? "—"} | ${time(ms)} | ${cell(num(r.rssPeakMB), fmt)} | ` +
      `${cell(num(r.peakBytes), (b) => fmt(b / MB))} | ${cell(num(r.exactRelDiff), fmtExp)} | ${r.mode === "direct" ? "—" : cell(num(r.gradRelDiff), fmtExp)} | ` +
      `${cell(torch, time)} | ${cell(torch, (t) => fmt(d(ms / t)))} |`;
  });
  const out = [
    "| state | history | mode | N | K | forward + gradient | RSS MB | peak tensor MB | fast vs exact y(T) | ‖g − g_direct‖/‖g_direct‖ | torchfde | ours / torchfde |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ...rows,
    "",
  ];
  const tolerances = unique(results.map((r) => num(r.tolerance)).filter((t): t is number => t !== null));
  out.push("- forward + gradient: the median forward time plus the median gradient time of a training step (Adam's update " +
    "left out); fast vs exact: ‖y_fast(T) − y_exact(T)‖/‖y_exact(T)‖ of value-only solves at the initial parameters" +
    `${tolerances.length ? ` (fast history at tolerance ${tolerances.map((t) => t.toExponential(0)).join(" / ")})` : ""}; ` +
    "torchfde: its time in the same mode on the small state, its first call included; —: not measured.");
  const growth = growthRows(results);
  const ratios = exactFastRows(results);
  for (const state of unique(results.map((r) => horizonState(r.config)))) {
    const label = stateLabel(state);
    const series = unique(growth.filter((g) => g.state === state).map((g) => `${g.variant}\u0000${g.mode}`));
    const grows = series.map((key) => {
      const [variant, mode] = key.split("\u0000");
      const pairs = growth.filter((g) => g.state === state && g.variant === variant && g.mode === mode)
        .map((g) => ({ from: g["N from"] as number, to: g["N to"] as number, p: num(g.slope) }));
      const slope = (p: number | null) => (p === null ? "?" : fmt(d(p)));
      const first = Math.min(...pairs.map((x) => x.from)), last = Math.max(...pairs.map((x) => x.to));
      const whole = pairs.find((x) => x.from === first && x.to === last);
      const steps = pairs.filter((x) => x !== whole).map((x) => `${x.from}→${x.to}: ${slope(x.p)}`);
      const head = whole ? `p = ${slope(whole.p)} from N = ${first} to ${last}` : "p";
      return `${variantLabel(variant)} (${mode}) ${head}${steps.length ? ` (${steps.join(", ")})` : ""}`;
    });
    if (grows.length) out.push(`- ${label}, the fast history's time t ∝ N^p: ${grows.join("; ")}.`);
    const rs = ratios.filter((x) => x.state === state);
    const byN = unique(rs.map((x) => x.N as number)).map((n) => `N = ${n}: ${rs.filter((x) => x.N === n)
      .map((x) => `${cell(num(x["exact / fast"]), (v) => fmt(d(v)))} (${x.mode}${x.variant === "fast" ? "" : `, ${variantLabel(String(x.variant))}`})`).join(", ")}`);
    if (byN.length) out.push(`- ${label}, exact / fast history time at equal N: ${byN.join("; ")}.`);
  }
  const used = unique(chosen.map((c) => c.run));
  for (const r of used) {
    const states = chosen.filter((c) => c.run === r).map((c) => stateLabel(c.state));
    const own = r.lines.filter((l) => states.includes(stateLabel(lineState(l))));
    const repeats = unique(own.map((l) => l.output.stepMs).map((ms) => (Array.isArray(ms) ? d(ms.length) : null)).filter((x): x is number => x !== null));
    out.push(`- ours${used.length > 1 ? ` (${states.join(", ")})` : ""}: ${code(r.command)}, ${r.date}, ${machineText(r.lines[0].machine)}` +
      `${repeats.length ? `; timed steps per row: ${repeats.sort((a, b) => a - b).join(" / ")}` : ""} (${sourceText(r.lines)}).`);
  }
  const t = ref[0];
  if (t) out.push(`- torchfde${t.toolVersion ? ` ${t.toolVersion}` : ""}, ${t.date}, ${machineText(t.machine)} (${sourceText(ref)}).`);
  return { text: out.join("\n"), derived };
}

export const renderHorizon = (lines: ResultLine[]) => parts(lines).text;
/** The figures the section computes from the files (sums, ratios, exponents, seconds, step counts). */
export const horizonDerivedFigures = (lines: ResultLine[]) => parts(lines).derived;
