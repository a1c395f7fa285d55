// Node features in coordinate form: bag-of-words rows are sparse, and the encoder reads only the non-zeros.
import { tf } from "../backend";
import type { Tensor1D } from "@tensorflow/tfjs";

/** Node features in coordinate form (bag-of-words rows are sparse; dropout on zeros changes nothing). */
export interface SparseFeatures {
  numNodes: number;
  numFeatures: number;
  values: Float32Array;
  rowIdx: Tensor1D;
  colIdx: Tensor1D;
  dispose(): void;
}

/** The non-zeros of a row-major [numNodes, numFeatures] matrix. Call dispose(). */
export function sparseFeatures(dense: Float32Array, numNodes: number, numFeatures: number): SparseFeatures {
  if (dense.length !== numNodes * numFeatures) {
    throw new Error(`sparseFeatures: dense has ${dense.length} entries; allowed: numNodes * numFeatures = ${numNodes * numFeatures}`);
  }
  const rows: number[] = [];
  const cols: number[] = [];
  const vals: number[] = [];
  for (let i = 0; i < dense.length; i++) {
    if (dense[i] !== 0) { rows.push(Math.floor(i / numFeatures)); cols.push(i % numFeatures); vals.push(dense[i]); }
  }
  const rowIdx = tf.keep(tf.tensor1d(rows, "int32"));
  const colIdx = tf.keep(tf.tensor1d(cols, "int32"));
  return { numNodes, numFeatures, values: Float32Array.from(vals), rowIdx, colIdx, dispose: () => tf.dispose([rowIdx, colIdx]) };
}
