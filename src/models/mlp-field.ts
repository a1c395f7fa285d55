// The MLP vector field of the benchmarks (B2/B3): f(y) = tanh(y W1 + b1) W2ᵀ + b2, y [rows, dim],
// with a hand-written vector-Jacobian product so the adjoint need not tape f (10 kernels instead of a
// taped forward plus ~20 gradient kernels). With z = tanh(y W1 + b1) and a cotangent c:
//   ∂/∂y = (c W2 ⊙ (1 − z²)) W1ᵀ,  ∂/∂W1 = yᵀ δ,  ∂/∂b1 = Σ_rows δ,  ∂/∂W2 = cᵀ z,  ∂/∂b2 = Σ_rows c.
// W2 is [dim, hidden] (torch.nn.Linear's out × in): cᵀ z runs in 130 µs where zᵀ c took 200 (rows 256, hidden
// 256, dim 64; TensorFlow's MatMul, one thread, this project's CI machine kind).
import { tf } from "../backend";
import type { Tensor, Variable } from "@tensorflow/tfjs";
import type { VectorField } from "../solvers/types";
import { customOp, tapeIsOn } from "../tfjs-internals";
import { add, matMul, sumRows, tanh, tanhGrad } from "../native-ops";
import { uniquePrefix } from "./init";

export interface MlpFieldOptions {
  /** Width of the state's last axis (default 64). */
  dim?: number;
  /** Hidden width (default 256). */
  hidden?: number;
  /** Seed of the weight initialisation (default 1). */
  seed?: number;
  /**
   * Attach the hand-written vjp and make it f's gradient under autodiff too (default true); false leaves both the
   * adjoint and direct autodiff to tape f's plain ops.
   */
  handVjp?: boolean;
  /** Variable name prefix (default "mlpField"); names must be unique in the engine. */
  name?: string;
}

export interface MlpField {
  f: VectorField;
  /** [W1 [dim, hidden], b1 [hidden], W2 [dim, hidden], b2 [dim]]: pass as the adjoint's params. */
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
  const W2 = tf.variable(glorot(dim, hidden, seed + 1), true, `${name}/W2`);
  const b2 = tf.variable(tf.zeros([dim]), true, `${name}/b2`);
  const params = [W1, b1, W2, b2];

  const check = (y: Tensor) => {
    if (y.rank !== 2 || y.shape[1] !== dim) throw new Error(`mlpField: y has shape [${y.shape}]; allowed: [rows, ${dim}]`);
  };
  const hiddenOf = (y: Tensor) => tanh(add(matMul(y, W1), b1));
  const outputOf = (z: Tensor) => add(matMul(z, W2, false, true), b2);
  // (∂f/∂y)ᵀc and, for each i of `wanted`, the gradient of params[i], at y with z = tanh(y W1 + b1).
  const backward = (y: Tensor, z: Tensor, c: Tensor, wanted: number[]) => tf.tidy(() => {
    const delta = tanhGrad(z, matMul(c, W2));
    const grads = [
      () => matMul(y, delta, true, false), () => sumRows(delta), () => matMul(c, z, true, false), () => sumRows(c),
    ];
    return [matMul(delta, W1, false, true), ...wanted.map((i) => grads[i]())];
  });
  const handVjp = opts.handVjp ?? true;
  // With the hand VJP and a tape, f is one custom op whose gradient is that VJP: direct autodiff tapes one node per call.
  const op = customOp((inputs, save) => {
    const y = inputs[0];
    const [z, value] = tf.tidy(() => {
      const z = hiddenOf(y);
      return [z, outputOf(z)];
    });
    save([y, z]);
    z.dispose();
    return { value, gradFunc: (dy, [ys, zs]) => backward(ys, zs, dy, [0, 1, 2, 3]) };
  });
  const f: VectorField = (_t, y) => {
    check(y);
    return handVjp && tapeIsOn() ? op(y, ...params) : tf.tidy(() => outputOf(hiddenOf(y)));
  };
  if (handVjp) {
    f.vjp = (_t, y, c, ps, needValue) => {
      check(y);
      const asked = ps.map((p) => params.indexOf(p as Variable));
      const z = tf.tidy(() => hiddenOf(y));
      const [dy, ...grads] = backward(y, z, c, asked.filter((i) => i >= 0));
      const value = needValue ? tf.tidy(() => outputOf(z)) : undefined;
      z.dispose();
      return { value, y: dy, params: asked.map((i) => (i >= 0 ? grads.shift()! : null)) };
    };
  }
  return { f, params, dispose: () => tf.dispose(params) };
}
