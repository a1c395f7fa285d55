// The stored history of a solve (f_j, u_j, or the reverse sweep's cotangents) and its weighted sums.
// A sum over k stored entries is a few matMuls, not k scale-and-adds: entries are kept in stacked blocks
// of BLOCK rows. Untaped (adjoint) solves merge finished blocks into one tensor, so a query is two matMuls;
// taped (direct autodiff) solves keep the blocks apart, so the tape holds each entry once.
import { tf } from "../backend";
import type { Tensor, Tensor2D } from "@tensorflow/tfjs";

const BLOCK = 16;

interface Block {
  start: number;
  count: number;
  data: Tensor2D; // [count * channels, D]
}

export class History {
  private blocks: Block[] = [];
  private current: Tensor2D[] = [];
  private currentStart = 0;
  count = 0;

  constructor(private readonly channels: number, private readonly merge: boolean) {}

  /** Appends one entry of shape [channels, D]; the history takes ownership. */
  push(entry: Tensor2D): void {
    this.current.push(tf.keep(entry));
    this.count++;
    if (this.current.length === BLOCK) this.seal();
  }

  private seal(): void {
    const data = tf.keep(tf.concat(this.current, 0)) as Tensor2D;
    tf.dispose(this.current);
    this.blocks.push({ start: this.currentStart, count: this.current.length, data });
    this.current = [];
    this.currentStart = this.count;
    if (this.merge && this.blocks.length > 1) {
      const merged = tf.keep(tf.concat(this.blocks.map((b) => b.data), 0)) as Tensor2D;
      this.blocks.forEach((b) => b.data.dispose());
      this.blocks = [{ start: 0, count: this.count, data: merged }];
    }
  }

  /**
   * Σ over entries from..count-1 of weights[:, (j-from)*C + c] · entry_j[c]: returns [R, D].
   * `weights` is [R, (count - from) * channels] (entry-major, channel-minor).
   */
  query(weights: Tensor2D, from: number): Tensor2D {
    const C = this.channels;
    const R = weights.shape[0];
    const parts: Tensor2D[] = [];
    const take = (start: number, count: number, data: () => Tensor2D) => {
      const lo = Math.max(from, start);
      if (lo >= start + count) return;
      let d = data();
      if (lo > start) d = tf.slice(d, [(lo - start) * C, 0], [(start + count - lo) * C, -1]);
      const w = tf.slice(weights, [0, (lo - from) * C], [R, (start + count - lo) * C]);
      parts.push(tf.matMul(w, d));
    };
    for (const b of this.blocks) take(b.start, b.count, () => b.data);
    if (this.current.length > 0) {
      take(this.currentStart, this.current.length, () =>
        this.current.length === 1 ? this.current[0] : (tf.concat(this.current, 0) as Tensor2D));
    }
    if (parts.length === 0) return tf.zeros([R, this.width()]) as Tensor2D;
    return parts.length === 1 ? parts[0] : (tf.addN(parts) as Tensor2D);
  }

  private width(): number {
    const any = this.current[0] ?? this.blocks[0]?.data;
    return any ? any.shape[1] : 0;
  }

  dispose(): void {
    this.blocks.forEach((b) => b.data.dispose());
    tf.dispose(this.current);
    this.blocks = [];
    this.current = [];
  }
}

/** Flattens a state to one row [1, D] (a view, no copy). */
export function asRow(x: Tensor): Tensor2D {
  return tf.reshape(x, [1, x.size]) as Tensor2D;
}
