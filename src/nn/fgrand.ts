// F-GRAND-l (FROND, Kang et al. ICLR 2024): input dropout → linear encoder → fractional diffusion
// D^β X = σ(a)(ÂX − X) + b·X0 (GRAND-l's field with a source term, Chamberlain et al. 2021) → ReLU, dropout →
// linear decoder. Â is the GCN-normalised adjacency, or multi-head attention computed once from X0.
import { tf } from "../backend";
import type { Scalar, Tensor, Tensor1D, Tensor2D, Variable } from "@tensorflow/tfjs";
import { spmm, makeSparse, type SparseGraph } from "./sparse-matmul";
import { gcnNormalizedAdjacency, attentionGraph, edgeAttention, type EdgeList } from "./graph";
import { fdeint } from "../solvers/fdeint";
import { fdeintAdjoint } from "../adjoint/fdeint-adjoint";
import type { Method, VectorField } from "../solvers/types";
import { Rng, linearInit, uniquePrefix, type Linear } from "./init";

export interface GrandFieldParts {
  /** Â with its edge values (constant, symmetric) or, with `values`, the edge pattern for attention. */
  graph: SparseGraph;
  /** The transposed pattern (same edge order as graph) — needed for the VJP with `values`. */
  transposed?: SparseGraph;
  /** Edge values overriding graph.values (attention weights [E]); they receive gradients. */
  values?: Tensor1D;
  /** Pre-sigmoid diffusion rate and the source weight (scalars). */
  a: Scalar;
  b: Scalar;
  /** The source term X0 [N, H]. */
  source: Tensor2D;
}

/** The tensors f reads, in the order of the VJP's params: [a, b, source, (values)]. */
export function grandFieldParams(p: GrandFieldParts): Tensor[] {
  return p.values ? [p.a, p.b, p.source, p.values] : [p.a, p.b, p.source];
}

export function grandField(p: GrandFieldParts): VectorField {
  if (p.values && !p.transposed) throw new Error("grandField: values (attention) given without the transposed graph; give both");
  const f: VectorField = (_t, X) => tf.tidy(() =>
    tf.add(tf.mul(tf.sigmoid(p.a), tf.sub(spmm(p.graph, X, p.values), X)), tf.mul(p.b, p.source)));
  // dy = σ(a)(Âᵀc − c), da = σ'(a)⟨c, ÂX − X⟩ = σ'(a)⟨Âᵀc − c, X⟩ (one sparse product, not two),
  // db = ⟨c, X0⟩, dX0 = b·c, dÂ_e = σ(a) c[row_e]·X[col_e].
  f.vjp = (t, X, c, _params, needValue) => {
    const out = tf.tidy(() => {
      const sa = tf.sigmoid(p.a);
      const back = tf.sub(p.values ? spmm(p.transposed!, c, p.values) : spmm(p.graph, c), c);
      const dy = tf.mul(sa, back);
      const da = tf.mul(tf.mul(sa, tf.sub(1, sa)), tf.sum(tf.mul(back, X)));
      const db = tf.sum(tf.mul(c, p.source));
      const dsrc = tf.mul(p.b, c);
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

export type AdjointMode = "discrete" | "continuous" | false;

export interface FGrandOptions {
  numFeatures: number;
  numClasses: number;
  /** Hidden width H (default 64). */
  hidden?: number;
  /** Fractional order β in (0, 1] (default 0.85). */
  beta?: number;
  /** Integration time T (default 10) and step h (default 1). */
  tEnd?: number;
  stepSize?: number;
  method?: Method;
  memory?: number;
  /** Attention weights from X0 instead of the constant GCN Â (default false); heads (default 4). */
  attention?: boolean;
  heads?: number;
  /** 'discrete' | 'continuous': fdeintAdjoint; false (default): autodiff through fdeint. */
  adjoint?: AdjointMode;
  /** Dropout rates on the input features (default 0.5) and before the decoder (default 0). */
  inputDropout?: number;
  dropout?: number;
  /** Seed of the initial weights (default 0). */
  seed?: number;
}

const ADJOINTS: AdjointMode[] = ["discrete", "continuous", false];

function checkRate(name: string, v: number): void {
  if (!(v >= 0 && v < 1)) throw new Error(`FGrandL: ${name} is ${v}; allowed: a rate in [0, 1)`);
}

function checkOptions(o: Required<Omit<FGrandOptions, "memory" | "method">>): void {
  for (const k of ["numFeatures", "numClasses", "hidden", "heads"] as const) {
    if (!Number.isInteger(o[k]) || o[k] <= 0) throw new Error(`FGrandL: ${k} is ${o[k]}; allowed: a positive integer`);
  }
  if (!(o.beta > 0 && o.beta <= 1)) throw new Error(`FGrandL: beta is ${o.beta}; allowed: 0 < beta <= 1`);
  if (!(o.tEnd > 0) || !(o.stepSize > 0)) throw new Error(`FGrandL: tEnd ${o.tEnd}, stepSize ${o.stepSize}; allowed: positive numbers`);
  if (!ADJOINTS.includes(o.adjoint)) throw new Error(`FGrandL: adjoint is ${JSON.stringify(o.adjoint)}; allowed: "discrete", "continuous" or false`);
  if (o.attention && o.hidden % o.heads !== 0) throw new Error(`FGrandL: heads is ${o.heads}; allowed: a divisor of hidden (${o.hidden})`);
  checkRate("inputDropout", o.inputDropout);
  checkRate("dropout", o.dropout);
}

/** Per-call randomness of a forward pass: dropout masks come from `rng` when training. */
export interface ForwardOptions {
  training: boolean;
  rng?: Rng;
}

export class FGrandL {
  readonly options: Required<Omit<FGrandOptions, "memory" | "method">> & { method: Method; memory?: number };
  readonly encoder: Linear;
  readonly decoder: Linear;
  readonly a: Variable;
  readonly b: Variable;
  readonly attn: { wK: Variable; wQ: Variable; bK: Variable; bQ: Variable } | null;
  readonly variables: Variable[];
  private readonly graph: SparseGraph;
  private readonly transposed: SparseGraph | null;
  private kept: Tensor[] = [];

  constructor(edges: EdgeList, numNodes: number, opts: FGrandOptions) {
    this.options = {
      hidden: 64, beta: 0.85, tEnd: 10, stepSize: 1, method: "predictor", attention: false, heads: 4,
      adjoint: false, inputDropout: 0.5, dropout: 0, seed: 0, ...opts,
    };
    const o = this.options;
    checkOptions(o);
    const rng = new Rng(o.seed);
    const name = uniquePrefix("fgrand");
    this.encoder = linearInit(o.numFeatures, o.hidden, rng, `${name}.enc`);
    this.decoder = linearInit(o.hidden, o.numClasses, rng, `${name}.dec`);
    this.a = tf.tidy(() => tf.variable(tf.scalar(0), true, `${name}.a`));
    this.b = tf.tidy(() => tf.variable(tf.scalar(0), true, `${name}.b`));
    this.variables = [this.encoder.w, this.encoder.b, this.a, this.b, this.decoder.w, this.decoder.b];
    if (o.attention) {
      const lin = (k: string) => linearInit(o.hidden, o.hidden, rng, `${name}.${k}`);
      const K = lin("K"), Q = lin("Q");
      this.attn = { wK: K.w, bK: K.b, wQ: Q.w, bQ: Q.b };
      this.variables.push(K.w, K.b, Q.w, Q.b);
      this.graph = attentionGraph(edges, numNodes);
      this.transposed = makeSparse(this.graph.rows, this.graph.cols, new Float32Array(this.graph.numEdges).fill(1), numNodes);
    } else {
      this.attn = null;
      this.graph = gcnNormalizedAdjacency(edges, numNodes);
      this.transposed = null;
    }
  }

  /** X0 = dropout(features) W + b, as a sparse-dense product over the non-zeros. */
  encode(x: SparseFeatures, f: ForwardOptions): Tensor2D {
    const p = this.options.inputDropout;
    return tf.tidy(() => {
      const vals = f.training && p > 0 ? applyMask(x.values, f.rng ?? new Rng(0), p) : x.values;
      const msg = tf.mul(tf.gather(this.encoder.w, x.colIdx), tf.tensor2d(vals, [vals.length, 1]));
      return tf.add(tf.unsortedSegmentSum(msg, x.rowIdx, x.numNodes), this.encoder.b) as Tensor2D;
    });
  }

  /** The field's parts for a given X0 (attention weights computed once from X0, as GRAND-l does). */
  fieldParts(X0: Tensor2D): GrandFieldParts {
    const parts: GrandFieldParts = { graph: this.graph, a: this.a as unknown as Scalar, b: this.b as unknown as Scalar, source: X0 };
    if (this.attn) {
      const { wK, wQ, bK, bQ } = this.attn as unknown as { wK: Tensor2D; wQ: Tensor2D; bK: Tensor1D; bQ: Tensor1D };
      parts.values = edgeAttention(X0, this.graph, { wK, wQ, bK, bQ, heads: this.options.heads });
      parts.transposed = this.transposed!;
    }
    return parts;
  }

  /** X(T) from X0 by the chosen solver; with an adjoint, X0 (as the source) and attention go in params. */
  integrate(X0: Tensor2D): Tensor2D {
    this.release();
    const o = this.options;
    const solverOpts = { beta: o.beta, tEnd: o.tEnd, stepSize: o.stepSize, method: o.method, memory: o.memory };
    return tf.tidy(() => {
      if (o.adjoint === false) return fdeint(grandField(this.fieldParts(X0)), X0, solverOpts) as Tensor2D;
      // The reverse sweep runs after tf.variableGrads has disposed the intermediates of its forward pass:
      // keep the tensors the field reads until the next call (or release()).
      const parts = this.fieldParts(this.keep(tf.clone(X0)));
      if (parts.values) parts.values = this.keep(parts.values);
      return fdeintAdjoint(grandField(parts), X0, { ...solverOpts, params: grandFieldParams(parts), adjoint: o.adjoint }) as Tensor2D;
    });
  }

  /** Class logits [N, C]. */
  logits(x: SparseFeatures, f: ForwardOptions): Tensor2D {
    const p = this.options.dropout;
    return tf.tidy(() => {
      let h = tf.relu(this.integrate(this.encode(x, f)));
      if (f.training && p > 0) {
        const mask = (f.rng ?? new Rng(0)).dropoutMask(h.size, p);
        h = tf.mul(h, tf.tensor(mask, h.shape));
      }
      return tf.add(tf.matMul(h, this.decoder.w), this.decoder.b) as Tensor2D;
    });
  }

  private keep<T extends Tensor>(t: T): T {
    this.kept.push(tf.keep(t));
    return t;
  }

  /** Frees the tensors kept for the adjoint's reverse sweep (call after the gradient step). */
  release(): void {
    tf.dispose(this.kept);
    this.kept = [];
  }

  dispose(): void {
    this.release();
    tf.dispose(this.variables);
    this.graph.dispose();
    this.transposed?.dispose();
  }
}

function applyMask(values: Float32Array, rng: Rng, rate: number): Float32Array {
  const mask = rng.dropoutMask(values.length, rate);
  for (let i = 0; i < mask.length; i++) mask[i] *= values[i];
  return mask;
}
