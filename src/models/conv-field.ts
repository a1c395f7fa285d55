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

function withTime(x: Tensor4D, t: number, on: boolean): Tensor4D {
  if (!on) return x;
  const [n, h, w] = x.shape;
  return tf.concat([x, tf.fill([n, h, w, 1], t)], 3) as Tensor4D;
}

export function convField(opts: ConvFieldOptions, rng: Rng, name: string): ConvField {
  const C = opts.channels;
  if (!Number.isInteger(C) || C <= 0) throw new Error(`convField: channels is ${C}; allowed: a positive integer`);
  const timed = opts.timeDependent ?? true;
  const groups = opts.groups ?? defaultGroups(C);
  const extra = timed ? 1 : 0;
  const norms: GroupNorm[] = [1, 2, 3].map((i) => groupNormInit(C, groups, `${name}.norm${i}`));
  const convs: Conv[] = [1, 2].map((i) => convInit(3, C + extra, C, rng, `${name}.conv${i}`));
  const conv = (x: Tensor4D, c: Conv, t: number) => tf.add(tf.conv2d(withTime(x, t, timed), c.w, 1, "same"), c.b) as Tensor4D;
  const f: VectorField = (t: number, y: Tensor) => {
    if (y.rank !== 4 || y.shape[3] !== C) throw new Error(`convField: y has shape [${y.shape}]; allowed: [batch, height, width, ${C}]`);
    return tf.tidy(() => {
      let h = tf.relu(groupNorm(y as Tensor4D, norms[0])) as Tensor4D;
      h = tf.relu(groupNorm(conv(h, convs[0], t), norms[1])) as Tensor4D;
      return groupNorm(conv(h, convs[1], t), norms[2]);
    });
  };
  const variables = [...norms.flatMap(groupNormVariables), ...convs.flatMap((c) => [c.w, c.b])];
  return { f, variables, dispose: () => tf.dispose(variables) };
}
