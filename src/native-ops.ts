// Float32 kernels called straight on tfjs-node's binding when nothing records a tape (the adjoint's untaped
// solves and hand-written VJPs, a custom op's forward): the engine's dispatch costs ~4-8 µs of a small op's
// ~10-20 µs (tf.add 18.3 against 10.4 µs, tf.matMul 21.1 against 15.1, tf.tanh 11.7 against 8.3: [2, 2]
// inputs, this project's CI machine kind), and tf.reshape and tf.concat upload their shape or axis as a fresh
// int32 tensor at each call, where these reuse one (tf.reshape 23.1 against 11.2 µs). Under a tape, on another
// backend or for another dtype: the tf.* op. The outputs are ordinary tracked tensors (tidy scopes, tf.memory)
// either way; the int32 constants live in the backend alone, outside tf.memory's count.
import { tf } from "./backend";
import type { Tensor } from "@tensorflow/tfjs";
import { boolAttr, intAttr, nativeBinding, tapeIsOn, typeAttr, type NativeAttr, type NativeBackend } from "./tfjs-internals";
import { boundedCache } from "./util/bounded-cache";

function direct(inputs: Tensor[]): NativeBackend | null {
  if (tapeIsOn() || inputs.some((x) => x.dtype !== "float32")) return null;
  return nativeBinding();
}

const floatAttr = (b: NativeBackend) => typeAttr(b, "T", b.binding.TF_FLOAT);

/** The kernels run here while a log is open (they bypass the engine, so tf.profile does not list them). */
let log: { name: string; kernelTimeMs: number }[] | null = null;

/**
 * Opens a log of the kernels these functions run; the function returned closes it and gives them, each with
 * its wall time (as tf.profile's kernelTimeMs on tfjs-node).
 */
export function startNativeKernelLog(): () => { name: string; kernelTimeMs: number }[] {
  const mine: { name: string; kernelTimeMs: number }[] = [];
  log = mine;
  return () => {
    if (log === mine) log = null;
    return mine;
  };
}

/** One native op by name (every direct call of the binding goes through here, so that the log sees it). */
export function runNative(n: NativeBackend, name: string, attrs: NativeAttr[], inputs: Tensor[]): Tensor {
  if (!log) return n.executeSingleOutput(name, attrs, inputs);
  const t0 = performance.now();
  const out = n.executeSingleOutput(name, attrs, inputs);
  log.push({ name, kernelTimeMs: performance.now() - t0 });
  return out;
}

/** a @ b of two matrices (transposed as asked). */
export function matMul(a: Tensor, b: Tensor, transposeA = false, transposeB = false): Tensor {
  const n = a.rank === 2 && b.rank === 2 ? direct([a, b]) : null;
  if (!n) return tf.matMul(a as never, b as never, transposeA, transposeB);
  return runNative(n, "MatMul", [floatAttr(n), boolAttr(n, "transpose_a", transposeA), boolAttr(n, "transpose_b", transposeB)], [a, b]);
}

/** a + b, broadcast. */
export function add(a: Tensor, b: Tensor): Tensor {
  const n = direct([a, b]);
  return n ? runNative(n, "AddV2", [floatAttr(n)], [a, b]) : tf.add(a, b);
}

/** tanh(x). */
export function tanh(x: Tensor): Tensor {
  const n = direct([x]);
  return n ? runNative(n, "Tanh", [floatAttr(n)], [x]) : tf.tanh(x);
}

/** g ⊙ (1 − z²), the gradient through z = tanh(x): one TanhGrad kernel. */
export function tanhGrad(z: Tensor, g: Tensor): Tensor {
  const n = direct([z, g]);
  return n ? runNative(n, "TanhGrad", [floatAttr(n)], [z, g]) : tf.tidy(() => tf.mul(g, tf.sub(1, tf.square(z))));
}

/** Σ over the rows of x [rows, n]: one BiasAddGrad kernel (tf.sum(x, 0) adds an axis upload). */
export function sumRows(x: Tensor): Tensor {
  const n = x.rank === 2 ? direct([x]) : null;
  return n ? runNative(n, "BiasAddGrad", [floatAttr(n)], [x]) : tf.sum(x, 0);
}

interface BackendWriter {
  write(values: Int32Array, shape: number[], dtype: "int32"): object;
  disposeData(dataId: object, force?: boolean): boolean;
}

const constantCaches = new WeakMap<object, (key: string, build: () => object) => object>();

/** An int32 vector written once into the backend (not an engine tensor), as an op input. */
function int32Constant(values: number[], asScalar: boolean): Tensor {
  const backend = tf.backend() as unknown as BackendWriter;
  let cache = constantCaches.get(backend);
  if (!cache) constantCaches.set(backend, cache = boundedCache<object>(256, (dataId) => backend.disposeData(dataId, true)));
  const shape = asScalar ? [] : [values.length];
  const dataId = cache(`${shape.length}:${values.join(",")}`, () => backend.write(Int32Array.from(values), shape, "int32"));
  return { dataId, shape, dtype: "int32" } as unknown as Tensor;
}

/** x in `shape` (every entry given: no −1). */
export function reshape(x: Tensor, shape: number[]): Tensor {
  const n = shape.every((d) => Number.isInteger(d) && d >= 0) ? direct([x]) : null;
  if (!n) return tf.reshape(x, shape);
  const size = shape.reduce((a, d) => a * d, 1);
  if (size !== x.size) throw new Error(`reshape: shape [${shape}] holds ${size} numbers; allowed: a shape of ${x.size} numbers ([${x.shape}])`);
  return runNative(n, "Reshape", [floatAttr(n), typeAttr(n, "Tshape", n.binding.TF_INT32)], [x, int32Constant(shape, false)]);
}

/** The tensors stacked along `axis` (an existing axis of each). */
export function concat(xs: Tensor[], axis = 0): Tensor {
  const n = xs.length > 1 && Number.isInteger(axis) && axis >= 0 ? direct(xs) : null;
  if (!n) return tf.concat(xs, axis);
  return runNative(n, "ConcatV2", [
    floatAttr(n), intAttr(n, "N", xs.length), typeAttr(n, "Tidx", n.binding.TF_INT32),
  ], [...xs, int32Constant([axis], true)]);
}
