// Sparse x dense products for graph propagation: (A X)[i] = sum over edges e with dst_e = i of w_e X[src_e],
// i.e. A[dst, src] = w and messages flow from src to dst. On the native backend this runs TensorFlow's
// SparseTensorDenseMatMul (its gradient w.r.t. X is the same op with adjoint_a); elsewhere
// gather + mul + unsortedSegmentSum. Gradients flow to X and to the edge values.
import { tf } from "../backend";
import { boolAttr, customOp, nativeBinding, typeAttr, type NativeBackend } from "../tfjs-internals";

type Tensor = ReturnType<typeof tf.tensor>;
type Tensor1D = ReturnType<typeof tf.tensor1d>;
type Tensor2D = ReturnType<typeof tf.tensor2d>;

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
  dispose(): void;
}

// TensorFlow wants the dense shape as int64, which tfjs cannot create: cast an int32 tensor inside TF.
function int64Shape(b: NativeBackend, n: number): Tensor {
  const warn = console.warn;
  console.warn = () => {}; // tfjs-node announces every int64 output; this one is intended
  try {
    return tf.tidy(() => b.executeSingleOutput("Cast", [
      typeAttr(b, "SrcT", b.binding.TF_INT32), typeAttr(b, "DstT", b.binding.TF_INT64), boolAttr(b, "Truncate", false),
    ], [tf.tensor1d([n, n], "int32")]));
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
  return {
    numNodes, numEdges: rows.length, rows, cols, rowIdx, colIdx, values: vals, valuesAreTensor, native,
    dispose: () => { tf.dispose(owned); owned.length = 0; },
  };
}

function nativeMatMul(b: NativeBackend, g: SparseGraph, w: Tensor1D, X: Tensor2D, adjoint: boolean): Tensor2D {
  const n = g.native!;
  return b.executeSingleOutput("SparseTensorDenseMatMul", [
    typeAttr(b, "T", b.binding.TF_FLOAT), typeAttr(b, "Tindices", b.binding.TF_INT32),
    boolAttr(b, "adjoint_a", adjoint), boolAttr(b, "adjoint_b", false),
  ], [n.indices, w, n.denseShape, X]) as Tensor2D;
}

// dL/dw_e = <G[row_e], X[col_e]>
function edgeValueGrad(g: SparseGraph, dy: Tensor2D, X: Tensor2D): Tensor1D {
  return tf.tidy(() => tf.sum(tf.mul(tf.gather(dy, g.rowIdx), tf.gather(X, g.colIdx)), 1) as Tensor1D);
}

function spmmNative(b: NativeBackend, g: SparseGraph, X: Tensor2D, w: Tensor1D, withValueGrad: boolean): Tensor2D {
  if (!withValueGrad) {
    const op = customOp<Tensor2D>(([x], save) => {
      save([]);
      return { value: nativeMatMul(b, g, w, x as Tensor2D, false), gradFunc: (dy) => [nativeMatMul(b, g, w, dy, true)] };
    });
    return op(X);
  }
  const op = customOp<Tensor2D>(([wt, x], save) => {
    save([wt, x]);
    return {
      value: nativeMatMul(b, g, wt as Tensor1D, x as Tensor2D, false),
      gradFunc: (dy, saved) => {
        const [ws, xs] = saved as [Tensor1D, Tensor2D];
        return [edgeValueGrad(g, dy, xs), nativeMatMul(b, g, ws, dy, true)];
      },
    };
  });
  return op(w, X);
}

function spmmGather(g: SparseGraph, X: Tensor2D, w: Tensor1D): Tensor2D {
  return tf.tidy(() => {
    const msg = tf.mul(tf.gather(X, g.colIdx), tf.expandDims(w, 1));
    return tf.unsortedSegmentSum(msg, g.rowIdx, g.numNodes) as Tensor2D;
  });
}

export interface SpmmOptions {
  /** Use gather + unsortedSegmentSum even on the native backend (for comparisons). */
  forceGather?: boolean;
}

/**
 * A X for a sparse graph A and a dense X [numNodes, H]. `values` overrides the graph's edge values for this
 * call (e.g. attention weights recomputed each step) and then receives a gradient too.
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
  const b = opts.forceGather ? null : nativeBinding();
  if (b && graph.native) return spmmNative(b, graph, X as Tensor2D, w, values !== undefined || graph.valuesAreTensor);
  return spmmGather(graph, X as Tensor2D, w);
}
