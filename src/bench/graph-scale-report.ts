// The graph-scale suite's table: one row per (configuration, mode), measured or not, and the reasons of the
// rows that did not fit or failed.
import type { Row } from "../plot/figures";
import type { GraphScaleResult } from "./graph-scale-types";

const round = (x: number | null | undefined, d = 3) => (typeof x === "number" && Number.isFinite(x) ? Number(x.toPrecision(d)) : null);
const seconds = (ms: number | null) => (ms === null ? null : round(ms / 1000));
/** How a status reads in tables and progress lines. */
export const STATUS_TEXT = { ok: "ok", "did-not-fit": "did not fit", failed: "failed" } as const;

export function isGraphScaleResult(r: unknown): r is GraphScaleResult {
  return typeof r === "object" && r !== null && (r as { suite?: unknown }).suite === "graph-scale";
}

/** Peak RSS above the post-set-up baseline (the whole run, and the training passes before any evaluation), s/epoch, accuracy. */
export function graphScaleRows(results: GraphScaleResult[]): Row[] {
  return results.map((r) => ({
    config: r.config, mode: r.mode, nodes: r.nodes, threads: r.threads, result: STATUS_TEXT[r.status],
    "RSS MB": round(r.rssPeakMB), "train RSS MB": round(r.rssTrainPeakMB), "base MB": round(r.baselineMB),
    "step peak MB": r.peakBytes === null ? null : round(r.peakBytes / 2 ** 20), "est. MB": round(r.estimateMB),
    "s/epoch": seconds(r.msPerEpoch), "steps/epoch": r.subgraphsPerEpoch, "sub nodes": round(r.meanSubgraphNodes),
    "s/eval": seconds(r.msPerEval), epochs: r.epochs, "test acc": round(r.testAcc), "val acc": round(r.bestValAcc),
  }));
}

/** "did not fit: <reason>" (or "failed: ...") per row that was not measured. */
export function graphScaleNotes(results: GraphScaleResult[]): string[] {
  return results.filter((r) => r.status !== "ok").map((r) => `${r.config} ${r.mode}: ${STATUS_TEXT[r.status]}: ${r.reason}`);
}
