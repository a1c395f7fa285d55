// The convolutional vector field of ODE-Nets' image classifier (Chen et al., NeurIPS 2018; torchfde's MNIST
// example): f(t, y) = GN3(conv2(relu(GN2(conv1(relu(GN1(y))))))), y [batch, h, w, C], 3 × 3 convolutions
// with 'same' padding; time-dependent, each convolution also reads a constant channel t.
import { tf } from "../backend";
import type { Tensor, Tensor4D, Variable } from "@tensorflow/tfjs";
import type { VectorField } from "../solvers/types";
import type { Rng } from "../util/rng";
import { defaultGroups, groupNorm, groupNormInit, groupNormVariables, type GroupNorm } from "./group-norm";
import { convInit, type Conv } from "./init";

export interface ConvFieldOptions {
  channels: number;
  /** Groups of the group norms (default: pairs of channels, at most 32). */
  groups?: number;
  /** Each convolution reads t as an extra channel (default true). */
  timeDependent?: boolean;
}

export interface ConvField {
  f: VectorField;
  /** Every variable f reads: pass as the adjoint's params. */
  variables: Variable[];
  dispose(): void;
}

export function convField(opts: ConvFieldOptions, rng: Rng, name: string): ConvField {
  const C = opts.channels;
  if (!Number.isInteger(C) || C <= 0) throw new Error(`convField: channels is ${C}; allowed: a positive integer`);
  const timed = opts.timeDependent ?? true;
  const groups = opts.groups ?? defaultGroups(C);
  const extra = timed ? 1 : 0;
  const norms: GroupNorm[] = [1, 2, 3].map((i) => groupNormInit(C, groups, `${name}.norm${i}`));
  const convs: Conv[] = [1, 2].map((i) => convInit(3, C + extra, C, rng, `${name}.conv${i}`));
  // The time channel is constant, so its part of the convolution is t · conv(1, W_t) (borders included), a
  // [1, h, w, C] term: no [batch, h, w, C + 1] input is made.
  const conv = (x: Tensor4D, c: Conv, t: number) => {
    if (!timed) return tf.add(tf.conv2d(x, c.w, 1, "same"), c.b) as Tensor4D;
    const [, h, w] = x.shape;
    const wx = tf.slice(c.w, [0, 0, 0, 0], [-1, -1, C, -1]) as Tensor4D;
    const wt = tf.slice(c.w, [0, 0, C, 0], [-1, -1, 1, -1]) as Tensor4D;
    const timeTerm = tf.add(tf.mul(tf.conv2d(tf.ones([1, h, w, 1]) as Tensor4D, wt, 1, "same"), t), c.b);
    return tf.add(tf.conv2d(x, wx, 1, "same"), timeTerm) as Tensor4D;
  };
  const f: VectorField = (t: number, y: Tensor) => {
    if (y.rank !== 4 || y.shape[3] !== C) throw new Error(`convField: y has shape [${y.shape}]; allowed: [batch, height, width, ${C}]`);
    return tf.tidy(() => {
      let h = groupNorm(y as Tensor4D, norms[0], true);
      h = groupNorm(conv(h, convs[0], t), norms[1], true);
      return groupNorm(conv(h, convs[1], t), norms[2]);
    });
  };
  const variables = [...norms.flatMap(groupNormVariables), ...convs.flatMap((c) => [c.w, c.b])];
  return { f, variables, dispose: () => tf.dispose(variables) };
}
