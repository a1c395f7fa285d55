// torchfde's figures on this machine (issue 7: Dec 2025 head, PyTorch 2.13 CPU, 2 threads; median
// s/step, peak RSS above baseline and peak live tensor memory in MB; direct = 'predictor',
// adjoint = 'predictor-f'). B3 has no live-memory figures.
import type { BenchMode } from "./types";

export interface ReferenceFigure {
  stepMs: number;
  rssMB: number;
  liveMB: number | null;
}

type Pair = Record<"direct" | "adjoint", ReferenceFigure>;

const pair = (d: [number, number, number | null], a: [number, number, number | null]): Pair => ({
  direct: { stepMs: d[0] * 1000, rssMB: d[1], liveMB: d[2] },
  adjoint: { stepMs: a[0] * 1000, rssMB: a[1], liveMB: a[2] },
});

const B3_DIRECT_S = [0.0063, 0.016, 0.044, 0.130, 0.431, 1.64];
const B3_DIRECT_RSS = [9, 34, 98, 198, 1273, 3501];
const B3_ADJOINT_S = [0.011, 0.022, 0.048, 0.104, 0.278, 0.908];
const B3_ADJOINT_RSS = [8, 10, 17, 24, 39, 75];

const TORCHFDE_REFERENCE: Readonly<Record<string, Pair>> = {
  "B1-H64": pair([0.203, 1120, 56.9], [0.169, 102, 59.8]),
  "B1-H256": pair([0.797, 4913, 227.4], [0.549, 418, 238.3]),
  "B2": pair([0.044, 97, 15.5], [0.052, 14, 6.5]),
  ...Object.fromEntries([10, 20, 40, 80, 160, 320].map((n, i) => [`B3-N${n}`,
    pair([B3_DIRECT_S[i], B3_DIRECT_RSS[i], null], [B3_ADJOINT_S[i], B3_ADJOINT_RSS[i], null])])),
};

/** torchfde's figure for a configuration and mode (our 'adjoint-taped' compares with its adjoint). */
export function referenceFor(config: string, mode: BenchMode): ReferenceFigure | null {
  const p = TORCHFDE_REFERENCE[config];
  return p ? p[mode === "direct" ? "direct" : "adjoint"] : null;
}

// torchfde on the long-horizon small state (peers/torchfde_long_horizon.py: f = tanh(yW), W 8×8, y0 [4, 8], β 0.6,
// h 0.01; one forward + backward in seconds, the first call included), 2026-12-01, the same machine kind
// (shared peer figures torchfde-figures.json, key "long/tiny"; results/torchfde-2026-12-01.jsonl).
const TORCHFDE_LONG_TINY_S: Readonly<Record<"direct" | "adjoint", Readonly<Record<number, number>>>> = {
  adjoint: { 1000: 7.864, 2000: 23.834, 4000: 109.267 },
  direct: { 1000: 14.153, 2000: 90.443 },
};

/** torchfde's time (ms) of one forward + backward on the long-horizon small state at N steps, or null. */
export function longTinyReferenceMs(n: number, mode: BenchMode): number | null {
  const s = TORCHFDE_LONG_TINY_S[mode === "direct" ? "direct" : "adjoint"][n];
  return s === undefined ? null : s * 1000;
}
