// One vector-Jacobian product of f: (f(t, y), (∂f/∂y)ᵀc, (∂f/∂p)ᵀc for every p in params).
import { tf } from "../backend";
import type { Tensor, Variable } from "@tensorflow/tfjs";
import { callField } from "../solvers/loop";
import type { VectorField } from "../solvers/types";

export interface Vjp {
  /** f(t, y); with a hand-written vjp only when asked for. */
  value?: Tensor;
  y: Tensor;
  params: (Tensor | null)[];
}

interface EngineInternals {
  state: { activeTape: unknown; registeredVariables: Record<string, Variable> };
  gradients(f: () => Tensor, xs: Tensor[], dy: Tensor, allowNoGradients: boolean): { value: Tensor; grads: (Tensor | undefined)[] };
}

const engine = () => tf.engine() as unknown as EngineInternals;

// A nested gradient call leaves the engine's active tape null; an outer backward pass needs it back.
function nestedGradients(f: () => Tensor, xs: Tensor[], dy: Tensor) {
  const e = engine();
  const tape = e.state.activeTape;
  try {
    return e.gradients(f, xs, dy, true);
  } finally {
    e.state.activeTape = tape;
  }
}

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
  const others = Object.values(engine().state.registeredVariables).filter((v) => v.trainable && !listed.has(v.id));
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
