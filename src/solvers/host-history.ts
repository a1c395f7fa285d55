// The fast history off the tape (docs/design.md §2), in float64 on the host: the forward loop of an adjoint
// or an untaped solve, and every reverse sweep. Per entry row c and sum r, lags m < L are weighted exactly
// by w_{r,c}[m], older lags by Σ_k a_{r,c,k} r_k^(m−L) through the states H_k ← r_k H_k + (the entry that
// leaves the window); a first column (the corrector's W1[q, 0]) is exact through its correction
// d[q] = W[q, 0] − (the weight the Toeplitz part gave entry 0). Forward and reverse read the same numbers,
// so the reverse sweep is the transpose of the forward scheme.
import { tf } from "../backend";
import type { Tensor } from "@tensorflow/tfjs";
import type { HistorySums } from "./history";

/** The weights of one (sum r, entry row c) pair. */
export interface FastChannel {
  /** w[m] for m < L (longer arrays are read only below L). */
  sequence: Float64Array;
  /** a_k, K of them. */
  coefficients: Float64Array;
  /** d[m], m = 0..N, for the entry at lag distance m from the first column's row, or null. */
  firstColumn: Float64Array | null;
}

export interface FastLayout {
  /** L. */
  local: number;
  /** r_k. */
  decay: Float64Array;
  /** channels[r][c]. */
  channels: FastChannel[][];
  /** 'forward': entry 0 is the first column's; 'reverse': entry e is m = lastRow − e and the query at lastRow reads it. */
  direction: "forward" | "reverse";
  /** N: the last query. */
  lastRow: number;
}

/** What a checkpoint keeps of a host history to resume it (copies). */
export interface HostHistorySnapshot {
  count: number;
  width: number;
  window: Float64Array;
  state: Float64Array;
  first: Float64Array | null;
}

/** y[o..o+n) += a · x[at..at+n). */
function axpy(y: Float64Array, o: number, a: number, x: Float64Array, at: number, n: number): void {
  if (a === 0) return;
  for (let i = 0; i < n; i++) y[o + i] += a * x[at + i];
}

/** h[o..o+n) ← r · h[o..o+n) + x[at..at+n). */
function decayAdd(h: Float64Array, o: number, r: number, x: Float64Array, at: number, n: number): void {
  for (let i = 0; i < n; i++) h[o + i] = r * h[o + i] + x[at + i];
}

export class HostFastHistory implements HistorySums {
  count = 0;
  private width = -1;
  private window = new Float64Array(0);
  private state = new Float64Array(0);
  /** forward: entry 0; reverse: Σ_e d[N − e] ρ_e per sum. */
  private first: Float64Array | null = null;
  private readonly sumCount: number;
  private readonly rows: number;
  private readonly hasFirstColumn: boolean;

  constructor(private readonly layout: FastLayout) {
    this.sumCount = layout.channels.length;
    this.rows = layout.channels[0].length;
    this.hasFirstColumn = layout.channels.some((cs) => cs.some((ch) => ch.firstColumn !== null));
  }

  private allocate(width: number): void {
    const { local, decay } = this.layout;
    this.width = width;
    this.window = new Float64Array(local * this.rows * width);
    this.state = new Float64Array(decay.length * this.rows * width);
    if (this.hasFirstColumn) this.first = new Float64Array((this.layout.direction === "forward" ? this.rows : this.sumCount) * width);
  }

  push(rows: Tensor[]): void {
    if (rows.length !== this.rows) throw new Error(`a fast history entry has ${this.rows} rows, not ${rows.length}`);
    if (this.width < 0) this.allocate(rows[0].size);
    const { local, decay, channels, direction, lastRow } = this.layout;
    const size = this.rows * this.width;
    const e = this.count;
    const slot = (e % local) * size;
    if (e >= local) {
      // the entry e − L leaves the window: H_k ← r_k H_k + entry
      const K = decay.length;
      for (let k = 0; k < K; k++) decayAdd(this.state, k * size, decay[k], this.window, slot, size);
    }
    rows.forEach((row, c) => this.window.set(row.dataSync(), slot + c * this.width));
    const data = this.window.subarray(slot, slot + size);
    if (this.first) {
      if (direction === "forward" && e === 0) this.first.set(this.window.subarray(0, size));
      if (direction === "reverse" && e < lastRow) {
        const D = this.width;
        for (let r = 0; r < this.sumCount; r++) {
          for (let c = 0; c < this.rows; c++) {
            const d = channels[r][c].firstColumn;
            if (!d) continue;
            axpy(this.first, r * D, d[lastRow - e], data, c * D, D);
          }
        }
      }
    }
    this.count++;
  }

  sums(shape: number[]): Tensor[] {
    const out = this.query();
    return Array.from({ length: this.sumCount }, (_, r) => tf.tensor(new Float32Array(out.subarray(r * this.width, (r + 1) * this.width)), shape));
  }

  /** S_q at q = count, sum r at [r·D, (r+1)·D). */
  private query(): Float64Array {
    const q = this.count;
    const { local, decay, channels, direction, lastRow } = this.layout;
    const D = Math.max(this.width, 0);
    const out = new Float64Array(this.sumCount * D);
    const size = this.rows * D;
    const K = decay.length;
    for (let r = 0; r < this.sumCount; r++) {
      const o = r * D;
      for (let c = 0; c < this.rows; c++) {
        const { sequence, coefficients, firstColumn } = channels[r][c];
        const near = Math.min(local, q);
        for (let m = 0; m < near; m++) axpy(out, o, sequence[m], this.window, ((q - 1 - m) % local) * size + c * D, D);
        if (q > local) for (let k = 0; k < K; k++) axpy(out, o, coefficients[k], this.state, k * size + c * D, D);
        if (firstColumn && direction === "forward" && q >= 1) axpy(out, o, firstColumn[q], this.first!, c * D, D);
      }
      if (this.first && direction === "reverse" && q === lastRow) axpy(out, o, 1, this.first, o, D);
    }
    return out;
  }

  snapshot(): HostHistorySnapshot {
    return {
      count: this.count, width: this.width, window: this.window.slice(), state: this.state.slice(), first: this.first?.slice() ?? null,
    };
  }

  restore(s: HostHistorySnapshot): void {
    this.count = s.count;
    this.width = s.width;
    this.window = s.window.slice();
    this.state = s.state.slice();
    this.first = s.first?.slice() ?? null;
  }

  dispose(): void {
    this.window = this.state = new Float64Array(0);
    this.first = null;
  }
}
