// F-GRAND-l and F-GRAND-nl (FROND, Kang et al. ICLR 2024): input dropout → linear encoder → fractional
// diffusion D^β X = σ(a)(ÂX − X) + b·X0 (models/grand-field.ts) → ReLU, dropout → linear decoder. Â is the
// GCN-normalised adjacency, or multi-head attention computed once from X0 (F-GRAND-l), or attention
// recomputed from X(t) at every evaluation of the field (F-GRAND-nl: FROND's `--function transformer`).
import { tf } from "../backend";
import type { Rank, Tensor, Tensor2D, Tensor3D, Variable } from "@tensorflow/tfjs";
import type { SparseGraph } from "../graph/sparse-matmul";
import { gcnNormalizedAdjacency, attentionGraph, type EdgeList } from "../graph/adjacency";
import { edgeAttention } from "../graph/attention";
import { solveFde } from "../adjoint/solve-fde";
import type { SolverOptions } from "../solvers/options";
import type { VectorField } from "../solvers/types";
import { untaped } from "../tfjs-internals";
import { Rng } from "../util/rng";
import { grandField, grandFieldParams, type GrandFieldParts } from "./grand-field";
import { linearInit, scalarVariable, uniquePrefix, type Linear } from "./init";
import {
  checkModelOptionNames, definedEntries, modelSolver, type ModelSolverOptions, type ResolvedSolverOptions,
} from "./solver-options";
import { featureProduct, type NodeFeatures } from "./sparse-features";

export interface FGrandOptions {
  numFeatures: number;
  numClasses: number;
  /** Hidden width H (default 64). */
  hidden?: number;
  /** Attention weights from X0 instead of the constant GCN Â (default false); heads (default 4). */
  attention?: boolean;
  heads?: number;
  /** F-GRAND-nl: the attention recomputed from X(t) at every evaluation (default false; implies attention). */
  nonlinear?: boolean;
  /** Dropout rates on the input features (default 0.5) and before the decoder (default 0). */
  inputDropout?: number;
  dropout?: number;
  /** Seed of the initial weights (default 0). */
  seed?: number;
  /** The solve of the diffusion (defaults: beta 0.85, tEnd 10, stepSize 1, method 'predictor', gradient 'direct'). */
  solver?: ModelSolverOptions;
}

const FGRAND_OPTION_NAMES = [
  "numFeatures", "numClasses", "hidden", "attention", "heads", "nonlinear", "inputDropout", "dropout", "seed", "solver",
] as const satisfies readonly (keyof FGrandOptions)[];
const allListed: Exclude<keyof FGrandOptions, (typeof FGRAND_OPTION_NAMES)[number]> extends never ? true : false = true;
void allListed;

/** FGrandOptions with every default filled in. */
export type ResolvedFGrandOptions = Required<Omit<FGrandOptions, "solver">> & { solver: Readonly<ResolvedSolverOptions> };

const MODEL_DEFAULTS = { hidden: 64, attention: false, heads: 4, nonlinear: false, inputDropout: 0.5, dropout: 0, seed: 0 };
const SOLVER_DEFAULTS: ResolvedSolverOptions = { beta: 0.85, tEnd: 10, stepSize: 1, method: "predictor", gradient: "direct" };
const SOLVER_SET_BY_MODEL = { times: "is set by the model: use states(x, times) for X(t) at given times" };

/** Per-call randomness of a forward pass: dropout masks come from `rng` when training. */
export interface ForwardOptions {
  training: boolean;
  rng?: Rng;
}

/** The key and query layers of the attention (wK, bK, wQ, bQ of graph/attention.ts). */
export interface AttentionWeights {
  key: Linear;
  query: Linear;
}

function resolveOptions(opts: FGrandOptions): ResolvedFGrandOptions {
  if (opts === null || typeof opts !== "object") {
    throw new Error(`FGrandL: options is ${JSON.stringify(opts)}; allowed: an object { numFeatures, numClasses, ... }`);
  }
  checkModelOptionNames("FGrandL", opts, FGRAND_OPTION_NAMES);
  const { solver, ...model } = opts;
  const o = { ...MODEL_DEFAULTS, ...definedEntries(model) } as Required<Omit<FGrandOptions, "solver">>;
  for (const k of ["numFeatures", "numClasses", "hidden", "heads"] as const) {
    if (!Number.isInteger(o[k]) || o[k] <= 0) throw new Error(`FGrandL: ${k} is ${o[k]}; allowed: a positive integer`);
  }
  for (const k of ["attention", "nonlinear"] as const) {
    if (typeof o[k] !== "boolean") throw new Error(`FGrandL: ${k} is ${JSON.stringify(o[k])}; allowed: true, false`);
  }
  if (o.nonlinear) o.attention = true;
  if (o.attention && o.hidden % o.heads !== 0) throw new Error(`FGrandL: heads is ${o.heads}; allowed: a divisor of hidden (${o.hidden})`);
  for (const k of ["inputDropout", "dropout"] as const) {
    if (!(o[k] >= 0 && o[k] < 1)) throw new Error(`FGrandL: ${k} is ${o[k]}; allowed: a rate in [0, 1)`);
  }
  return Object.freeze({ ...o, solver: modelSolver("FGrandL", solver, SOLVER_DEFAULTS, SOLVER_SET_BY_MODEL) });
}

export class FGrandL {
  readonly options: Readonly<ResolvedFGrandOptions>;
  readonly encoder: Linear;
  readonly decoder: Linear;
  /** a and b of the field σ(a)(ÂX − X) + b·X0. */
  readonly rateLogit: Variable<Rank.R0>;
  readonly sourceWeight: Variable<Rank.R0>;
  readonly attentionWeights: AttentionWeights | null;
  readonly variables: Variable[];
  private graph: SparseGraph;
  /** False for a view made by withGraph: its variables belong to the model it was made from. */
  private ownsVariables = true;

  constructor(edges: EdgeList, numNodes: number, opts: FGrandOptions) {
    this.options = resolveOptions(opts);
    const o = this.options;
    const rng = new Rng(o.seed);
    const name = uniquePrefix("fgrand");
    this.encoder = linearInit(o.numFeatures, o.hidden, rng, `${name}.enc`);
    this.decoder = linearInit(o.hidden, o.numClasses, rng, `${name}.dec`);
    this.rateLogit = scalarVariable(0, `${name}.a`);
    this.sourceWeight = scalarVariable(0, `${name}.b`);
    this.variables = [this.encoder.w, this.encoder.b, this.rateLogit, this.sourceWeight, this.decoder.w, this.decoder.b];
    if (o.attention) {
      const key = linearInit(o.hidden, o.hidden, rng, `${name}.K`);
      const query = linearInit(o.hidden, o.hidden, rng, `${name}.Q`);
      this.attentionWeights = { key, query };
      this.variables.push(key.w, key.b, query.w, query.b);
      this.graph = attentionGraph(edges, numNodes);
    } else {
      this.attentionWeights = null;
      this.graph = gcnNormalizedAdjacency(edges, numNodes);
    }
  }

  /** X0 = dropout(features) W + b: a sparse-dense product over the non-zeros, or one matrix product for dense features. */
  encode(x: NodeFeatures, f: ForwardOptions): Tensor2D {
    const p = this.options.inputDropout;
    return featureProduct(x, this.encoder, f.training && p > 0 ? { rate: p, rng: f.rng ?? new Rng(0) } : null);
  }

  /**
   * The same model (its variables shared, not copied) on another graph: for a subgraph in mini-batch
   * training, with the edge values the caller chose (e.g. Â's entries over GraphSAINT's α). `graph` is Â,
   * or with attention the edge pattern (self loops included); the view owns it (dispose() frees only it).
   */
  withGraph(graph: SparseGraph): FGrandL {
    const view = Object.create(FGrandL.prototype) as FGrandL;
    Object.assign(view, this, { graph, ownsVariables: false });
    return view;
  }

  /** The graph the model diffuses on. */
  get numNodes(): number {
    return this.graph.numNodes;
  }

  /** The field's parts for a given X0: σ(a), b·X0 and the attention weights, computed once per solve (as GRAND-l does). */
  fieldParts(X0: Tensor2D): GrandFieldParts {
    const parts: GrandFieldParts = {
      graph: this.graph, rate: tf.sigmoid(this.rateLogit), source: tf.mul(this.sourceWeight, X0) as Tensor2D,
    };
    if (this.attentionWeights && !this.options.nonlinear) {
      const { key, query } = this.attentionWeights;
      parts.values = edgeAttention(X0, this.graph, { wK: key.w, bK: key.b, wQ: query.w, bQ: query.b, heads: this.options.heads });
    }
    return parts;
  }

  /** X(tEnd) from X0, solved with options.solver. */
  integrate(X0: Tensor2D): Tensor2D {
    return this.solveFrom(X0) as Tensor2D;
  }

  /**
   * X(tEnd) solved `width` hidden channels at a time: F-GRAND-l's field acts on each channel alone (Â, σ(a) and
   * the attention of X0 are shared), so the result is integrate's while only a slice's solver history is held.
   * F-GRAND-nl's attention of X(t) couples the channels: it is solved whole.
   */
  integrateByChannels(X0: Tensor2D, width: number): Tensor2D {
    const H = X0.shape[1];
    if (!(Number.isInteger(width) && width > 0)) throw new Error(`FGrandL.integrateByChannels: width is ${width}; allowed: a positive integer`);
    if (this.options.nonlinear || width >= H) return this.integrate(X0);
    return tf.tidy(() => {
      const shared = this.fieldParts(X0);
      tf.dispose(shared.source);
      const out: Tensor2D[] = [];
      for (let c = 0; c < H; c += width) {
        const x = tf.slice(X0, [0, c], [-1, Math.min(width, H - c)]);
        const parts = { ...shared, source: tf.mul(this.sourceWeight, x) as Tensor2D };
        out.push(this.solveWith(parts, x) as Tensor2D);
        tf.dispose([x, parts.source]);
      }
      const h = tf.concat(out, 1);
      tf.dispose(out);
      return h;
    });
  }

  /**
   * X(t) at the grid times `times` in eval mode (no dropout), stacked [times, N, H], solved with
   * options.solver (method, memory, correctorSteps as the model trains), recording no gradients.
   */
  states(x: NodeFeatures, times: number[]): Tensor3D {
    return untaped(() => tf.tidy(() => this.solveFrom(this.encode(x, { training: false }), times) as Tensor3D));
  }

  /** Class logits [N, C]. */
  logits(x: NodeFeatures, f: ForwardOptions): Tensor2D {
    const p = this.options.dropout;
    return tf.tidy(() => {
      let h = tf.relu(this.integrate(this.encode(x, f)));
      if (f.training && p > 0) {
        const mask = (f.rng ?? new Rng(0)).dropoutMask(h.size, p);
        h = tf.mul(h, tf.tensor(mask, h.shape));
      }
      return tf.add(tf.matMul(h, this.decoder.w), this.decoder.b);
    });
  }

  /** The diffusion from X0 (to tEnd, or at `times`): σ(a), the source term and attention go in params. */
  private solveFrom(X0: Tensor2D, times?: number[]): Tensor {
    return tf.tidy(() => this.solveWith(this.fieldParts(X0), X0, times));
  }

  /** The diffusion from X0 with the field's parts already made (integrateByChannels passes a slice's). */
  private solveWith(parts: GrandFieldParts, X0: Tensor2D, times?: number[]): Tensor {
    return tf.tidy(() => {
      const nl = this.options.nonlinear ? this.attentionWeights : null;
      const params = nl ? [...grandFieldParams(parts), nl.key.w, nl.key.b, nl.query.w, nl.query.b] : grandFieldParams(parts);
      const opts: SolverOptions = { ...this.options.solver, params };
      if (times !== undefined) opts.times = times;
      return this.solve(nl ? this.evolvingField(parts, nl) : grandField(parts), X0, opts);
    });
  }

  /** F-GRAND-nl's field: GRAND-l's with the edge values A(X) = attention of X itself, at every evaluation. */
  private evolvingField(parts: GrandFieldParts, w: AttentionWeights): VectorField {
    const { heads } = this.options;
    return (t, X) => tf.tidy(() => {
      const values = edgeAttention(X as Tensor2D, parts.graph, { wK: w.key.w, bK: w.key.b, wQ: w.query.w, bQ: w.query.b, heads });
      return grandField({ ...parts, values })(t, X);
    });
  }

  /** The model's one call of the solver (the benchmark overrides it to time f and to pick the gradient). */
  protected solve(field: VectorField, X0: Tensor2D, opts: SolverOptions): Tensor {
    return solveFde(field, X0, opts);
  }

  dispose(): void {
    if (this.ownsVariables) tf.dispose(this.variables);
    this.graph.dispose();
  }
}
