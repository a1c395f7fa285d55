// The fast history under the tape (docs/design.md §2): lags m < L summed exactly by a History with memory L,
// lags m ≥ L by K exponential states, H_k ← r_k H_k + (the entry that just left the window, as
// H_k + (e − μ_k H_k), Kahan-compensated), read as S_far = Σ_k c_k H_k — O(K) per step, in tfjs ops that
// autodiff differentiates. Off the tape the same scheme runs in float64 on the host (host-history.ts).
// Also the one place a solve's History is chosen (exact, fast taped, fast on the host).
import { tf } from "../backend";
import type { Tensor, Tensor2D, Variable } from "@tensorflow/tfjs";
import { tailOf, type ExponentialFit } from "./exponential-fit";
import { entryMatrix, History, splitSums, type HistorySums } from "./history";
import { HostFastHistory, type FastLayout } from "./host-history";
import type { Plan } from "./plan";
import type { ToeplitzWeights } from "./schemes";
import { betaDependent, forwardWeights, reverseHistoryWeights, type ForwardWeights } from "./weights";

export class FastHistory implements HistorySums {
  count = 0;
  private window: Tensor2D[] = [];
  private state: Tensor2D | null = null;
  private mu: Tensor2D | null = null;
  private compensation: Tensor2D | null = null;
  private coefficientMatrix: Tensor2D | null = null;
  private advanced = 0;
  /** forward: entry 0; reverse: Σ_e D(N − e) @ entry_e. */
  private first: Tensor2D | null = null;

  /**
   * `coefficients()`: [sums, K·C], column k·C + c: c_k of sum r over entry row c (built once, on first use,
   * so that under the tape it carries ∂/∂β). `firstColumn`: the corrections of the corrector's W1 beyond
   * the window (inside it the local History weighs the first column itself) — forward, `at(q)` [sums, 1]
   * for entry 0 at row q > L; reverse, `at(m)` [sums, C] for the entry at m = N − e > L, read at q = N.
   */
  constructor(private readonly local: History, private readonly fit: ExponentialFit,
    private readonly coefficients: () => Tensor2D,
    private readonly firstColumn: { direction: "forward" | "reverse"; lastRow: number; at(m: number): Tensor2D } | null) {}

  push(rows: Tensor[]): void {
    const entry = entryMatrix(rows);
    const fc = this.firstColumn;
    if (fc?.direction === "forward" && this.count === 0) this.first = tf.keep(tf.clone(entry));
    if (fc?.direction === "reverse" && fc.lastRow - this.count > this.fit.local) {
      const old = this.first;
      const term = tf.matMul(fc.at(fc.lastRow - this.count), entry) as Tensor2D;
      this.first = tf.keep(old ? (tf.add(old, term) as Tensor2D) : term);
      old?.dispose();
    }
    this.count++;
    this.window.push(tf.keep(tf.clone(entry)));
    this.local.pushEntry(entry);
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
        const y = tf.sub(tf.sub(C === 1 ? entry : tf.tile(entry, [K, 1]), tf.mul(this.mu!, old)), compensation);
        const t = tf.add(old, y);
        return [t, tf.sub(tf.sub(t, old), y)];
      }) as [Tensor2D, Tensor2D];
      this.state = tf.keep(next);
      this.compensation = tf.keep(lost);
      tf.dispose([old, compensation, entry]);
      this.advanced++;
    }
  }

  sums(shape: number[]): Tensor[] {
    return splitSums(this.query(), shape);
  }

  private query(): Tensor2D {
    this.advance();
    const near = this.local.query();
    if (!this.state) return near;
    this.coefficientMatrix ??= tf.keep(this.coefficients());
    const far = tf.add(near, tf.matMul(this.coefficientMatrix, this.state)) as Tensor2D;
    const fc = this.firstColumn;
    if (!this.first || !fc) return far;
    if (fc.direction === "forward") return tf.add(far, tf.mul(fc.at(this.count), this.first)) as Tensor2D;
    return this.count === fc.lastRow ? (tf.add(far, this.first) as Tensor2D) : far;
  }

  dispose(): void {
    this.local.dispose();
    tf.dispose([...this.window, ...[this.state, this.mu, this.compensation, this.coefficientMatrix, this.first].filter((t) => t !== null) as Tensor2D[]]);
    this.window = [];
    this.state = this.mu = this.compensation = this.coefficientMatrix = this.first = null;
  }
}

/** [R, K·C] from coefficient arrays [r][c], column k·C + c. */
function coefficientData(rows: Float64Array[][], K: number): Float64Array {
  const C = rows[0].length;
  const out = new Float64Array(rows.length * K * C);
  rows.forEach((channels, r) => channels.forEach((a, c) => {
    for (let k = 0; k < K; k++) out[(r * K + k) * C + c] = a[k];
  }));
  return out;
}

/** Entries per row up to which the fast history off the tape runs on the host (beyond, tfjs kernels stream it faster). */
export const HOST_HISTORY_MAX_WIDTH = 4096;

/**
 * d[q] = W[q, 0] − (the weight the fast Toeplitz part gives entry 0 at row q: w[q − 1] inside the window,
 * the fit's tail beyond), q = 0..N; null for a table without a separate first column.
 */
function firstColumnCorrection(table: ToeplitzWeights, coefficients: Float64Array, fit: ExponentialFit, n: number): Float64Array | null {
  if (!table.firstColumn) return null;
  const tail = tailOf(coefficients, fit.decay, fit.local, n);
  const d = new Float64Array(n + 1);
  for (let q = 1; q <= n; q++) d[q] = table.firstColumn[q] - (q - 1 < fit.local ? table.sequence[q - 1] : tail[q - 1]);
  return d;
}

/** Forward channels [r][0] of the fast history: the tables of `weights`, the fit's coefficients `coefficients`. */
function forwardLayout(plan: Plan, fit: ExponentialFit): FastLayout {
  const tables = plan.weights.value.history;
  return {
    local: fit.local, decay: fit.decay, direction: "forward", lastRow: plan.steps,
    channels: tables.map((t, r) => [{ sequence: t.sequence, coefficients: fit.value[r], firstColumn: firstColumnCorrection(t, fit.value[r], fit, plan.steps) }]),
  };
}

/** The reverse sweep's sums: the forward tables with the fit's coefficients, and with a learned β their β-derivatives. */
function reverseSets(plan: Plan, fit: ExponentialFit, learnBeta: boolean): [ToeplitzWeights[], Float64Array[]][] {
  const sets: [ToeplitzWeights[], Float64Array[]][] = [[plan.weights.value.history, fit.value]];
  if (learnBeta) sets.push([plan.weights.betaDerivative().history, fit.derivative()]);
  return sets;
}

/** Reverse channels [r][c]: sum r = the values (and, with a learned β, their β-derivatives) of forward table c. */
function reverseLayout(plan: Plan, fit: ExponentialFit, learnBeta: boolean): FastLayout {
  const sets = reverseSets(plan, fit, learnBeta);
  return {
    local: fit.local, decay: fit.decay, direction: "reverse", lastRow: plan.steps,
    channels: sets.map(([tables, coefficients]) => tables.map((t, c) => ({
      sequence: t.sequence, coefficients: coefficients[c], firstColumn: firstColumnCorrection(t, coefficients[c], fit, plan.steps),
    }))),
  };
}

/** The forward corrections d[q] of entry 0 at row q as a [sums, 1] tensor (carrying ∂/∂β under the tape), or null. */
function forwardFirstColumn(plan: Plan, fit: ExponentialFit, learnedBeta: Variable | null) {
  const tables = plan.weights.value.history;
  if (!tables.some((t) => t.firstColumn)) return null;
  const n = plan.steps;
  const value = tables.map((t, r) => firstColumnCorrection(t, fit.value[r], fit, n) ?? new Float64Array(n + 1));
  let derivative: Float64Array[] | null = null;
  const column = (set: Float64Array[], q: number) => Float64Array.from(set, (d) => d[q]);
  const at = (q: number) => {
    const make = () => tf.tensor2d(Float32Array.from(column(value, q)), [tables.length, 1]);
    if (!learnedBeta) return make();
    return betaDependent(learnedBeta, make, () => column(derivative ??= plan.weights.betaDerivative().history.map((t, r) =>
      firstColumnCorrection(t, fit.derivative()[r], fit, n) ?? new Float64Array(n + 1)), q));
  };
  return { direction: "forward" as const, lastRow: n, at };
}

/** The reverse corrections d_{r,c}[m] of the entry at m = N − e as a [sums, C] tensor, or null. */
function reverseFirstColumn(plan: Plan, fit: ExponentialFit, learnBeta: boolean) {
  const sets = reverseSets(plan, fit, learnBeta);
  if (!sets[0][0].some((t) => t.firstColumn)) return null;
  const n = plan.steps;
  const d = sets.map(([tables, coefficients]) => tables.map((t, c) => firstColumnCorrection(t, coefficients[c], fit, n) ?? new Float64Array(n + 1)));
  const C = d[0].length;
  return {
    direction: "reverse" as const, lastRow: n,
    at: (m: number) => tf.tensor2d(Float32Array.from(d.flatMap((row) => row.map((x) => x[m]))), [sets.length, C]),
  };
}

/**
 * Where the fast history of a solve runs: under the tape in tfjs ops (autodiff differentiates them); off it on
 * the host when the entries are small or checkpoints need its snapshots, else in tfjs ops too.
 */
function onHost(taped: boolean, plan: Plan, width: number): boolean {
  return !taped && (width <= HOST_HISTORY_MAX_WIDTH || plan.checkpoints !== null);
}

/** The forward loop's weights and history for a state of `width` numbers: exact, or (plan.fit) fast. */
export function forwardHistory(plan: Plan, learnedBeta: Variable | null, taped: boolean, width: number): { weights: ForwardWeights; history: HistorySums } {
  const { fit, steps } = plan;
  if (!fit) {
    const weights = forwardWeights(plan.weights, steps, learnedBeta);
    return { weights, history: new History(weights.history, steps, plan.memory, taped) };
  }
  const weights = forwardWeights(plan.localWeights!, steps, learnedBeta);
  if (onHost(taped, plan, width)) return { weights, history: new HostFastHistory(forwardLayout(plan, fit)) };
  const K = fit.decay.length;
  const R = fit.value.length;
  const value = () => tf.tensor2d(Float32Array.from(coefficientData(fit.value.map((c) => [c]), K)), [R, K]);
  const coefficients = learnedBeta ? () => betaDependent(learnedBeta, value, () => coefficientData(fit.derivative().map((c) => [c]), K)) : value;
  const local = new History(weights.history, steps, fit.local, taped);
  return { weights, history: new FastHistory(local, fit, coefficients, forwardFirstColumn(plan, fit, learnedBeta)) };
}

/** The reverse sweep's history (entries ρ_m, sums ξ_j and, with a learned β, ξ'_j): exact, or fast. */
export function reverseHistory(plan: Plan, learnBeta: boolean, width: number): HistorySums {
  const { fit, steps } = plan;
  if (!fit) return new History(reverseHistoryWeights(plan.weights, steps, learnBeta), steps, plan.memory, false);
  if (width <= HOST_HISTORY_MAX_WIDTH) return new HostFastHistory(reverseLayout(plan, fit, learnBeta));
  const local = new History(reverseHistoryWeights(plan.localWeights!, steps, learnBeta), steps, fit.local, false);
  const sets = reverseSets(plan, fit, learnBeta).map(([, coefficients]) => coefficients);
  const K = fit.decay.length;
  const C = fit.value.length;
  const coefficients = () => tf.tensor2d(Float32Array.from(coefficientData(sets, K)), [sets.length, K * C]);
  return new FastHistory(local, fit, coefficients, reverseFirstColumn(plan, fit, learnBeta));
}
