// The F-GRAND-l vector field f(X) = σ(a)(ÂX − X) + b·X0 (GRAND-l's field with a source term, Chamberlain
// et al. 2021; FROND, Kang et al. ICLR 2024) with its hand-written VJP.
import { tf } from "../backend";
import type { Scalar, Tensor, Tensor1D, Tensor2D } from "@tensorflow/tfjs";
import { spmm, type SparseGraph } from "../graph/sparse-matmul";
import type { VectorField } from "../solvers/types";

export interface GrandFieldParts {
  /** Â with its edge values (constant, symmetric) or, with `values`, the edge pattern for attention. */
  graph: SparseGraph;
  /** The transposed pattern (same edge order as graph) — needed for the VJP with `values`. */
  transposed?: SparseGraph;
  /** Edge values overriding graph.values (attention weights [E]); they receive gradients. */
  values?: Tensor1D;
  /** a, the logit of the diffusion rate σ(a) (a scalar). */
  rateLogit: Scalar;
  /** b, the weight of the source term (a scalar). */
  sourceWeight: Scalar;
  /** The source term X0 [N, H]. */
  source: Tensor2D;
}

/** The tensors f reads, in the order of the VJP's params: [a, b, source, (values)]. */
export function grandFieldParams(p: GrandFieldParts): Tensor[] {
  const scalars = [p.rateLogit, p.sourceWeight, p.source];
  return p.values ? [...scalars, p.values] : scalars;
}

export function grandField(p: GrandFieldParts): VectorField {
  if (p.values && !p.transposed) throw new Error("grandField: values (attention) given without the transposed graph; give both");
  const f: VectorField = (_t, X) => tf.tidy(() =>
    tf.add(tf.mul(tf.sigmoid(p.rateLogit), tf.sub(spmm(p.graph, X, p.values), X)), tf.mul(p.sourceWeight, p.source)));
  // dy = σ(a)(Âᵀc − c), da = σ'(a)⟨c, ÂX − X⟩ = σ'(a)⟨Âᵀc − c, X⟩ (one sparse product, not two),
  // db = ⟨c, X0⟩, dX0 = b·c, dÂ_e = σ(a) c[row_e]·X[col_e].
  f.vjp = (t, X, c, _params, needValue) => {
    const out = tf.tidy(() => {
      const sa = tf.sigmoid(p.rateLogit);
      const back = tf.sub(p.values ? spmm(p.transposed!, c, p.values) : spmm(p.graph, c), c);
      const dy = tf.mul(sa, back);
      const da = tf.mul(tf.mul(sa, tf.sub(1, sa)), tf.sum(tf.mul(back, X)));
      const db = tf.sum(tf.mul(c, p.source));
      const dsrc = tf.mul(p.sourceWeight, c);
      const res = [dy, da, db, dsrc];
      if (p.values) {
        const g = p.graph;
        res.push(tf.mul(sa, tf.sum(tf.mul(tf.gather(c, g.rowIdx), tf.gather(X, g.colIdx)), 1)));
      }
      return needValue ? [...res, f(t, X)] : res;
    });
    return { value: needValue ? out[out.length - 1] : undefined, y: out[0], params: out.slice(1, p.values ? 5 : 4) };
  };
  return f;
}
