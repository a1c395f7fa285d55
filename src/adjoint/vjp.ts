// One vector-Jacobian product of f: (f(t, y), (∂f/∂y)ᵀc, (∂f/∂p)ᵀc for every p in params).
import { tf } from "../backend";
import type { Tensor } from "@tensorflow/tfjs";
import { nestedGradients, trainableVariables } from "../tfjs-internals";
import { callField } from "../solvers/field";
import type { VectorField, Vjp } from "../solvers/types";

export function vjp(f: VectorField, t: number, y: Tensor, cotangent: Tensor, params: Tensor[], step: number, needValue = false): Vjp {
  if (f.vjp) {
    const r = f.vjp(t, y, cotangent, params, needValue);
    if (needValue && !r.value) r.value = callField(f, t, y, step);
    if (r.params.length !== params.length) {
      throw new Error(`f.vjp returned ${r.params.length} parameter gradients; it must return one per params entry (${params.length})`);
    }
    return r;
  }
  const { value, grads } = nestedGradients(() => callField(f, t, y, step), [y, ...params], cotangent);
  return { value, y: grads[0] ?? tf.zerosLike(y), params: grads.slice(1).map((g) => g ?? null) };
}

/**
 * Throws when f reads a trainable tf.Variable that is not in `params` (it would silently get no gradient).
 * One extra VJP at the given point, with every other trainable variable watched.
 */
export function assertParamsComplete(f: VectorField, t: number, y: Tensor, cotangent: Tensor, params: Tensor[], exclude: Tensor[]): void {
  if (f.vjp) return;
  const listed = new Set([...params, ...exclude].map((p) => p.id));
  const others = trainableVariables().filter((v) => !listed.has(v.id));
  if (others.length === 0) return;
  tf.tidy(() => {
    const { grads } = nestedGradients(() => f(t, y), others, cotangent);
    const missing = others.filter((_, i) => grads[i] !== undefined).map((v) => v.name);
    if (missing.length > 0) {
      throw new Error(`f reads the trainable tf.Variable${missing.length > 1 ? "s" : ""} ${missing.map((m) => `"${m}"`).join(", ")} ` +
        "that params does not list, so it would get no gradient: add it to params (or make it non-trainable)");
    }
  });
}
