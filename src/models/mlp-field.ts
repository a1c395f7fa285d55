// The MLP vector field of the benchmarks (B2/B3): f(y) = tanh(y W1 + b1) W2 + b2, y [rows, dim],
// with a hand-written vector-Jacobian product so the adjoint need not tape f (about 14 ops instead of a
// taped forward plus ~20 gradient kernels). With z = tanh(y W1 + b1) and a cotangent c:
//   ∂/∂y = (c W2ᵀ ⊙ (1 − z²)) W1ᵀ,  ∂/∂W1 = yᵀ δ,  ∂/∂b1 = Σ_rows δ,  ∂/∂W2 = zᵀ c,  ∂/∂b2 = Σ_rows c.
import { tf } from "../backend";
import type { Tensor, Variable } from "@tensorflow/tfjs";
import type { VectorField } from "../solvers/types";
import { uniquePrefix } from "./init";

export interface MlpFieldOptions {
  /** Width of the state's last axis (default 64). */
  dim?: number;
  /** Hidden width (default 256). */
  hidden?: number;
  /** Seed of the weight initialisation (default 1). */
  seed?: number;
  /** Attach the hand-written vjp (default true); false leaves the adjoint to tape f. */
  handVjp?: boolean;
  /** Variable name prefix (default "mlpField"); names must be unique in the engine. */
  name?: string;
}

export interface MlpField {
  f: VectorField;
  /** [W1 [dim, hidden], b1 [hidden], W2 [hidden, dim], b2 [dim]]: pass as the adjoint's params. */
  params: Variable[];
  dispose(): void;
}

function checkSize(name: string, v: number): number {
  if (!Number.isInteger(v) || v <= 0) throw new Error(`mlpField: ${name} is ${v}; allowed: a positive integer`);
  return v;
}

/** The B2 field Linear(hidden→dim)(tanh(Linear(dim→hidden)(y))) with Glorot-uniform weights, zero biases. */
export function mlpField(opts: MlpFieldOptions = {}): MlpField {
  const dim = checkSize("dim", opts.dim ?? 64);
  const hidden = checkSize("hidden", opts.hidden ?? 256);
  const seed = opts.seed ?? 1;
  const name = opts.name ?? uniquePrefix("mlpField");
  const glorot = (a: number, b: number, s: number) => {
    const lim = Math.sqrt(6 / (a + b));
    return tf.tidy(() => tf.randomUniform([a, b], -lim, lim, "float32", s));
  };
  const W1 = tf.variable(glorot(dim, hidden, seed), true, `${name}/W1`);
  const b1 = tf.variable(tf.zeros([hidden]), true, `${name}/b1`);
  const W2 = tf.variable(glorot(hidden, dim, seed + 1), true, `${name}/W2`);
  const b2 = tf.variable(tf.zeros([dim]), true, `${name}/b2`);
  const params = [W1, b1, W2, b2];

  const check = (y: Tensor) => {
    if (y.rank !== 2 || y.shape[1] !== dim) throw new Error(`mlpField: y has shape [${y.shape}]; allowed: [rows, ${dim}]`);
  };
  const f: VectorField = (_t, y) => {
    check(y);
    return tf.tidy(() => tf.add(tf.matMul(tf.tanh(tf.add(tf.matMul(y, W1), b1)), W2), b2));
  };
  if (opts.handVjp ?? true) {
    f.vjp = (_t, y, c, ps, needValue) => {
      check(y);
      const z = tf.tanh(tf.add(tf.matMul(y, W1), b1));
      const value = needValue ? tf.add(tf.matMul(z, W2), b2) : undefined;
      const delta = tf.mul(tf.matMul(c, W2, false, true), tf.sub(1, tf.square(z)));
      const grads = new Map<Tensor, () => Tensor>([
        [W1, () => tf.matMul(y, delta, true, false)],
        [b1, () => tf.sum(delta, 0)],
        [W2, () => tf.matMul(z, c, true, false)],
        [b2, () => tf.sum(c, 0)],
      ]);
      return { value, y: tf.matMul(delta, W1, false, true), params: ps.map((p) => grads.get(p)?.() ?? null) };
    };
  }
  return { f, params, dispose: () => tf.dispose(params) };
}
