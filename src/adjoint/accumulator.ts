import { tf } from "../backend";
import type { Tensor } from "@tensorflow/tfjs";

/**
 * A running sum of tensors, in float64 on the host: it outlives the tf.tidy scopes of a reverse sweep,
 * and adding is one read of the values instead of a kernel launch per term.
 */
export class Accumulator {
  private sum: Float64Array | null = null;
  private shape: number[] = [];

  add(x: Tensor | null, scale = 1): void {
    if (x === null) return;
    const d = x.dataSync();
    if (!this.sum) {
      this.sum = new Float64Array(d.length);
      this.shape = x.shape;
    }
    const sum = this.sum;
    for (let i = 0; i < d.length; i++) sum[i] += scale * d[i];
  }

  /** The sum as an ordinary (tidy-tracked) tensor, or `empty()` when nothing was added. */
  take(empty: () => Tensor): Tensor {
    const out = this.sum ? tf.tensor(Float32Array.from(this.sum), this.shape) : empty();
    this.dispose();
    return out;
  }

  dispose(): void {
    this.sum = null;
  }
}
