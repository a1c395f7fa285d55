// Adam (Kingma & Ba, ICLR 2015, Algorithm 1) over all variables at once: the gradients are laid end to end in
// one flat vector, so that one step is ~25 kernels whatever the number of variables (tf.train.adam runs 14 per
// variable; B3-N10's training step, alternated with it in one process: 0.97× its time). The same update as
// tf.train.adam, with the bias corrections folded into scalars:
//   m ← β1 m + (1 − β1) g,  v ← β2 v + (1 − β2) g²,  θ ← θ − (lr / (1 − β1ᵗ)) m / (√(v / (1 − β2ᵗ)) + ε).
import { tf } from "../backend";
import type { NamedTensorMap, Tensor, Variable } from "@tensorflow/tfjs";

export interface FlatAdamOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/** The one method of tf.Optimizer the trainers and the benchmark call, beside dispose. */
export interface GradientOptimizer {
  applyGradients(grads: NamedTensorMap): void;
  dispose(): void;
}

const flat = (xs: Tensor[]) => (xs.length === 1 ? tf.reshape(xs[0], [-1]) : tf.concat(xs.map((x) => tf.reshape(x, [-1]))));

function checkRate(name: string, v: number, max: number): number {
  if (!(v >= 0 && v < max)) throw new Error(`flatAdam: ${name} is ${v}; allowed: a number in [0, ${max})`);
  return v;
}

export class FlatAdam implements GradientOptimizer {
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  private step = 0;
  private layout: Variable[] | null = null;
  private m: Tensor | null = null;
  private v: Tensor | null = null;
  /** The moments [m, v] of variables outside the current layout. */
  private parked = new Map<string, Tensor[]>();

  constructor(private readonly learningRate: number, opts: FlatAdamOptions = {}) {
    if (!(learningRate > 0)) throw new Error(`flatAdam: learningRate is ${learningRate}; allowed: a number > 0`);
    this.beta1 = checkRate("beta1", opts.beta1 ?? 0.9, 1);
    this.beta2 = checkRate("beta2", opts.beta2 ?? 0.999, 1);
    this.epsilon = checkRate("epsilon", opts.epsilon ?? 1e-8, 1);
  }

  /**
   * One update of the variables named in `grads`. A variable without a gradient in this call keeps its value
   * and its moments (as tf.train.adam and torch.optim.Adam skip it); the bias corrections count calls.
   */
  applyGradients(grads: NamedTensorMap): void {
    const names = Object.keys(grads).filter((n) => grads[n] != null);
    if (names.length === 0) return;
    const vars = this.variablesOf(names);
    const t = ++this.step;
    const { beta1: b1, beta2: b2 } = this;
    const next = tf.tidy(() => {
      const g = flat(vars.map((x) => grads[x.name]));
      const m = tf.add(tf.mul(this.m!, b1), tf.mul(g, 1 - b1));
      const v = tf.add(tf.mul(this.v!, b2), tf.mul(tf.square(g), 1 - b2));
      const update = tf.div(tf.mul(m, this.learningRate / (1 - b1 ** t)), tf.add(tf.sqrt(tf.mul(v, 1 / (1 - b2 ** t))), this.epsilon));
      const parts = vars.length === 1 ? [update] : tf.split(update, vars.map((x) => x.size));
      return { m, v, values: vars.map((x, i) => tf.sub(x, tf.reshape(parts[i], x.shape))) };
    });
    tf.dispose([this.m!, this.v!]);
    this.m = tf.keep(next.m); // the caller may run this inside its own tf.tidy
    this.v = tf.keep(next.v);
    vars.forEach((x, i) => {
      x.assign(next.values[i]);
      next.values[i].dispose();
    });
  }

  /** The variables of `names` in the flat layout, laying the moments out anew when the set changes. */
  private variablesOf(names: string[]): Variable[] {
    const layout = this.layout;
    if (layout && names.length === layout.length && layout.every((x) => names.includes(x.name))) return layout;
    const registered = tf.engine().registeredVariables;
    const vars = names.map((n) => {
      const x = registered[n];
      if (!x) throw new Error(`flatAdam: grads names "${n}", which is no registered tf.Variable`);
      return x;
    });
    if (layout) {
      const parts = (flatMoment: Tensor) => tf.split(flatMoment, layout.map((x) => x.size));
      const [ms, vs] = [parts(this.m!), parts(this.v!)];
      layout.forEach((x, i) => {
        this.parked.get(x.name)?.forEach((t) => t.dispose());
        this.parked.set(x.name, [tf.keep(ms[i]), tf.keep(vs[i])]);
      });
      tf.dispose([this.m!, this.v!]);
    }
    const moment = (k: 0 | 1) => tf.tidy(() => flat(vars.map((x) => this.parked.get(x.name)?.[k] ?? tf.zeros([x.size]))));
    this.m = tf.keep(moment(0));
    this.v = tf.keep(moment(1));
    vars.forEach((x) => {
      this.parked.get(x.name)?.forEach((t) => t.dispose());
      this.parked.delete(x.name);
    });
    this.layout = vars;
    return vars;
  }

  dispose(): void {
    tf.dispose([this.m, this.v, ...[...this.parked.values()].flat()].filter((x): x is Tensor => x !== null));
    this.m = null;
    this.v = null;
    this.parked.clear();
    this.layout = null;
  }
}

/** Adam over all variables in one flat vector; defaults β1 0.9, β2 0.999, ε 1e-8 (torch.optim.Adam's). */
export function flatAdam(learningRate: number, opts: FlatAdamOptions = {}): FlatAdam {
  return new FlatAdam(learningRate, opts);
}
