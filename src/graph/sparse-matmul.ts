// Sparse x dense products for graph propagation: (A X)[i] = sum over edges e with dst_e = i of w_e X[src_e],
// i.e. A[dst, src] = w and messages flow from src to dst. On the native backend a matrix whose values factor
// as w_e = r[dst_e]·c[src_e] (makeScaledSparse, e.g. the GCN Â) runs r ⊙ SparseSegmentSum(c ⊙ X), about
// twice as fast as TensorFlow's SparseTensorDenseMatMul, which runs any other values; elsewhere
// gather + mul + unsortedSegmentSum. Gradients flow to X and to the edge values.
import { tf } from "../backend";
import { boolAttr, customOp, nativeBinding, typeAttr, type NativeBackend } from "../tfjs-internals";
import { runNative } from "../native-ops";

type Tensor = ReturnType<typeof tf.tensor>;
type Tensor1D = ReturnType<typeof tf.tensor1d>;
type Tensor2D = ReturnType<typeof tf.tensor2d>;

/** Unit-weight edges sorted by their output row: out[segments_e] += in[indices_e]. */
interface Segments {
  indices: Tensor1D;
  segments: Tensor1D;
}

/** A = diag(rowScale) S diag(colScale), S the 0/1 pattern: the native operands of A X and of Aᵀ X. */
interface ScaledPattern {
  forward: Segments;
  transposed: Segments;
  rowScale: Tensor2D;
  colScale: Tensor2D;
  numSegments: Tensor;
  /** rowScale (forward) or colScale (transposed) is 1/√(entries of the output row), as in the GCN Â: SqrtN applies it. */
  sqrtN: { forward: boolean; transposed: boolean };
}

export interface SparseGraph {
  readonly numNodes: number;
  readonly numEdges: number;
  /** Output row of each edge (dst) and the input row it reads (src), host copies. */
  readonly rows: Int32Array;
  readonly cols: Int32Array;
  readonly rowIdx: Tensor1D;
  readonly colIdx: Tensor1D;
  /** Edge values [E] float32. Owned by the graph when made from a Float32Array, else the caller's. */
  readonly values: Tensor1D;
  /** True when the values were given as a tensor: spmm then also differentiates w.r.t. them. */
  readonly valuesAreTensor: boolean;
  /** Native (TensorFlow) operands: indices [E, 2] int32 (row, col) and the int64 dense shape. */
  readonly native: { indices: Tensor2D; denseShape: Tensor } | null;
  /** Native operands of the factored values (makeScaledSparse), else null. */
  readonly scaled: ScaledPattern | null;
  dispose(): void;
}

// TensorFlow wants the dense shape as int64, which tfjs cannot create: cast an int32 tensor inside TF.
export function int64Shape(b: NativeBackend, rows: number, cols = rows): Tensor {
  const warn = console.warn;
  console.warn = () => {}; // tfjs-node announces every int64 output; this one is intended
  try {
    return tf.tidy(() => runNative(b, "Cast", [
      typeAttr(b, "SrcT", b.binding.TF_INT32), typeAttr(b, "DstT", b.binding.TF_INT64), boolAttr(b, "Truncate", false),
    ], [tf.tensor1d([rows, cols], "int32")]));
  } finally {
    console.warn = warn;
  }
}

function checkIndices(name: string, a: Int32Array, numNodes: number): void {
  for (let i = 0; i < a.length; i++) {
    if (!(a[i] >= 0 && a[i] < numNodes)) {
      throw new Error(`makeSparse: ${name}[${i}] is ${a[i]}; allowed: integers in 0..${numNodes - 1} (numNodes ${numNodes})`);
    }
  }
}

/**
 * A sparse N x N matrix with A[dst_e, src_e] = values_e, made once and reused by spmm. Call dispose().
 * A values tensor stays the caller's (not disposed here); a Float32Array becomes a tensor the graph owns.
 * Repeated (dst, src) pairs add up.
 */
export function makeSparse(src: Int32Array | number[], dst: Int32Array | number[],
  values: Tensor1D | Float32Array | number[], numNodes: number): SparseGraph {
  return build(src, dst, values, numNodes, null);
}

/**
 * The sparse matrix A[dst_e, src_e] = rowScale[dst_e]·colScale[src_e] (as makeSparse with those values), whose
 * product spmm computes as rowScale ⊙ (S (colScale ⊙ X)) with S the edge pattern: the GCN Â is one.
 */
export function makeScaledSparse(src: Int32Array | number[], dst: Int32Array | number[],
  scales: { row: Float32Array; col: Float32Array }, numNodes: number): SparseGraph {
  for (const [name, s] of [["row", scales.row], ["col", scales.col]] as const) {
    if (s.length !== numNodes) throw new Error(`makeScaledSparse: scales.${name} has ${s.length} entries; allowed: numNodes (${numNodes})`);
  }
  const values = Float32Array.from(src, (s, e) => scales.row[dst[e]] * scales.col[s]);
  return build(src, dst, values, numNodes, scales);
}

function build(src: Int32Array | number[], dst: Int32Array | number[], values: Tensor1D | Float32Array | number[], numNodes: number,
  scales: { row: Float32Array; col: Float32Array } | null): SparseGraph {
  if (!Number.isInteger(numNodes) || numNodes <= 0) throw new Error(`makeSparse: numNodes is ${numNodes}; allowed: a positive integer`);
  const cols = Int32Array.from(src);
  const rows = Int32Array.from(dst);
  if (rows.length !== cols.length) throw new Error(`makeSparse: src has ${cols.length} entries and dst ${rows.length}; they must match`);
  checkIndices("src", cols, numNodes);
  checkIndices("dst", rows, numNodes);
  const valuesAreTensor = values instanceof tf.Tensor;
  const vals = valuesAreTensor ? (values as Tensor1D) : tf.keep(tf.tensor1d(Float32Array.from(values as ArrayLike<number>), "float32"));
  if (vals.rank !== 1 || vals.shape[0] !== rows.length || vals.dtype !== "float32") {
    if (!valuesAreTensor) vals.dispose();
    throw new Error(`makeSparse: values has shape [${vals.shape}] (${vals.dtype}); allowed: float32 [${rows.length}] (one per edge)`);
  }
  const owned: Tensor[] = valuesAreTensor ? [] : [vals];
  const keep = <T extends Tensor>(t: T): T => { owned.push(tf.keep(t)); return t; };
  const rowIdx = keep(tf.tensor1d(rows, "int32"));
  const colIdx = keep(tf.tensor1d(cols, "int32"));
  const b = nativeBinding();
  const native = b ? {
    indices: keep(tf.tidy(() => tf.stack([rowIdx, colIdx], 1) as Tensor2D)),
    denseShape: keep(int64Shape(b, numNodes)),
  } : null;
  const scaled = b && scales ? scaledPattern(rows, cols, scales, numNodes, keep) : null;
  return {
    numNodes, numEdges: rows.length, rows, cols, rowIdx, colIdx, values: vals, valuesAreTensor, native, scaled,
    dispose: () => { tf.dispose(owned); owned.length = 0; },
  };
}

/** The edges sorted by (out, in), as host arrays. */
function sortedEdges(out: Int32Array, inp: Int32Array): { indices: Int32Array; segments: Int32Array } {
  const order = Array.from(out, (_, e) => e).sort((i, j) => out[i] - out[j] || inp[i] - inp[j]);
  return { indices: Int32Array.from(order, (e) => inp[e]), segments: Int32Array.from(order, (e) => out[e]) };
}

function sameArray(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function scaledPattern(rows: Int32Array, cols: Int32Array, scales: { row: Float32Array; col: Float32Array }, numNodes: number,
  keep: <T extends Tensor>(t: T) => T): ScaledPattern {
  const segmentsOf = (s: { indices: Int32Array; segments: Int32Array }): Segments => ({
    indices: keep(tf.tensor1d(s.indices, "int32")), segments: keep(tf.tensor1d(s.segments, "int32")),
  });
  const fwd = sortedEdges(rows, cols);
  const bwd = sortedEdges(cols, rows);
  const forward = segmentsOf(fwd);
  // A symmetric pattern (the usual undirected graph) shares its operands with its transpose.
  const symmetric = sameArray(fwd.indices, bwd.indices) && sameArray(fwd.segments, bwd.segments);
  const rowScale = keep(tf.tensor2d(scales.row, [numNodes, 1]));
  return {
    forward,
    transposed: symmetric ? forward : segmentsOf(bwd),
    rowScale,
    colScale: sameArray(scales.row, scales.col) ? rowScale : keep(tf.tensor2d(scales.col, [numNodes, 1])),
    numSegments: keep(tf.scalar(numNodes, "int32")),
    sqrtN: { forward: isInverseSqrtCount(scales.row, fwd.segments, numNodes), transposed: isInverseSqrtCount(scales.col, bwd.segments, numNodes) },
  };
}

/** True when scale[i] = 1/√(entries of row i) to float32 round-off for every row that has entries. */
function isInverseSqrtCount(scale: Float32Array, segments: Int32Array, numNodes: number): boolean {
  const count = new Int32Array(numNodes);
  for (const i of segments) count[i]++;
  for (let i = 0; i < numNodes; i++) {
    if (count[i] > 0 && Math.abs(scale[i] * Math.sqrt(count[i]) - 1) > 1e-6) return false;
  }
  return true;
}

/** TensorFlow's SparseTensorDenseMatMul: A X, or Aᵀ X (adjoint), for A of `values` at `sparse.indices` [E, 2] (row, col). */
export function sparseDenseMatMul(b: NativeBackend, sparse: { indices: Tensor2D; denseShape: Tensor }, values: Tensor, X: Tensor2D,
  adjoint: boolean): Tensor2D {
  return runNative(b, "SparseTensorDenseMatMul", [
    typeAttr(b, "T", b.binding.TF_FLOAT), typeAttr(b, "Tindices", b.binding.TF_INT32),
    boolAttr(b, "adjoint_a", adjoint), boolAttr(b, "adjoint_b", false),
  ], [sparse.indices, values, sparse.denseShape, X]) as Tensor2D;
}

const nativeMatMul = (b: NativeBackend, g: SparseGraph, w: Tensor1D, X: Tensor2D, adjoint: boolean) => sparseDenseMatMul(b, g.native!, w, X, adjoint);

// A X = r ⊙ S (c ⊙ X), Aᵀ X = c ⊙ Sᵀ (r ⊙ X); a scalar factor joins the outer scale. An outer scale of
// 1/√(row entries) (the GCN Â) is SparseSegmentSqrtN's own, and the factor then joins the inner one: one
// [N, H] product fewer.
function scaledMatMul(b: NativeBackend, p: ScaledPattern, X: Tensor2D, transpose: boolean, factor?: Tensor): Tensor2D {
  const [inner, outer, s] = transpose ? [p.rowScale, p.colScale, p.transposed] : [p.colScale, p.rowScale, p.forward];
  const sqrtN = transpose ? p.sqrtN.transposed : p.sqrtN.forward;
  const segmentOp = (x: Tensor) => runNative(b, sqrtN ? "SparseSegmentSqrtNWithNumSegments" : "SparseSegmentSumWithNumSegments", [
    typeAttr(b, "T", b.binding.TF_FLOAT), typeAttr(b, "Tidx", b.binding.TF_INT32),
    typeAttr(b, "Tnumsegments", b.binding.TF_INT32), typeAttr(b, "Tsegmentids", b.binding.TF_INT32),
  ], [x, s.indices, s.segments, p.numSegments]);
  return tf.tidy(() => {
    if (sqrtN) return segmentOp(tf.mul(factor ? tf.mul(factor, inner) : inner, X)) as Tensor2D;
    return tf.mul(factor ? tf.mul(factor, outer) : outer, segmentOp(tf.mul(inner, X))) as Tensor2D;
  });
}

// dL/dw_e = <G[out_e], X[in_e]>, out/in = row/col (A X) or col/row (Aᵀ X).
function edgeValueGrad(g: SparseGraph, dy: Tensor2D, X: Tensor2D, transpose: boolean): Tensor1D {
  const [out, inp] = transpose ? [g.colIdx, g.rowIdx] : [g.rowIdx, g.colIdx];
  return tf.tidy(() => tf.sum(tf.mul(tf.gather(dy, out), tf.gather(X, inp)), 1) as Tensor1D);
}

function spmmScaled(b: NativeBackend, p: ScaledPattern, X: Tensor2D, transpose: boolean): Tensor2D {
  const op = customOp<Tensor2D>(([x], save) => {
    save([]);
    return { value: scaledMatMul(b, p, x as Tensor2D, transpose), gradFunc: (dy) => [scaledMatMul(b, p, dy, !transpose)] };
  });
  return op(X);
}

function spmmNative(b: NativeBackend, g: SparseGraph, X: Tensor2D, w: Tensor1D, withValueGrad: boolean, transpose: boolean): Tensor2D {
  if (!withValueGrad) {
    const op = customOp<Tensor2D>(([x], save) => {
      save([]);
      return { value: nativeMatMul(b, g, w, x as Tensor2D, transpose), gradFunc: (dy) => [nativeMatMul(b, g, w, dy, !transpose)] };
    });
    return op(X);
  }
  const op = customOp<Tensor2D>(([wt, x], save) => {
    save([wt, x]);
    return {
      value: nativeMatMul(b, g, wt as Tensor1D, x as Tensor2D, transpose),
      gradFunc: (dy, saved) => {
        const [ws, xs] = saved as [Tensor1D, Tensor2D];
        return [edgeValueGrad(g, dy, xs, transpose), nativeMatMul(b, g, ws, dy, !transpose)];
      },
    };
  });
  return op(w, X);
}

function spmmGather(g: SparseGraph, X: Tensor2D, w: Tensor1D, transpose: boolean): Tensor2D {
  const [out, inp] = transpose ? [g.colIdx, g.rowIdx] : [g.rowIdx, g.colIdx];
  return tf.tidy(() => {
    const msg = tf.mul(tf.gather(X, inp), tf.expandDims(w, 1));
    return tf.unsortedSegmentSum(msg, out, g.numNodes) as Tensor2D;
  });
}

export interface SpmmOptions {
  /** Use gather + unsortedSegmentSum even on the native backend (for comparisons). */
  forceGather?: boolean;
  /** Multiply by Aᵀ instead of A (default false). */
  transpose?: boolean;
}

/**
 * A X (or Aᵀ X) for a sparse graph A and a dense X [numNodes, H]. `values` overrides the graph's edge values
 * for this call (e.g. attention weights recomputed each step) and then receives a gradient too.
 */
export function spmm(graph: SparseGraph, X: Tensor, values?: Tensor1D, opts: SpmmOptions = {}): Tensor2D {
  if (X.rank !== 2 || X.shape[0] !== graph.numNodes) {
    throw new Error(`spmm: X has shape [${X.shape}]; allowed: [${graph.numNodes}, H] (numNodes rows)`);
  }
  if (X.dtype !== "float32") throw new Error(`spmm: X has dtype ${X.dtype}; allowed: float32`);
  const w = values ?? graph.values;
  if (values && (values.rank !== 1 || values.shape[0] !== graph.numEdges)) {
    throw new Error(`spmm: values has shape [${values.shape}]; allowed: [${graph.numEdges}] (one per edge)`);
  }
  const transpose = opts.transpose ?? false;
  const b = opts.forceGather ? null : nativeBinding();
  if (b && graph.scaled && !values) return spmmScaled(b, graph.scaled, X as Tensor2D, transpose);
  if (b && graph.native) return spmmNative(b, graph, X as Tensor2D, w, values !== undefined || graph.valuesAreTensor, transpose);
  return spmmGather(graph, X as Tensor2D, w, transpose);
}

/**
 * factor·(A X) or factor·(Aᵀ X) (factor: a scalar, default 1, folded into the edge values or the row scales),
 * recording no gradient: for the inside of a custom op. Checks nothing (spmm does).
 */
export function spmmUntaped(graph: SparseGraph, X: Tensor2D, opts: { factor?: Tensor; values?: Tensor1D; transpose?: boolean }): Tensor2D {
  const { factor, values, transpose = false } = opts;
  const b = nativeBinding();
  if (b && graph.scaled && !values) return scaledMatMul(b, graph.scaled, X, transpose, factor);
  return tf.tidy(() => {
    const v = values ?? graph.values;
    const w = factor ? tf.mul(factor, v) as Tensor1D : v;
    return b && graph.native ? nativeMatMul(b, graph, w, X, transpose) : spmmGather(graph, X, w, transpose);
  });
}
