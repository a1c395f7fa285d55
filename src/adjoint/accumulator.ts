import { tf } from "../backend";
import type { Tensor } from "@tensorflow/tfjs";

/**
 * Sizes up to which a sum is kept on the host: there one read of the values costs less than a kernel launch.
 * Larger reads cost more than the add: at 16384 floats (the B2 field's W1) the host sums of one VJP's four
 * parameter gradients took ~500 µs against ~190 µs as tensor adds (each read allocates a fresh array).
 */
const HOST_MAX_SIZE = 256;

/**
 * A running sum of tensors that outlives the tf.tidy scopes of a reverse sweep: in float64 on the host for
 * small tensors (adding is one read of the values instead of a kernel launch per term), as a kept tensor
 * for larger ones (one add instead of copying the values out and looping over them in JavaScript).
 */
export class Accumulator {
  private sum: Float64Array | null = null;
  private shape: number[] = [];
  private tensor: Tensor | null = null;

  add(x: Tensor | null, scale = 1): void {
    if (x === null) return;
    if (x.size > HOST_MAX_SIZE) {
      this.addTensor(x, scale);
      return;
    }
    const d = x.dataSync();
    if (!this.sum) {
      this.sum = new Float64Array(d.length);
      this.shape = x.shape;
    }
    const sum = this.sum;
    for (let i = 0; i < d.length; i++) sum[i] += scale * d[i];
  }

  private addTensor(x: Tensor, scale: number): void {
    const old = this.tensor;
    if (!old) this.tensor = tf.keep(scale === 1 ? tf.clone(x) : tf.mul(x, scale));
    else if (scale === 1) this.tensor = tf.keep(tf.add(old, x));
    else if (scale === -1) this.tensor = tf.keep(tf.sub(old, x));
    else this.tensor = tf.keep(tf.add(old, tf.mul(x, scale)));
    old?.dispose();
  }

  /** The sum as an ordinary (tidy-tracked) tensor, or `empty()` when nothing was added. */
  take(empty: () => Tensor): Tensor {
    const out = this.tensor ? tf.clone(this.tensor) : this.sum ? tf.tensor(Float32Array.from(this.sum), this.shape) : empty();
    this.dispose();
    return out;
  }

  dispose(): void {
    this.tensor?.dispose();
    this.tensor = null;
    this.sum = null;
  }
}
