// Initial weights of the models, seeded, as torch.nn.Linear and torch.nn.Conv2d initialise them.
import { tf } from "../backend";
import type { Rank, Variable } from "@tensorflow/tfjs";
import type { Rng } from "../util/rng";

/** A trainable variable filled with U(-bound, bound). */
function uniformVariable(shape: number[], bound: number, rng: Rng, name?: string): Variable {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tidy(() => tf.variable(tf.tensor(rng.uniform(n, -bound, bound), shape, "float32"), true, name));
}

/** A scalar trainable variable. */
export function scalarVariable(value: number, name: string): Variable<Rank.R0> {
  return tf.tidy(() => tf.variable(tf.scalar(value), true, name));
}

export interface Linear {
  /** [in, out] */
  w: Variable<Rank.R2>;
  /** [out] */
  b: Variable<Rank.R1>;
}

/** A dense layer's weights as torch.nn.Linear initialises them: w [in, out] and b [out] ~ U(±1/√in). */
export function linearInit(inFeatures: number, outFeatures: number, rng: Rng, name: string): Linear {
  const bound = 1 / Math.sqrt(inFeatures);
  return {
    w: uniformVariable([inFeatures, outFeatures], bound, rng, `${name}.w`) as Variable<Rank.R2>,
    b: uniformVariable([outFeatures], bound, rng, `${name}.b`) as Variable<Rank.R1>,
  };
}

export interface Conv {
  /** [kh, kw, in, out] */
  w: Variable<Rank.R4>;
  /** [out] */
  b: Variable<Rank.R1>;
}

/** A convolution's weights as torch.nn.Conv2d initialises them: w and b ~ U(±1/√(in·kh·kw)). */
export function convInit(kernel: number, inChannels: number, outChannels: number, rng: Rng, name: string): Conv {
  const bound = 1 / Math.sqrt(inChannels * kernel * kernel);
  return {
    w: uniformVariable([kernel, kernel, inChannels, outChannels], bound, rng, `${name}.w`) as Variable<Rank.R4>,
    b: uniformVariable([outChannels], bound, rng, `${name}.b`) as Variable<Rank.R1>,
  };
}

/** Variable names must be unique per engine: a counter keeps models made side by side apart. */
let modelCount = 0;
export function uniquePrefix(base: string): string {
  modelCount += 1;
  return `${base}${modelCount}`;
}
