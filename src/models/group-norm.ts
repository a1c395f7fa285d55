// Group normalisation (Wu & He, ECCV 2018) of an NHWC tensor: per sample, each group of channels centred and
// scaled over its pixels and channels, then a per-channel affine map — the norm of ODE-Nets' image models.
import { tf } from "../backend";
import type { Rank, Tensor, Tensor2D, Tensor4D, Variable } from "@tensorflow/tfjs";
import { customOp } from "../tfjs-internals";

export interface GroupNorm {
  groups: number;
  /** [C], initially ones. */
  gamma: Variable<Rank.R1>;
  /** [C], initially zeros. */
  beta: Variable<Rank.R1>;
}

const EPSILON = 1e-5;

/**
 * Pairs of channels, at most 32 groups (ODE-Nets' min(32, C) at C = 64). One channel per group would
 * normalise each channel per image, leaving a pooled head little but constants to read.
 */
export const defaultGroups = (channels: number) => Math.min(32, Math.max(1, Math.floor(channels / 2)));

export function groupNormInit(channels: number, groups: number, name: string): GroupNorm {
  if (channels % groups !== 0) throw new Error(`groupNorm: groups is ${groups}; allowed: a divisor of the channels (${channels})`);
  return tf.tidy(() => ({
    groups,
    gamma: tf.variable(tf.ones([channels]), true, `${name}.gamma`) as Variable<Rank.R1>,
    beta: tf.variable(tf.zeros([channels]), true, `${name}.beta`) as Variable<Rank.R1>,
  }));
}

/**
 * x [n, h, w, C] normalised per sample and group of channels, then γ x̂ + β per channel; with `relu`, the
 * ReLU of that in the same op (its backward reads the mask from the output, so no extra tensor is kept).
 */
export function groupNorm(x: Tensor4D, g: GroupNorm, relu = false): Tensor4D {
  const [n, h, w, c] = x.shape;
  if (c !== g.gamma.shape[0]) throw new Error(`groupNorm: x has ${c} channels; allowed: ${g.gamma.shape[0]} (the norm's)`);
  return normOp(g.groups, n, h * w, relu)(x, g.gamma, g.beta) as Tensor4D;
}

/** The plain composition of tfjs ops that groupNorm computes (its reference in the tests). */
export function groupNormTaped(x: Tensor4D, g: GroupNorm): Tensor4D {
  return tf.tidy(() => {
    const [n, h, w, c] = x.shape;
    const grouped = tf.reshape(x, [n, h, w, g.groups, c / g.groups]);
    const { mean, variance } = tf.moments(grouped, [1, 2, 4], true);
    const normed = tf.reshape(tf.mul(tf.sub(grouped, mean), tf.rsqrt(tf.add(variance, EPSILON))), [n, h, w, c]);
    return tf.add(tf.mul(normed, g.gamma), g.beta) as Tensor4D;
  });
}

/** [C, C]: 1/size where channels c and c' share a group, else 0 (a row times it = the group's mean per channel). */
function groupMeanMatrix(c: number, groups: number, size: number): Float32Array {
  const m = new Float32Array(c * c);
  const per = c / groups;
  for (let a = 0; a < c; a++) for (let b = 0; b < c; b++) if (Math.floor(a / per) === Math.floor(b / per)) m[a * c + b] = 1 / size;
  return m;
}

/**
 * One op with a hand-written VJP (Wu & He 2018, eq. 1–4 differentiated): statistics from sums over the pixels
 * per channel (a reduction tfjs-node runs far faster than over the grouped axes [1, 2, 4]), their group means
 * by one product with a [C, C] matrix; with x̂ = (x − μ) σ⁻¹, g = γ ⊙ dy and means over a group,
 * dx = σ⁻¹ (g − mean(g) − x̂ mean(g x̂)), dγ = Σ dy x̂, dβ = Σ dy.
 */
function normOp(groups: number, n: number, pixels: number, relu: boolean) {
  return customOp<Tensor4D>(([x, gamma, beta], save) => {
    const c = x.shape[3]!;
    const P = tf.tensor2d(groupMeanMatrix(c, groups, pixels * (c / groups)), [c, c]);
    const groupMean = (sums: Tensor) => tf.matMul(sums as Tensor2D, P);
    const perPixel = (t: Tensor) => tf.reshape(t, [n, 1, 1, c]);
    const centred = tf.sub(x, perPixel(groupMean(tf.sum(x, [1, 2]))));
    const rstd = tf.rsqrt(tf.add(groupMean(tf.sum(tf.square(centred), [1, 2])), EPSILON));
    const r = perPixel(rstd);
    const affine = tf.add(tf.mul(centred, tf.mul(r, gamma)), beta) as Tensor4D;
    const value = relu ? (tf.relu(affine) as Tensor4D) : affine;
    save(relu ? [centred, rstd, r, gamma, P, value] : [centred, rstd, r, gamma, P]);
    return {
      value,
      // in a tidy: tfjs keeps a gradient's temporaries until the whole backward pass ends
      gradFunc: (dyIn, [xc, r2, r4, gm, Pm, out]) => tf.tidy(() => {
        const dy = out ? tf.mul(dyIn, tf.step(out)) : dyIn;
        const s1 = tf.sum(dy, [1, 2]);
        const s2 = tf.mul(tf.sum(tf.mul(dy, xc), [1, 2]), r2);
        const mg1 = perPixel(tf.matMul(tf.mul(s1, gm) as Tensor2D, Pm as Tensor2D));
        const mg2 = perPixel(tf.matMul(tf.mul(s2, gm) as Tensor2D, Pm as Tensor2D));
        const dx = tf.sub(tf.sub(tf.mul(dy, tf.mul(r4, gm)), tf.mul(xc, tf.mul(tf.square(r4), mg2))), tf.mul(r4, mg1));
        return [dx, tf.sum(s2, 0), tf.sum(s1, 0)];
      }),
    };
  });
}

export const groupNormVariables = (g: GroupNorm): Variable[] => [g.gamma, g.beta];
