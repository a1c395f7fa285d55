// The F-GRAND-l vector field f(X) = r(ÂX − X) + S, with r = σ(a) and S = b·X0 (GRAND-l's field with a
// source term, Chamberlain et al. 2021; FROND, Kang et al. ICLR 2024), and its hand-written VJP. The field
// reads r and S, made once per solve by the model, so that their gradients to a, b and X0 are taped once;
// under a tape f is one custom op whose gradient is that VJP, so that direct autodiff tapes one node per call.
import { tf } from "../backend";
import type { Scalar, Tensor, Tensor1D, Tensor2D } from "@tensorflow/tfjs";
import { spmmUntaped, type SparseGraph } from "../graph/sparse-matmul";
import { customOp, tapeIsOn } from "../tfjs-internals";
import type { VectorField } from "../solvers/types";

export interface GrandFieldParts {
  /** Â with its edge values (constant) or, with `values`, the edge pattern for attention. */
  graph: SparseGraph;
  /** Edge values overriding graph.values (attention weights [E]); they receive gradients. */
  values?: Tensor1D;
  /** r, the diffusion rate (a scalar; F-GRAND-l's σ(a)). */
  rate: Scalar;
  /** S, the source term [N, H] (F-GRAND-l's b·X0). */
  source: Tensor2D;
}

/** The tensors f reads: [rate, source, (values)]. */
export function grandFieldParams(p: GrandFieldParts): Tensor[] {
  return p.values ? [p.rate, p.source, p.values] : [p.rate, p.source];
}

// dy = r(Âᵀc − c), dr = ⟨c, ÂX − X⟩ = ⟨Âᵀc − c, X⟩ (one sparse product, not two), dS = c,
// dÂ_e = r c[row_e]·X[col_e]; `wanted` picks among [dr, dS, dÂ].
function fieldVjp(graph: SparseGraph, X: Tensor2D, c: Tensor2D, rate: Tensor, values: Tensor1D | undefined, wanted: number[]): Tensor[] {
  return tf.tidy(() => {
    const back = tf.sub(spmmUntaped(graph, c, { values, transpose: true }), c);
    const grads = [
      () => tf.sum(tf.mul(back, X)),
      () => tf.clone(c),
      () => tf.mul(rate, tf.sum(tf.mul(tf.gather(c, graph.rowIdx), tf.gather(X, graph.colIdx)), 1)),
    ];
    return [tf.mul(rate, back), ...wanted.map((i) => grads[i]())];
  });
}

export function grandField(p: GrandFieldParts): VectorField {
  const { graph, rate, source, values } = p;
  if (rate.rank !== 0) throw new Error(`grandField: rate has shape [${rate.shape}]; allowed: a scalar`);
  if (source.rank !== 2 || source.shape[0] !== graph.numNodes) {
    throw new Error(`grandField: source has shape [${source.shape}]; allowed: [${graph.numNodes}, H] (the graph's numNodes rows)`);
  }
  if (values && (values.rank !== 1 || values.shape[0] !== graph.numEdges)) {
    throw new Error(`grandField: values has shape [${values.shape}]; allowed: [${graph.numEdges}] (one per edge)`);
  }
  const inputs = grandFieldParams(p);
  const all = inputs.map((_, i) => i);
  // r·ÂX − r·X + S, r folded into Â's row scales or values
  const value = (x: Tensor, r: Tensor, s: Tensor, v?: Tensor) => tf.tidy(() =>
    tf.addN([spmmUntaped(graph, x as Tensor2D, { factor: r, values: v as Tensor1D | undefined }), tf.mul(tf.neg(r), x), s]) as Tensor2D);
  const op = customOp<Tensor2D>(([x, r, s, v], save) => {
    save([x, r, ...(v ? [v] : [])]);
    return { value: value(x, r, s, v), gradFunc: (dy, [xs, rs, vs]) => fieldVjp(graph, xs as Tensor2D, dy, rs, vs as Tensor1D | undefined, all) };
  });
  const f: VectorField = (_t, X) => {
    if (X.rank !== 2 || X.shape[0] !== source.shape[0] || X.shape[1] !== source.shape[1] || X.dtype !== "float32") {
      throw new Error(`grandField: X has shape [${X.shape}] (${X.dtype}); allowed: float32 [${source.shape}] (the source's shape)`);
    }
    return tapeIsOn() ? op(X, ...inputs) : value(X, rate, source, values);
  };
  f.vjp = (t, X, c, params, needValue) => {
    const asked = params.map((q) => inputs.indexOf(q));
    const [dy, ...grads] = fieldVjp(graph, X as Tensor2D, c as Tensor2D, rate, values, asked.filter((i) => i >= 0));
    return { value: needValue ? f(t, X) : undefined, y: dy, params: asked.map((i) => (i >= 0 ? grads.shift()! : null)) };
  };
  return f;
}
