// Node features in coordinate form (bag-of-words rows are sparse, and the encoder reads only the non-zeros) or
// dense (CSBM's Gaussian rows: the encoder is then one matrix product), and the encoder's product over either.
import { tf } from "../backend";
import type { Tensor, Tensor1D, Tensor2D } from "@tensorflow/tfjs";
import { int64Shape, sparseDenseMatMul } from "../graph/sparse-matmul";
import { customOp, nativeBinding, type NativeBackend } from "../tfjs-internals";
import type { Rng } from "../util/rng";
import type { Linear } from "./init";

/** Node features in coordinate form (bag-of-words rows are sparse; dropout on zeros changes nothing). */
export interface SparseFeatures {
  numNodes: number;
  numFeatures: number;
  values: Float32Array;
  rowIdx: Tensor1D;
  colIdx: Tensor1D;
  /** On tfjs-node: the (row, col) pairs [nnz, 2] and the int64 dense shape, for TensorFlow's SparseTensorDenseMatMul. */
  native?: { indices: Tensor2D; denseShape: Tensor } | null;
  dispose(): void;
}

/** Node features as one dense [numNodes, numFeatures] tensor. */
export interface DenseFeatures {
  numNodes: number;
  numFeatures: number;
  dense: Tensor2D;
  dispose(): void;
}

export type NodeFeatures = SparseFeatures | DenseFeatures;

/** How a row-major feature matrix becomes NodeFeatures: "auto" picks by the share of non-zeros (nodeFeatures). */
export type FeatureFormat = "auto" | "dense" | "sparse";
export const FEATURE_FORMATS: readonly FeatureFormat[] = ["auto", "dense", "sparse"];

function checkShape(owner: string, dense: Float32Array, numNodes: number, numFeatures: number): void {
  if (!(Number.isInteger(numNodes) && numNodes > 0 && Number.isInteger(numFeatures) && numFeatures > 0)) {
    throw new Error(`${owner}: numNodes ${numNodes}, numFeatures ${numFeatures}; allowed: positive integers`);
  }
  if (dense.length !== numNodes * numFeatures) {
    throw new Error(`${owner}: dense has ${dense.length} entries; allowed: numNodes * numFeatures = ${numNodes * numFeatures}`);
  }
}

function countNonZeros(dense: Float32Array): number {
  let nnz = 0;
  for (let i = 0; i < dense.length; i++) if (dense[i] !== 0) nnz++;
  return nnz;
}

/** The non-zeros of a row-major [numNodes, numFeatures] matrix. Call dispose(). */
export function sparseFeatures(dense: Float32Array, numNodes: number, numFeatures: number): SparseFeatures {
  checkShape("sparseFeatures", dense, numNodes, numFeatures);
  const nnz = countNonZeros(dense);
  const rows = new Int32Array(nnz), cols = new Int32Array(nnz), values = new Float32Array(nnz);
  for (let i = 0, k = 0, row = 0, col = 0; i < dense.length; i++) {
    if (dense[i] !== 0) { rows[k] = row; cols[k] = col; values[k++] = dense[i]; }
    if (++col === numFeatures) { col = 0; row++; }
  }
  const rowIdx = tf.keep(tf.tensor1d(rows, "int32"));
  const colIdx = tf.keep(tf.tensor1d(cols, "int32"));
  const b = nativeBinding();
  const native = b ? tf.tidy(() => ({
    indices: tf.keep(tf.stack([rowIdx, colIdx], 1) as Tensor2D), denseShape: tf.keep(int64Shape(b, numNodes, numFeatures)),
  })) : null;
  const owned = [rowIdx, colIdx, ...(native ? [native.indices, native.denseShape] : [])];
  return { numNodes, numFeatures, values, rowIdx, colIdx, native, dispose: () => tf.dispose(owned) };
}

/** A row-major [numNodes, numFeatures] matrix as one tensor (copied). Call dispose(). */
export function denseFeatures(dense: Float32Array, numNodes: number, numFeatures: number): DenseFeatures {
  checkShape("denseFeatures", dense, numNodes, numFeatures);
  const t = tf.keep(tf.tensor2d(dense, [numNodes, numFeatures]));
  return { numNodes, numFeatures, dense: t, dispose: () => t.dispose() };
}

/**
 * The features in the given format. "auto" is dense unless fewer than numFeatures / hidden of the entries are
 * non-zero: the sparse encoder gathers one [hidden] row per non-zero, the dense one holds the whole matrix.
 */
export function nodeFeatures(dense: Float32Array, numNodes: number, numFeatures: number, format: FeatureFormat, hidden: number): NodeFeatures {
  if (!FEATURE_FORMATS.includes(format)) throw new Error(`nodeFeatures: format is ${JSON.stringify(format)}; allowed: ${FEATURE_FORMATS.join(", ")}`);
  const sparse = format === "sparse" || (format === "auto" && countNonZeros(dense) * hidden < dense.length);
  return sparse ? sparseFeatures(dense, numNodes, numFeatures) : denseFeatures(dense, numNodes, numFeatures);
}

export function isDense(x: NodeFeatures): x is DenseFeatures {
  return (x as DenseFeatures).dense !== undefined;
}

/** Inverted dropout (rate p, masks from rng) on the stored entries, then X W + b: [numNodes, W's columns]. */
export function featureProduct(x: NodeFeatures, layer: Linear, dropout: { rate: number; rng: Rng } | null): Tensor2D {
  return tf.tidy(() => {
    if (isDense(x)) {
      const input = dropout ? tf.mul(x.dense, tf.tensor2d(dropout.rng.dropoutMask(x.dense.size, dropout.rate), x.dense.shape)) : x.dense;
      return tf.add(tf.matMul(input, layer.w), layer.b);
    }
    const vals = dropout ? applyMask(x.values, dropout.rng, dropout.rate) : x.values;
    const b = nativeBinding();
    if (b && x.native) return tf.add(nativeProduct(b, x.native, tf.tensor1d(vals), layer.w), layer.b);
    const msg = tf.mul(tf.gather(layer.w, x.colIdx), tf.tensor2d(vals, [vals.length, 1]));
    return tf.add(tf.unsortedSegmentSum(msg, x.rowIdx, x.numNodes), layer.b);
  });
}

// X W and its gradient Xᵀ dY in TensorFlow's sparse product: no [nnz, hidden] gathered rows, forward or backward.
function nativeProduct(b: NativeBackend, n: { indices: Tensor2D; denseShape: Tensor }, vals: Tensor1D, W: Tensor2D): Tensor2D {
  const product = (v: Tensor, dense: Tensor2D, adjoint: boolean) => sparseDenseMatMul(b, n, v, dense, adjoint);
  return customOp<Tensor2D>(([w], save) => {
    save([vals]);
    return { value: product(vals, w as Tensor2D, false), gradFunc: (dy, [v]) => [product(v, dy, true)] };
  })(W);
}

function applyMask(values: Float32Array, rng: Rng, rate: number): Float32Array {
  const mask = rng.dropoutMask(values.length, rate);
  for (let i = 0; i < mask.length; i++) mask[i] *= values[i];
  return mask;
}
