// An image classifier with a fractional block (the paper's MNIST experiment, after ODE-Nets and torchfde's
// example): downsampling convolutions 28 → 26 → 13 → 6 pixels, D^β h = f(t, h) with the convolutional field
// (models/conv-field.ts) solved over [0, T], then group norm, ReLU, 2 × 2 average pooling (6 → 3 pixels) and
// a linear head on the 9·C pooled features (global pooling, ODE-Nets' head, learned several times slower here).
import { tf } from "../backend";
import type { Tensor, Tensor2D, Tensor4D, Variable } from "@tensorflow/tfjs";
import { solveFde } from "../adjoint/solve-fde";
import type { SolverOptions } from "../solvers/options";
import type { VectorField } from "../solvers/types";
import { untaped } from "../tfjs-internals";
import { Rng } from "../util/rng";
import { convField, type ConvField } from "./conv-field";
import { layerwise } from "./layerwise";
import { defaultGroups, groupNorm, groupNormInit, groupNormVariables, type GroupNorm } from "./group-norm";
import { convInit, linearInit, uniquePrefix, type Conv, type Linear } from "./init";
import {
  checkModelOptionNames, definedEntries, modelSolver, type ModelSolverOptions, type ResolvedSolverOptions,
} from "./solver-options";

export interface FdeImageClassifierOptions {
  /** Channels of the feature maps (default 32). */
  channels?: number;
  /** Classes (default 10). */
  classes?: number;
  /** The field reads t (default true). */
  timeDependent?: boolean;
  /** Seed of the initial weights (default 0). */
  seed?: number;
  /** The solve of the block (defaults: beta 0.9, tEnd 2, stepSize 0.1, method 'predictor', gradient 'direct'; torchfde's). */
  solver?: ModelSolverOptions;
}

const OPTION_NAMES = ["channels", "classes", "timeDependent", "seed", "solver"] as const satisfies readonly (keyof FdeImageClassifierOptions)[];
const allListed: Exclude<keyof FdeImageClassifierOptions, (typeof OPTION_NAMES)[number]> extends never ? true : false = true;
void allListed;

export type ResolvedImageClassifierOptions = Required<Omit<FdeImageClassifierOptions, "solver">> & { solver: Readonly<ResolvedSolverOptions> };

const SOLVER_DEFAULTS: ResolvedSolverOptions = { beta: 0.9, tEnd: 2, stepSize: 0.1, method: "predictor", gradient: "direct" };
const SOLVER_SET_BY_MODEL = { times: "is set by the model: the classifier reads h(tEnd)" };

function resolveOptions(opts: FdeImageClassifierOptions): ResolvedImageClassifierOptions {
  if (opts === null || typeof opts !== "object") throw new Error(`FdeImageClassifier: options is ${JSON.stringify(opts)}; allowed: an object`);
  checkModelOptionNames("FdeImageClassifier", opts, OPTION_NAMES);
  const { solver, ...model } = opts;
  const o = { channels: 32, classes: 10, timeDependent: true, seed: 0, ...definedEntries(model) } as Required<Omit<FdeImageClassifierOptions, "solver">>;
  for (const k of ["channels", "classes"] as const) {
    if (!Number.isInteger(o[k]) || o[k] <= 0) throw new Error(`FdeImageClassifier: ${k} is ${o[k]}; allowed: a positive integer`);
  }
  if (typeof o.timeDependent !== "boolean") throw new Error(`FdeImageClassifier: timeDependent is ${o.timeDependent}; allowed: true, false`);
  if (!Number.isInteger(o.seed)) throw new Error(`FdeImageClassifier: seed is ${o.seed}; allowed: an integer`);
  return Object.freeze({ ...o, solver: modelSolver("FdeImageClassifier", solver, SOLVER_DEFAULTS, SOLVER_SET_BY_MODEL) });
}

/**
 * Samples per slice of the downsampling's forward and backward (layerwise): its 26-pixel layer is the largest
 * tensor of the model, and in slices its backward holds a quarter of a batch of 128's at a time.
 */
const DOWNSAMPLE_SLICE = 32;

export class FdeImageClassifier {
  readonly options: Readonly<ResolvedImageClassifierOptions>;
  readonly field: ConvField;
  readonly variables: Variable[];
  private readonly down: Conv[];
  private readonly downNorms: GroupNorm[];
  private readonly headNorm: GroupNorm;
  private readonly head: Linear;

  constructor(opts: FdeImageClassifierOptions = {}) {
    this.options = resolveOptions(opts);
    const { channels: C, classes, timeDependent, seed } = this.options;
    const rng = new Rng(seed);
    const name = uniquePrefix("fdeImage");
    const groups = defaultGroups(C);
    this.down = [convInit(3, 1, C, rng, `${name}.down1`), convInit(4, C, C, rng, `${name}.down2`), convInit(4, C, C, rng, `${name}.down3`)];
    this.downNorms = [1, 2].map((i) => groupNormInit(C, groups, `${name}.downNorm${i}`));
    this.field = convField({ channels: C, groups, timeDependent }, rng, `${name}.field`);
    this.headNorm = groupNormInit(C, groups, `${name}.headNorm`);
    this.head = linearInit(9 * C, classes, rng, `${name}.head`);
    this.variables = [
      ...this.down.flatMap((c) => [c.w, c.b]), ...this.downNorms.flatMap(groupNormVariables),
      ...this.field.variables, ...groupNormVariables(this.headNorm), this.head.w, this.head.b,
    ];
  }

  /** h(0) [batch, 6, 6, C] from images [batch, 28, 28, 1]. */
  downsample(images: Tensor4D): Tensor4D {
    if (images.rank !== 4 || images.shape[1] !== 28 || images.shape[2] !== 28 || images.shape[3] !== 1) {
      throw new Error(`FdeImageClassifier: images have shape [${images.shape}]; allowed: [batch, 28, 28, 1]`);
    }
    const [c1, c2, c3] = this.down;
    const [n1, n2] = this.downNorms;
    // 4 × 4 convolutions of stride 2 on a border of 1: on 26 pixels TensorFlow's 'same' pads exactly so
    // (13 out); on 13, 'same' would give 7, so the border is padded (tfjs-node pads only 'valid' or 'same')
    const conv = (x: Tensor, c: Conv, stride: number, pad: "valid" | "same") =>
      tf.fused.conv2d({ x: x as Tensor4D, filter: c.w, bias: c.b, strides: stride, pad }) as Tensor4D;
    return layerwise([
      { apply: (x) => groupNorm(conv(x, c1, 1, "valid"), n1, true), variables: [c1.w, c1.b, ...groupNormVariables(n1)] },
      { apply: (x) => groupNorm(conv(x, c2, 2, "same"), n2, true), variables: [c2.w, c2.b, ...groupNormVariables(n2)] },
      { apply: (x) => conv(tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]]), c3, 2, "valid"), variables: [c3.w, c3.b] },
    ], images, { sliceSize: DOWNSAMPLE_SLICE }) as Tensor4D;
  }

  /** h(tEnd) from h(0), solved with options.solver. */
  integrate(h0: Tensor4D): Tensor4D {
    return tf.tidy(() => {
      const { f, params } = this.field.forSolve(h0.shape[1], h0.shape[2]);
      return this.solve(f, h0, { ...this.options.solver, params } as SolverOptions) as Tensor4D;
    });
  }

  /** Class logits [batch, classes]. */
  logits(images: Tensor4D): Tensor2D {
    return tf.tidy(() => {
      const h = groupNorm(this.integrate(this.downsample(images)), this.headNorm, true);
      const pooled = tf.reshape(tf.avgPool(h, 2, 2, "valid"), [h.shape[0], -1]) as Tensor2D;
      return tf.add(tf.matMul(pooled, this.head.w), this.head.b) as Tensor2D;
    });
  }

  /** Predicted classes [batch] in batches of `batchSize`, recording no gradients. */
  predict(images: Tensor4D, batchSize = 500): Int32Array {
    const n = images.shape[0];
    const out = new Int32Array(n);
    for (let i = 0; i < n; i += batchSize) {
      const size = Math.min(batchSize, n - i);
      const labels = untaped(() => tf.tidy(() => tf.argMax(this.logits(tf.slice(images, [i, 0, 0, 0], [size, -1, -1, -1])), 1)));
      out.set(labels.dataSync() as Int32Array, i);
      labels.dispose();
    }
    return out;
  }

  /** The model's one call of the solver (the benchmark overrides it to time f and to pick the gradient). */
  protected solve(field: VectorField, h0: Tensor4D, opts: SolverOptions): Tensor {
    return solveFde(field, h0, opts);
  }

  dispose(): void {
    tf.dispose(this.variables);
  }
}
