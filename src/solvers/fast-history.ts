// The fast history (docs/design.md §2): lags m < L summed exactly by a History with memory L, lags m ≥ L
// by K exponential states per entry row, H_k ← r_k H_k + (the entry that just left the window, as H_k + (e − μ_k H_k), Kahan-compensated), read as
// S_far = Σ_k c_k H_k — O(K) per step. The same class serves the forward loop and the reverse sweep (the
// transpose of a Toeplitz sum is Toeplitz with the same sequence), so the adjoint of the fast scheme is
// exact. Also the one place a solve's History is chosen (exact or fast).
import { tf } from "../backend";
import type { Tensor2D, Variable } from "@tensorflow/tfjs";
import type { ExponentialFit } from "./exponential-fit";
import { History, type HistorySums } from "./history";
import type { Plan } from "./plan";
import { betaDependent, forwardWeights, reverseHistoryWeights, type ForwardWeights } from "./weights";

export class FastHistory implements HistorySums {
  count = 0;
  private window: Tensor2D[] = [];
  private state: Tensor2D | null = null;
  private mu: Tensor2D | null = null;
  private compensation: Tensor2D | null = null;
  private coefficientMatrix: Tensor2D | null = null;
  private advanced = 0;

  /**
   * `coefficients()`: [sums, K·entryRows], rows r, columns (k, c): c_k of sum r over entry row c (built
   * once, on first use, so that under the tape it carries ∂/∂β).
   */
  constructor(private readonly local: History, private readonly fit: ExponentialFit,
    private readonly coefficients: () => Tensor2D) {}

  push(entry: Tensor2D): void {
    this.count++;
    this.window.push(tf.keep(tf.clone(entry)));
    this.local.push(entry);
  }

  /**
   * Moves the entries older than L lags into the states: H ← H + (entry − μ H), μ = 1 − r. μ, not r, is
   * stored in float32: r = e^(−λ) rounded to float32 loses λ ≈ 1e-5 (its r^5000 was 3e-4 off, fast vs
   * exact 2.7e-5 at N = 5000), μ keeps λ to float32 precision. The sum is Kahan-compensated (the λ = 0
   * state is a plain running sum of N entries).
   */
  private advance(): void {
    const L = this.fit.local;
    while (this.count - 1 - L >= this.advanced) {
      const entry = this.window.shift()!;
      const K = this.fit.decay.length;
      const [C, D] = entry.shape;
      if (!this.mu) {
        const mu = new Float32Array(K * C);
        for (let k = 0; k < K; k++) mu.fill(-Math.expm1(Math.log(this.fit.decay[k])), k * C, (k + 1) * C);
        this.mu = tf.keep(tf.tensor2d(mu, [K * C, 1]));
        this.state = tf.keep(tf.zeros([K * C, D]) as Tensor2D);
        this.compensation = tf.keep(tf.zeros([K * C, D]) as Tensor2D);
      }
      const [old, compensation] = [this.state!, this.compensation!];
      const [next, lost] = tf.tidy(() => {
        const y = tf.sub(tf.sub(tf.tile(entry, [K, 1]), tf.mul(this.mu!, old)), compensation);
        const t = tf.add(old, y);
        return [t, tf.sub(tf.sub(t, old), y)];
      }) as [Tensor2D, Tensor2D];
      this.state = tf.keep(next);
      this.compensation = tf.keep(lost);
      tf.dispose([old, compensation, entry]);
      this.advanced++;
    }
  }

  query(): Tensor2D {
    this.advance();
    const near = this.local.query();
    if (!this.state) return near;
    this.coefficientMatrix ??= tf.keep(this.coefficients());
    return tf.add(near, tf.matMul(this.coefficientMatrix, this.state)) as Tensor2D;
  }

  dispose(): void {
    this.local.dispose();
    tf.dispose([...this.window, ...[this.state, this.mu, this.compensation, this.coefficientMatrix].filter((t) => t !== null) as Tensor2D[]]);
    this.window = [];
    this.state = this.mu = this.compensation = this.coefficientMatrix = null;
  }
}

/** [R, K·C] from per-(r, c) coefficient arrays. */
function coefficientData(rows: Float64Array[][], K: number): Float64Array {
  const C = rows[0].length;
  const out = new Float64Array(rows.length * K * C);
  rows.forEach((channels, r) => channels.forEach((c, ch) => {
    for (let k = 0; k < K; k++) out[(r * K + k) * C + ch] = c[k];
  }));
  return out;
}

/** The forward loop's weights and history: exact, or (plan.fit) fast. */
export function forwardHistory(plan: Plan, learnedBeta: Variable | null, taped: boolean): { weights: ForwardWeights; history: HistorySums } {
  const { fit, steps } = plan;
  if (!fit) {
    const weights = forwardWeights(plan.weights, steps, learnedBeta);
    return { weights, history: new History(weights.history, steps, plan.memory, taped) };
  }
  const weights = forwardWeights(plan.localWeights!, steps, learnedBeta);
  const K = fit.decay.length;
  const R = fit.value.length;
  const value = () => tf.tensor2d(Float32Array.from(coefficientData(fit.value.map((c) => [c]), K)), [R, K]);
  const coefficients = learnedBeta
    ? () => betaDependent(learnedBeta, value, () => coefficientData(fit.derivative().map((c) => [c]), K))
    : value;
  return { weights, history: new FastHistory(new History(weights.history, steps, fit.local, taped), fit, coefficients) };
}

/** The reverse sweep's history (entries ρ_m, sums ξ_j and, with a learned β, ξ'_j): exact, or fast. */
export function reverseHistory(plan: Plan, learnBeta: boolean): HistorySums {
  const { fit, steps } = plan;
  if (!fit) return new History(reverseHistoryWeights(plan.weights, steps, learnBeta), steps, plan.memory, false);
  const local = new History(reverseHistoryWeights(plan.localWeights!, steps, learnBeta), steps, fit.local, false);
  const K = fit.decay.length;
  const sets = learnBeta ? [fit.value, fit.derivative()] : [fit.value];
  const C = fit.value.length;
  return new FastHistory(local, fit, () => tf.tensor2d(Float32Array.from(coefficientData(sets, K)), [sets.length, K * C]));
}
