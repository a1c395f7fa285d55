// The stored history of a solve (f_j or u_j forward, the reverse sweep's cotangents backward) and its
// weighted sums S_q = Σ_{e<q} W[q, e] · entry_e, asked for at q = 1, 2, ... as entries arrive.
// A per-step matrix-vector product over the whole history is memory-bound (one pass over k·D floats per
// step). Instead each entry is added at once into the sums of the rows left in its block ("near"), and
// every finished block of BLOCK entries is added into the sums of all later rows by one matrix-matrix
// product ("far"): O(N/BLOCK) GEMMs and O(1) small ops per step, and finished entries need not be read again.
import { tf } from "../backend";
import type { Tensor, Tensor2D } from "@tensorflow/tfjs";

export const BLOCK = 16;

/** Weights of the sums: rows (q, r) for q in [q0, q1), r < rows; columns (e, c) for e in [e0, e1), c < channels. */
export interface WeightSource {
  rows: number;
  channels: number;
  block(q0: number, q1: number, e0: number, e1: number): Tensor2D;
}

/** W @ concat(entries) as one op whose gradient saves no copy of the entries (the tape keeps them once). */
const weightedSum = tf.customGrad(((W: Tensor2D, ...rest: unknown[]) => {
  const save = rest.pop() as (t: Tensor[]) => void;
  const entries = rest as Tensor2D[];
  save([W, ...entries]);
  const data = entries.length === 1 ? entries[0] : tf.concat(entries, 0);
  return {
    value: tf.matMul(W, data),
    gradFunc: (dy: Tensor2D, saved: Tensor[]) => {
      const [w, ...es] = saved as Tensor2D[];
      const stacked = es.length === 1 ? es[0] : tf.concat(es, 0);
      const dData = tf.matMul(w, dy, true, false);
      const dEntries = es.length === 1 ? [dData] : tf.split(dData, es.map((e) => e.shape[0]), 0);
      return [tf.matMul(dy, stacked, false, true), ...dEntries];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (W: Tensor2D, ...entries: Tensor2D[]) => Tensor2D;

/** Adds `part` (rows [a0, a1) of R rows each) to `acc` (rows [b0, b1)); the result spans the union. */
function addRows(acc: Tensor2D | null, b0: number, b1: number, part: Tensor2D, a0: number, a1: number, R: number) {
  if (acc === null) return { t: part, lo: a0, hi: a1 };
  const lo = Math.min(a0, b0);
  const hi = Math.max(a1, b1);
  const pad = (x: Tensor2D, x0: number, x1: number) =>
    x0 === lo && x1 === hi ? x : (tf.pad(x, [[(x0 - lo) * R, (hi - x1) * R], [0, 0]]) as Tensor2D);
  return { t: tf.add(pad(acc, b0, b1), pad(part, a0, a1)) as Tensor2D, lo, hi };
}

export class History {
  count = 0;
  private current: Tensor2D[] = [];
  private currentStart = 0;
  private far: Tensor2D | null = null;
  private farLo = 0;
  private farHi = 0;
  private near: Tensor2D | null = null;
  private nearLo = 0;
  private nearHi = 0;

  /** Sums are asked for at q <= lastRow; W[q, e] = 0 when q - e > memory. */
  constructor(private readonly src: WeightSource, private readonly lastRow: number, private readonly memory: number) {}

  /** Appends entry e = count, shape [channels, D]; the history takes ownership. */
  push(entry: Tensor2D): void {
    const e = this.count++;
    this.current.push(tf.keep(entry));
    const R = this.src.rows;
    const blockEnd = this.currentStart + BLOCK; // first row the block's far sum covers
    const q0 = e + 1;
    const q1 = Math.min(blockEnd, this.lastRow + 1, e + this.memory + 1);
    if (q0 < q1) {
      const part = weightedSum(this.src.block(q0, q1, e, e + 1), entry);
      this.setNear(addRows(this.near, this.nearLo, this.nearHi, part, q0, q1, R));
    }
    if (this.current.length === BLOCK) this.flush();
  }

  private setNear(n: { t: Tensor2D; lo: number; hi: number }): void {
    const old = this.near;
    this.near = tf.keep(n.t);
    if (old && old !== n.t) old.dispose();
    this.nearLo = n.lo;
    this.nearHi = n.hi;
  }

  private flush(): void {
    const R = this.src.rows;
    const e0 = this.currentStart;
    const e1 = this.count;
    const q0 = e1;
    const q1 = Math.min(this.lastRow + 1, e1 - 1 + this.memory + 1);
    if (q0 < q1) {
      const part = weightedSum(this.src.block(q0, q1, e0, e1), ...this.current);
      // rows of the far sums before q0 are no longer asked for
      let acc = this.far;
      if (acc && this.farLo < q0) {
        acc = this.farHi > q0 ? (tf.slice(acc, [(q0 - this.farLo) * R, 0], [(this.farHi - q0) * R, -1]) as Tensor2D) : null;
        this.farLo = q0;
      }
      const n = acc ? addRows(acc, this.farLo, this.farHi, part, q0, q1, R) : { t: part, lo: q0, hi: q1 };
      const old = this.far;
      this.far = tf.keep(n.t);
      old?.dispose();
      this.farLo = n.lo;
      this.farHi = n.hi;
    }
    tf.dispose(this.current);
    this.current = [];
    this.currentStart = e1;
    this.near?.dispose();
    this.near = null;
  }

  /** S_q at q = count: [rows, D]. */
  query(): Tensor2D {
    const q = this.count;
    const R = this.src.rows;
    const rowOf = (t: Tensor2D | null, lo: number, hi: number) =>
      t && q >= lo && q < hi ? (tf.slice(t, [(q - lo) * R, 0], [R, -1]) as Tensor2D) : null;
    const parts = [rowOf(this.far, this.farLo, this.farHi), rowOf(this.near, this.nearLo, this.nearHi)].filter((p) => p !== null);
    if (parts.length === 2) return tf.add(parts[0]!, parts[1]!) as Tensor2D;
    if (parts.length === 1) return parts[0]!;
    const width = (this.current[0] ?? this.far ?? this.near)?.shape[1] ?? 0;
    return tf.fill([R, width], 0) as Tensor2D;
  }

  dispose(): void {
    tf.dispose(this.current);
    this.far?.dispose();
    this.near?.dispose();
    this.current = [];
    this.far = null;
    this.near = null;
  }
}

/** Flattens a state to one row [1, D] (a view, no copy). */
export function asRow(x: Tensor): Tensor2D {
  return tf.reshape(x, [1, x.size]) as Tensor2D;
}
