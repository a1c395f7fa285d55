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
  /**
   * f for one solve, with the tensors it reads besides y (pass them as the adjoint's params): the
   * convolutions' weights split into the state's part and, when time-dependent, the [1, h, w, C] maps
   * conv(1, W_t), made once here (under the caller's tape) instead of at every evaluation.
   */
  forSolve(height: number, width: number): { f: VectorField; params: Tensor[] };
  /** f(t, y) on its own (forSolve's parts made at each call). */
  f: VectorField;
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
  // The time channel is constant, so its part of a convolution is t · conv(1, W_t) (borders included): no
  // [batch, h, w, C + 1] input is made.
  const parts = (h: number, w: number) => convs.flatMap((c) => {
    if (!timed) return [c.w];
    const wt = tf.slice(c.w, [0, 0, C, 0], [-1, -1, 1, -1]) as Tensor4D;
    return [tf.slice(c.w, [0, 0, 0, 0], [-1, -1, C, -1]), tf.conv2d(tf.ones([1, h, w, 1]) as Tensor4D, wt, 1, "same")];
  });
  const fieldOf = (p: Tensor[]): VectorField => {
    const conv = (x: Tensor4D, i: number, t: number) => {
      const b = convs[i].b;
      if (!timed) return tf.add(tf.conv2d(x, p[i] as Tensor4D, 1, "same"), b) as Tensor4D;
      return tf.add(tf.conv2d(x, p[2 * i] as Tensor4D, 1, "same"), tf.add(tf.mul(p[2 * i + 1], t), b)) as Tensor4D;
    };
    return (t: number, y: Tensor) => {
      if (y.rank !== 4 || y.shape[3] !== C) throw new Error(`convField: y has shape [${y.shape}]; allowed: [batch, height, width, ${C}]`);
      return tf.tidy(() => {
        let h = groupNorm(y as Tensor4D, norms[0], true);
        h = groupNorm(conv(h, 0, t), norms[1], true);
        return groupNorm(conv(h, 1, t), norms[2]);
      });
    };
  };
  const variables = [...norms.flatMap(groupNormVariables), ...convs.flatMap((c) => [c.w, c.b])];
  const others = [...norms.flatMap(groupNormVariables), ...convs.map((c) => c.b)];
  return {
    forSolve: (h, w) => {
      const p = parts(h, w);
      return { f: fieldOf(p), params: [...others, ...p] };
    },
    f: (t, y) => tf.tidy(() => fieldOf(parts(y.shape[1]!, y.shape[2]!))(t, y)),
    variables,
    dispose: () => tf.dispose(variables),
  };
}
