import type { Tensor } from "@tensorflow/tfjs";

/** ‖a − b‖ / ‖b‖ over lists of tensors of matching shapes (e.g. a gradient against direct autodiff's), in float64. */
export function relativeDifference(a: readonly Tensor[], b: readonly Tensor[]): number {
  if (a.length !== b.length) throw new Error(`relativeDifference: ${a.length} tensors against ${b.length}; allowed: lists of the same length`);
  let num = 0, den = 0;
  a.forEach((x, i) => {
    if (x.shape.join() !== b[i].shape.join()) {
      throw new Error(`relativeDifference: tensor ${i} has shape [${x.shape}] against [${b[i].shape}]; allowed: the same shapes`);
    }
    const p = x.dataSync(), q = b[i].dataSync();
    for (let j = 0; j < p.length; j++) { num += (p[j] - q[j]) ** 2; den += q[j] ** 2; }
  });
  return Math.sqrt(num / den);
}

