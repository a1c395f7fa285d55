// The stored history of a solve (f_j or u_j forward, the reverse sweep's cotangents backward) and its
// weighted sums S_q = Σ_{e<q} W[q, e] · entry_e, asked for at q = 1, 2, ... as entries arrive.
// A per-step matrix-vector product over the whole history is memory-bound (one pass over k·D floats per
// step). Instead every finished block of BLOCK entries is added into the sums of all later rows by
// matrix-matrix products (its first half into the next CHUNK rows already), and a query reads only the
// pending sum of its row and the entries since its chunk began, in one product with the row's pending sum
// (and the loop's y0) appended, or for wide states one AddN of the weighted entries: O(1) small ops per step
// plus O(N/BLOCK) GEMMs per block, and finished entries are not read again (docs/design.md §2).
import { tf } from "../backend";
import type { Tensor, Tensor2D } from "@tensorflow/tfjs";
import { stacked, weightedSum } from "./weighted-sum";
import { add, concat, matMul, reshape } from "../native-ops";

export const BLOCK = 16;
/** Rows per chunk of pending sums: half a block. */
const CHUNK = BLOCK / 2;

/**
 * The weights of a History's sums, block by block: rows (q, r) for q in [q0, q1), r < sums; columns (e, c)
 * for e in [e0, e1), c < entryRows.
 */
export interface HistoryWeights {
  /** Weighted sums per query (R). */
  sums: number;
  /** Rows of each entry. */
  entryRows: number;
  /** True when the blocks carry a gradient (a learned β under the tape). */
  learned: boolean;
  /** The block, and after its columns those of `tail` ([rows, t] row-major, constant: no β-derivative). */
  block(q0: number, q1: number, e0: number, e1: number, tail?: Float32Array): Tensor2D;
  /** The block's values on the host, row-major (constant weights only). */
  hostBlock?(q0: number, q1: number, e0: number, e1: number): Float32Array;
}

/**
 * From this state width on, an untaped one-sum query is Σ w_e·entry_e + far + base in one AddN instead of
 * W' @ concat(...): the concatenation's fresh pages cost more than the products' reads at such widths. Alternated
 * runs of the B1 adjoint step on these machines, concatenation against AddN: H 256 (693248 numbers) 2254 / 2318 /
 * 2068 against 1980 / 1735 / 1831 ms; H 64 (173312) 501 / 470 / 473 / 601 / 543 / 444 against 417 / 476 / 414 /
 * 492 / 448 / 524 ms. B2's 16384 numbers stay with the product (AddN of 16384: slower in isolation).
 */
export const WIDE_STATE = 2 ** 17;

/**
 * When a finished block enters the later rows' sums. "eager": at once, into the pending sums of every later
 * chunk (they hold O(rows left) numbers: the forward loop, whose kept states grow as its rows run out). "lazy":
 * the block is kept, and a chunk's far sums are made from the kept blocks when its first row is asked for
 * (O(entries so far): the reverse sweep, whose kept states shrink as its entries grow). Either way each
 * (block, later chunk) pair is one product, and states plus history stay O(N) instead of reaching 2N.
 */
export type FarSums = "eager" | "lazy";

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
  return rows.length === 1 ? asRow(rows[0]) : (concat(rows.map(asRow), 0) as Tensor2D);
}

/** The rows of a [sums, D] query, each in `shape`. */
export function splitSums(query: Tensor2D, shape: number[]): Tensor[] {
  return (query.shape[0] === 1 ? [query] : tf.split(query, query.shape[0], 0)).map((row) => reshape(row, shape));
}

/**
 * Pending sums are kept in chunks of CHUNK rows (chunk c holds rows q in [c·CHUNK, (c+1)·CHUNK), R = weights.sums rows each).
 * A chunk is final when its first row is asked for: then it is split into its rows once, and freed.
 */
export class History implements HistorySums {
  count = 0;
  /** D, the numbers per entry row (0 before the first entry). */
  private width = 0;
  private current: Tensor2D[] = [];
  private currentStart = 0;
  private chunks = new Map<number, Tensor2D>();
  /** Lazy: the finished blocks, stacked ([entries · entryRows, D]). */
  private blocks: { e0: number; e1: number; data: Tensor2D }[] = [];
  /** The far sums of the rows of chunk `rowsOf`, [R, D] each; null once its query has read it. */
  private rows: (Tensor2D | null)[] = [];
  private rowsOf = -1;

  /** Sums are asked for at q <= lastRow; W[q, e] = 0 when q - e > memory. */
  constructor(private readonly weights: HistoryWeights, private readonly lastRow: number, private readonly memory: number,
    private readonly taped: boolean, private readonly wideFrom = WIDE_STATE, private readonly farSums: FarSums = "eager") {
    if (farSums === "lazy" && taped) throw new Error("farSums 'lazy' is for untaped histories (the reverse sweep); allowed under the tape: 'eager'");
  }

  private chunkRows(c: number): number {
    return Math.min(CHUNK, this.lastRow + 1 - c * CHUNK);
  }

  /** Adds part (rows [q0, q1) of chunk c, R rows each) into the chunk; part is freed (or becomes the chunk). */
  private addToChunk(c: number, part: Tensor2D, q0: number, q1: number): void {
    const R = this.weights.sums;
    const lo = c * CHUNK;
    const rows = this.chunkRows(c);
    const padded = q0 === lo && q1 === lo + rows ? part : (tf.pad(part, [[(q0 - lo) * R, (lo + rows - q1) * R], [0, 0]]) as Tensor2D);
    if (padded !== part) part.dispose();
    const old = this.chunks.get(c);
    if (!old) return void this.chunks.set(c, tf.keep(padded));
    this.chunks.set(c, tf.keep(add(old, padded) as Tensor2D));
    tf.dispose([old, padded]);
  }

  push(rows: Tensor[]): void {
    this.pushEntry(entryMatrix(rows));
  }

  sums(shape: number[]): Tensor[] {
    return splitSums(this.query(), shape);
  }

  /** Appends entry e = count, shape [channels, D]; the history takes ownership. */
  pushEntry(entry: Tensor2D): void {
    this.width = entry.shape[1];
    this.count++;
    this.current.push(tf.keep(entry));
    if (this.current.length === BLOCK) {
      const [entries, e0] = [this.current, this.currentStart];
      this.current = [];
      this.currentStart = this.count;
      if (this.farSums === "lazy") this.blocks.push({ e0, e1: this.count, data: tf.keep(stacked(entries)) });
      else this.addInto(entries, e0, Infinity, true);
      tf.dispose(entries);
    } else if (this.count % CHUNK === 0 && this.farSums === "eager") {
      this.addInto(this.current.slice(-CHUNK), this.count - CHUNK, this.count / CHUNK);
    }
  }

  private weighted(W: Tensor2D, entries: Tensor2D[]): Tensor2D {
    return weightedSum(W, entries, this.taped, this.weights.learned);
  }

  /**
   * Entries e0 .. count − 1 enter the sums of the chunks from the next one up to lastChunk (that they reach):
   * one GEMM per chunk. A finished block enters every later chunk; the first half of the unfinished block
   * only the next one, so that a query's own product covers at most the entries of its own chunk.
   * `release`: the entries are the finished block's, which no later query reads.
   */
  private addInto(entries: Tensor2D[], e0: number, lastChunk: number, release = false): void {
    const e1 = this.count;
    const reach = Math.min(this.lastRow, e1 - 1 + this.memory, (lastChunk + 1) * CHUNK - 1);
    const data = this.taped ? null : stacked(entries);
    // a finished block's entries are read by no query after it: off the tape, gone once stacked
    if (release && data && entries.length > 1) tf.dispose(entries);
    for (let c = e1 / CHUNK; c * CHUNK <= reach; c++) {
      const q0 = c * CHUNK;
      const q1 = Math.min(q0 + CHUNK, reach + 1);
      const W = this.weights.block(q0, q1, e0, e1);
      this.addToChunk(c, data ? (matMul(W, data) as Tensor2D) : this.weighted(W, entries), q0, q1);
    }
    if (data && entries.length > 1) data.dispose();
  }

  /**
   * Lazy: the far sums of chunk c (its rows' sums over the entries before it) from the kept blocks and the
   * first half of the unfinished one, one product each; blocks no later row reaches are freed.
   */
  private pulled(c: number): Tensor2D | undefined {
    const q0 = c * CHUNK;
    const q1 = q0 + this.chunkRows(c);
    const [reached, passed] = [this.blocks.filter((b) => b.e1 - 1 + this.memory >= q0), this.blocks.filter((b) => b.e1 - 1 + this.memory < q0)];
    passed.forEach((b) => b.data.dispose());
    this.blocks = reached;
    let sum: Tensor2D | undefined;
    const accumulate = (part: Tensor2D) => {
      if (!sum) return void (sum = part);
      const next = add(sum, part) as Tensor2D;
      tf.dispose([sum, part]);
      sum = next;
    };
    // the unfinished block's first half first: its stacked copy is gone before the blocks' products are summed
    const half = this.current.slice(0, Math.max(0, q0 - this.currentStart));
    if (half.length > 0 && this.currentStart + half.length - 1 + this.memory >= q0) {
      accumulate(this.weighted(this.weights.block(q0, q1, this.currentStart, q0), half));
    }
    for (const b of this.blocks) accumulate(matMul(this.weights.block(q0, q1, b.e0, b.e1), b.data) as Tensor2D);
    return sum && tf.keep(sum);
  }

  /** The far sums of chunk c by rows, split once when its first row is asked for. */
  private farRows(c: number): (Tensor2D | null)[] {
    if (this.rowsOf === c) return this.rows;
    tf.dispose(this.rows.filter((t): t is Tensor2D => t !== null));
    for (const [k, t] of this.chunks) {
      if (k < c) {
        t.dispose();
        this.chunks.delete(k);
      }
    }
    const chunk = this.farSums === "lazy" ? this.pulled(c) : this.chunks.get(c);
    this.chunks.delete(c);
    this.rows = chunk ? (chunk.shape[0] === this.weights.sums ? [chunk] : (tf.split(chunk, this.chunkRows(c), 0) as Tensor2D[]).map((t) => tf.keep(t))) : [];
    if (chunk && this.rows[0] !== chunk) chunk.dispose();
    this.rowsOf = c;
    return this.rows;
  }

  /** S_q at q = count: [rows, D]. */
  query(): Tensor2D {
    return this.sumsFrom(null);
  }

  /** base + S_q^r for every sum r, each in `shape`: the offset enters the same product. */
  sumsOn(base: Tensor2D, shape: number[]): Tensor[] {
    return splitSums(this.sumsFrom(base), shape);
  }

  /**
   * (base +) S_q at q = count, [rows, D]: the unfinished block, the row's far sum and the base in one product
   * W' @ concat(entries, far, base), W' = [W | I | 1].
   */
  private sumsFrom(base: Tensor2D | null): Tensor2D {
    const q = this.count;
    const c = Math.floor(q / CHUNK);
    const rows = this.farRows(c);
    const far = rows[q - c * CHUNK] ?? null;
    rows[q - c * CHUNK] = null; // each row is read once: freed as soon as its sum is made
    try {
      return this.sumWith(q, c, far, base);
    } finally {
      far?.dispose();
    }
  }

  private sumWith(q: number, c: number, far: Tensor2D | null, base: Tensor2D | null): Tensor2D {
    const R = this.weights.sums;
    const from = Math.max(c * CHUNK, this.currentStart, q - this.memory);
    const near = this.current.slice(from - this.currentStart);
    if (near.length === 0 && !base) {
      if (far) return tf.clone(far);
      return tf.zeros([R, this.width]) as Tensor2D;
    }
    const passed = [far, base].filter((t): t is Tensor2D => t !== null);
    const { hostBlock } = this.weights;
    if (hostBlock && !this.taped && R === 1 && this.weights.entryRows === 1 && this.width >= this.wideFrom) {
      const w = hostBlock(q, q + 1, from, q);
      const weighted = near.map((e, i) => tf.mul(e, w[i]) as Tensor2D);
      const terms = [...weighted, ...passed];
      if (terms.length === 1) return near.length ? terms[0] : tf.clone(terms[0]);
      const sum = tf.addN(terms) as Tensor2D;
      tf.dispose(weighted);
      return sum;
    }
    const t = (far ? R : 0) + (base ? 1 : 0);
    const tail = new Float32Array(R * t);
    for (let r = 0; r < R; r++) {
      if (far) tail[r * t + r] = 1;
      if (base) tail[r * t + t - 1] = 1;
    }
    return this.weighted(this.weights.block(q, q + 1, from, q, tail), [...near, ...passed]);
  }

  dispose(): void {
    tf.dispose([...this.current, ...this.rows.filter((t): t is Tensor2D => t !== null), ...this.blocks.map((b) => b.data)]);
    this.chunks.forEach((t) => t.dispose());
    this.current = [];
    this.rows = [];
    this.blocks = [];
    this.chunks.clear();
  }
}

/** Flattens a state to one row [1, D] (a view, no copy). */
export function asRow(x: Tensor): Tensor2D {
  return reshape(x, [1, x.size]) as Tensor2D;
}
