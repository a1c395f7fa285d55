// The fractional Lotka–Volterra field D^β x = x(a − c·y), D^β y = −y(b − d·x) (Caputo, 0 < β <= 1) on
// batched rows (x, y), with its hand-written VJP.
import { tf } from "../backend";
import type { Tensor1D, Tensor2D } from "@tensorflow/tfjs";
import type { VectorField } from "../solvers/types";

export interface LotkaVolterraParams { a: number; b: number; c: number; d: number }

/** The parameters of the reference data set: [a, b, c, d] = [1.0, 0.5, 1.0, 0.3], β = 0.7. */
export const LV_TRUE: LotkaVolterraParams & { beta: number } = { a: 1.0, b: 0.5, c: 1.0, d: 0.3, beta: 0.7 };

/** r = [a, −b] and K = [[0, d], [−c, 0]]: the field is u ⊙ (r + u K) for rows u = (x, y). */
export function lvCoefficients(theta: Tensor1D): { r: Tensor1D; K: Tensor2D } {
  return tf.tidy(() => {
    const [a, b, c, d] = tf.unstack(theta);
    const zero = tf.zerosLike(a);
    const r = tf.stack([a, tf.neg(b)]) as Tensor1D;
    const K = tf.reshape(tf.stack([zero, d, tf.neg(c), zero]), [2, 2]) as Tensor2D;
    return { r, K };
  });
}

/**
 * The Lotka–Volterra field on rows u = (x, y): f(u) = u ⊙ (r + u K), with a hand-written VJP
 * (∂f/∂u)ᵀc = c ⊙ g + (c ⊙ u) Kᵀ, dr = Σ_rows c ⊙ u, dK = uᵀ(c ⊙ u) — params of the adjoint: [r, K].
 */
export function lotkaVolterraField(r: Tensor1D, K: Tensor2D): VectorField {
  const f: VectorField = (_t, u) => tf.tidy(() => tf.mul(u, tf.add(r, tf.matMul(u as Tensor2D, K))));
  f.vjp = (_t, u, c) => {
    const [value, du, dr, dK] = tf.tidy(() => {
      const g = tf.add(r, tf.matMul(u as Tensor2D, K));
      const cu = tf.mul(c, u) as Tensor2D;
      return [tf.mul(u, g), tf.add(tf.mul(c, g), tf.matMul(cu, K, false, true)), tf.sum(cu, 0), tf.matMul(u as Tensor2D, cu, true, false)];
    });
    return { value, y: du, params: [dr, dK] };
  };
  return f;
}
