// Group normalisation (Wu & He, ECCV 2018) of an NHWC tensor: per sample, each group of channels centred and
// scaled over its pixels and channels, then a per-channel affine map — the norm of ODE-Nets' image models.
import { tf } from "../backend";
import type { Rank, Tensor4D, Variable } from "@tensorflow/tfjs";

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

export function groupNorm(x: Tensor4D, g: GroupNorm): Tensor4D {
  return tf.tidy(() => {
    const [n, h, w, c] = x.shape;
    const grouped = tf.reshape(x, [n, h, w, g.groups, c / g.groups]);
    const { mean, variance } = tf.moments(grouped, [1, 2, 4], true);
    const normed = tf.reshape(tf.mul(tf.sub(grouped, mean), tf.rsqrt(tf.add(variance, EPSILON))), [n, h, w, c]);
    return tf.add(tf.mul(normed, g.gamma), g.beta) as Tensor4D;
  });
}

export const groupNormVariables = (g: GroupNorm): Variable[] => [g.gamma, g.beta];
