// The long-horizon rows (issue 12): each row with its history, K and distance from the exact solution beside
// torchfde's time; how the fast history's time grows with N (log-log slopes); and exact / fast at equal N.
import type { Row } from "../plot/figures";
import { longTinyReferenceMs } from "./peers";
import type { BenchResult } from "./types";

const MB = 2 ** 20;
// Results read back from JSON carry null where a figure was NaN (no profiled step).
const round = (x: number | null | undefined, d = 3) => (typeof x === "number" && Number.isFinite(x) ? Number(x.toPrecision(d)) : null);
/** Milliseconds: whole from 100 up, else three significant digits. */
const roundMs = (x: number | null) => (x !== null && Math.abs(x) >= 100 ? Math.round(x) : round(x));

export const isHorizon = (r: BenchResult) => r.config.startsWith("H-");

/** The state of a horizon row: its name before -N<steps> ("H-tiny", "H-B2"). */
export function horizonState(config: string): string {
  return config.replace(/-N\d+(-.*)?$/, "");
}

/** Results recorded before the fast history carry no history field: they are exact. */
const historyOf = (r: BenchResult) => r.history ?? "exact";
const checkpointsOf = (r: BenchResult) => r.checkpoints ?? null;

/** "exact", "fast" or "fast, checkpoints auto". */
export function variantOf(r: BenchResult): string {
  const c = checkpointsOf(r);
  return c === null ? historyOf(r) : `${historyOf(r)}, checkpoints ${c}`;
}

/** One training step's forward and gradient (median ms of each phase; Adam's update left out). */
export function forwardGradientMs(r: BenchResult): number {
  return r.breakdown.forwardMs + r.breakdown.backwardMs;
}

/** The exponent p of t ∝ N^p between two points. */
export function logLogSlope(n1: number, t1: number, n2: number, t2: number): number {
  if (!(n1 > 0 && n2 > 0 && n1 !== n2 && t1 > 0 && t2 > 0)) {
    throw new Error(`logLogSlope: (N, t) = (${n1}, ${t1}) and (${n2}, ${t2}); allowed: positive values at two different N`);
  }
  return Math.log(t2 / t1) / Math.log(n2 / n1);
}

/** torchfde's figure for a horizon row in the same mode (only the small state has one), in ms. */
function torchfdeMs(r: BenchResult): number | null {
  return horizonState(r.config) === "H-tiny" ? longTinyReferenceMs(r.n, r.mode) : null;
}

/** One row per horizon result. */
export function horizonRows(results: BenchResult[]): Row[] {
  return results.filter(isHorizon).map((r) => {
    const ms = forwardGradientMs(r);
    const torch = torchfdeMs(r);
    const diff = r.exactRelDiff ?? null;
    return {
      config: r.config, mode: r.mode, threads: r.threads, history: historyOf(r), checkpoints: checkpointsOf(r), N: r.n, K: r.K ?? null,
      "fwd+grad ms": roundMs(ms), "peak MB": typeof r.peakBytes === "number" ? round(r.peakBytes / MB) : null, "RSS MB": round(r.rssPeakMB),
      "vs exact": diff === null ? null : Number(diff.toExponential(2)),
      "diff / tol": diff === null || !r.tolerance ? null : round(diff / r.tolerance),
      "torchfde ms": roundMs(torch), "torchfde / ours": torch === null ? null : round(torch / ms),
    };
  });
}

type Series = { state: string; mode: string; threads: string; variant: string; rows: BenchResult[] };

function seriesOf(results: BenchResult[], keep: (r: BenchResult) => boolean): Series[] {
  const out = new Map<string, Series>();
  for (const r of results.filter((x) => isHorizon(x) && keep(x))) {
    const s = { state: horizonState(r.config), mode: r.mode, threads: r.threads, variant: variantOf(r) };
    const key = JSON.stringify(s);
    if (!out.has(key)) out.set(key, { ...s, rows: [] });
    out.get(key)!.rows.push(r);
  }
  for (const s of out.values()) s.rows.sort((a, b) => a.n - b.n);
  return [...out.values()];
}

/**
 * Per state, mode and fast variant: the log-log slope of forward + gradient time between consecutive N, and
 * (with three N or more) from the first N to the last.
 */
export function growthRows(results: BenchResult[]): Row[] {
  const rows: Row[] = [];
  for (const s of seriesOf(results, (r) => historyOf(r) === "fast")) {
    const pairs = s.rows.slice(1).map((b, i) => [s.rows[i], b] as const);
    if (s.rows.length > 2) pairs.push([s.rows[0], s.rows[s.rows.length - 1]]);
    for (const [a, b] of pairs) {
      if (a.n === b.n) continue;
      const ta = forwardGradientMs(a), tb = forwardGradientMs(b);
      rows.push({
        state: s.state, mode: s.mode, threads: s.threads, variant: s.variant, "N from": a.n, "N to": b.n,
        "ms from": roundMs(ta), "ms to": roundMs(tb), slope: round(ta > 0 && tb > 0 ? logLogSlope(a.n, ta, b.n, tb) : NaN),
      });
    }
  }
  return rows;
}

/** Per state, mode and N measured with the exact history: exact time / fast time for each fast variant. */
export function exactFastRows(results: BenchResult[]): Row[] {
  const rows: Row[] = [];
  const exact = results.filter((r) => isHorizon(r) && historyOf(r) === "exact");
  for (const e of exact) {
    const same = (r: BenchResult) => horizonState(r.config) === horizonState(e.config) && r.mode === e.mode && r.threads === e.threads && r.n === e.n;
    for (const f of results.filter((r) => isHorizon(r) && historyOf(r) === "fast" && same(r))) {
      const te = forwardGradientMs(e), tf = forwardGradientMs(f);
      rows.push({
        state: horizonState(e.config), mode: e.mode, threads: e.threads, N: e.n, variant: variantOf(f),
        "exact ms": roundMs(te), "fast ms": roundMs(tf), "exact / fast": round(te / tf),
      });
    }
  }
  return rows;
}
