// The stored history of a solve (f_j or u_j forward, the reverse sweep's cotangents backward) and its
// weighted sums S_q = Σ_{e<q} W[q, e] · entry_e, asked for at q = 1, 2, ... as entries arrive.
// A per-step matrix-vector product over the whole history is memory-bound (one pass over k·D floats per
// step). Instead every finished block of BLOCK entries is added into the sums of all later rows by
// matrix-matrix products, and a query reads only the pending sum of its row and the unfinished block:
// O(1) small ops per step plus O(N/BLOCK) GEMMs per block, and finished entries are not read again
// (docs/design.md §2).
import { tf } from "../backend";
import type { Tensor, Tensor2D } from "@tensorflow/tfjs";
import { customOp } from "../tfjs-internals";

export const BLOCK = 16;
/** Rows per chunk of pending sums (a divisor of BLOCK; smaller chunks, smaller transient copies). */
const CHUNK = 8;

/**
 * The weights of a History's sums, block by block: rows (q, r) for q in [q0, q1), r < sums; columns (e, c)
 * for e in [e0, e1), c < entryRows.
 */
export interface HistoryWeights {
  /** Weighted sums per query (R). */
  sums: number;
  /** Rows of each entry. */
  entryRows: number;
  block(q0: number, q1: number, e0: number, e1: number): Tensor2D;
}

/** W @ concat(entries) as one op whose gradient saves no copy of the entries (the tape keeps them once). */
const weightedSum: (W: Tensor2D, ...entries: Tensor2D[]) => Tensor2D = customOp<Tensor2D>(([W, ...entries], save) => {
  save([W, ...entries]);
  const data = entries.length === 1 ? entries[0] : tf.concat(entries, 0);
  return {
    value: tf.matMul(W, data) as Tensor2D,
    gradFunc: (dy, saved) => {
      const [w, ...es] = saved as Tensor2D[];
      const stacked = es.length === 1 ? es[0] : tf.concat(es, 0);
      const dData = tf.matMul(w, dy, true, false);
      const dEntries = es.length === 1 ? [dData] : tf.split(dData, es.map((e) => e.shape[0]), 0);
      return [tf.matMul(dy, stacked, false, true), ...dEntries];
    },
  };
});

/** What the loop and the reverse sweep use of a history: push entries, ask for the sums S_q at q = count. */
export interface HistorySums {
  /** Appends entry e = count: its rows, each D values in any shape (read, not disposed: tidy owns them). */
  push(rows: Tensor[]): void;
  /** S_q at q = count: one tensor of `shape` (D values) per sum. */
  sums(shape: number[]): Tensor[];
  dispose(): void;
}

/** The rows of an entry as one [rows, D] matrix. */
export function entryMatrix(rows: Tensor[]): Tensor2D {
  return rows.length === 1 ? asRow(rows[0]) : (tf.concat(rows.map(asRow), 0) as Tensor2D);
}

/** The rows of a [sums, D] query, each in `shape`. */
export function splitSums(query: Tensor2D, shape: number[]): Tensor[] {
  return (query.shape[0] === 1 ? [query] : tf.split(query, query.shape[0], 0)).map((row) => tf.reshape(row, shape));
}

/**
 * Pending sums are kept in chunks of CHUNK rows (chunk c holds rows q in [c·CHUNK, (c+1)·CHUNK), R = weights.sums rows each).
 * A chunk is freed once its rows have been asked for, so the pending sums never exceed the rows still to come.
 */
export class History implements HistorySums {
  count = 0;
  private current: Tensor2D[] = [];
  private currentStart = 0;
  private chunks = new Map<number, Tensor2D>();

  /** Sums are asked for at q <= lastRow; W[q, e] = 0 when q - e > memory. */
  constructor(private readonly weights: HistoryWeights, private readonly lastRow: number, private readonly memory: number,
    private readonly taped: boolean) {}

  private chunkRows(c: number): number {
    return Math.min(CHUNK, this.lastRow + 1 - c * CHUNK);
  }

  /** Adds part (rows [q0, q1) of chunk c, R rows each) into the chunk. */
  private addToChunk(c: number, part: Tensor2D, q0: number, q1: number): void {
    const R = this.weights.sums;
    const lo = c * CHUNK;
    const rows = this.chunkRows(c);
    const padded = q0 === lo && q1 === lo + rows ? part : (tf.pad(part, [[(q0 - lo) * R, (lo + rows - q1) * R], [0, 0]]) as Tensor2D);
    const old = this.chunks.get(c);
    this.chunks.set(c, tf.keep(old ? (tf.add(old, padded) as Tensor2D) : padded));
    old?.dispose();
  }

  push(rows: Tensor[]): void {
    this.pushEntry(entryMatrix(rows));
  }

  sums(shape: number[]): Tensor[] {
    return splitSums(this.query(), shape);
  }

  /** Appends entry e = count, shape [channels, D]; the history takes ownership. */
  pushEntry(entry: Tensor2D): void {
    this.count++;
    this.current.push(tf.keep(entry));
    if (this.current.length === BLOCK) this.flush();
  }

  /** The finished block enters the sums of every later chunk it reaches: one GEMM per chunk of rows. */
  private flush(): void {
    const e0 = this.currentStart;
    const e1 = this.count;
    const reach = Math.min(this.lastRow, e1 - 1 + this.memory);
    const data = this.taped ? null : (tf.concat(this.current, 0) as Tensor2D);
    for (let c = e1 / CHUNK; c * CHUNK <= reach; c++) {
      const q0 = c * CHUNK;
      const q1 = Math.min(q0 + CHUNK, reach + 1);
      const W = this.weights.block(q0, q1, e0, e1);
      this.addToChunk(c, data ? (tf.matMul(W, data) as Tensor2D) : weightedSum(W, ...this.current), q0, q1);
    }
    data?.dispose();
    tf.dispose(this.current);
    this.current = [];
    this.currentStart = e1;
  }

  /** S_q at q = count: [rows, D]. */
  query(): Tensor2D {
    const q = this.count;
    const R = this.weights.sums;
    const c = Math.floor(q / CHUNK);
    for (const [k, t] of this.chunks) {
      if (k < c) {
        t.dispose();
        this.chunks.delete(k);
      }
    }
    const chunk = this.chunks.get(c);
    const far = chunk ? (tf.slice(chunk, [(q - c * CHUNK) * R, 0], [R, -1]) as Tensor2D) : null;
    // the unfinished block: one small product over its entries
    const from = Math.max(this.currentStart, q - this.memory);
    const near = from < q ? weightedSum(this.weights.block(q, q + 1, from, q), ...this.current.slice(from - this.currentStart)) : null;
    if (far && near) return tf.add(far, near) as Tensor2D;
    const width = (this.current[0] ?? [...this.chunks.values()][0])?.shape[1] ?? 0;
    return far ?? near ?? (tf.fill([R, width], 0) as Tensor2D);
  }

  dispose(): void {
    tf.dispose(this.current);
    this.chunks.forEach((t) => t.dispose());
    this.current = [];
    this.chunks.clear();
  }
}

/** Flattens a state to one row [1, D] (a view, no copy). */
export function asRow(x: Tensor): Tensor2D {
  return tf.reshape(x, [1, x.size]) as Tensor2D;
}
