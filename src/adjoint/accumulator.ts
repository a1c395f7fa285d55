import { tf } from "../backend";
import type { Tensor } from "@tensorflow/tfjs";

/** A running sum of tensors that survives the tf.tidy scopes of a reverse sweep. */
export class Accumulator {
  private sum: Tensor | null = null;

  add(x: Tensor | null): void {
    if (x === null) return;
    const next = tf.keep(this.sum ? tf.add(this.sum, x) : tf.clone(x));
    this.sum?.dispose();
    this.sum = next;
  }

  /** The sum as an ordinary (tidy-tracked) tensor, or `empty()` when nothing was added. */
  take(empty: () => Tensor): Tensor {
    const out = this.sum ? tf.clone(this.sum) : empty();
    this.dispose();
    return out;
  }

  dispose(): void {
    this.sum?.dispose();
    this.sum = null;
  }
}
