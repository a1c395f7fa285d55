// Calls of the vector field f, checked: what it returns, and whether the state stays finite.
import { tf } from "../backend";
import type { Tensor } from "@tensorflow/tfjs";
import { untaped } from "../tfjs-internals";
import type { VectorField } from "./types";

const sameShape = (a: number[], b: number[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/** f(t, y), which must be a float32 tensor of y's shape; `step` names the step in errors. */
export function callField(f: VectorField, t: number, y: Tensor, step: number): Tensor {
  const out = f(t, y);
  if (!(out instanceof tf.Tensor)) {
    throw new Error(`f(t, y) returned ${typeof out} at step ${step} (t = ${t}); it must return a tf.Tensor of y's shape [${y.shape}]`);
  }
  if (!sameShape(out.shape, y.shape) || out.dtype !== "float32") {
    throw new Error(`f(t, y) returned shape [${out.shape}] (${out.dtype}) at step ${step} (t = ${t}); ` +
      `it must return y's shape [${y.shape}] (float32)`);
  }
  return out;
}

/** Sizes up to which the values are read and scanned on the host: cheaper there than a kernel launch. */
const HOST_SCAN_MAX = 16384;

export function assertFinite(y: Tensor, step: number, t: number, what = "the state y"): void {
  // A larger state is summed on the device first (one kernel, one number read): a non-finite value makes the
  // sum non-finite; only then (or on overflow of a finite sum) are the values read to name the first one.
  if (y.size > HOST_SCAN_MAX) {
    const s = untaped(() => tf.tidy(() => tf.sum(y)));
    const total = s.dataSync()[0];
    s.dispose();
    if (Number.isFinite(total)) return;
  }
  const d = y.dataSync();
  for (let i = 0; i < d.length; i++) {
    if (!Number.isFinite(d[i])) {
      throw new Error(`${what} became non-finite (${d[i]} at flat index ${i}) at step ${step} (t = ${t}); ` +
        "the solve diverged: reduce stepSize or tEnd, or check f");
    }
  }
}
