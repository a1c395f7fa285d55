// The fast history in tfjs kernels (docs/design.md §2): lags m < L summed exactly by a History with memory L,
// lags m ≥ L by K exponential states per entry row. The entries that leave the window enter the states in
// blocks of B: H ← r^B H + G·[entries], G[k, j] = r_k^(B−1−j) (one GEMM and one Kahan-compensated update
// per B steps); a step reads the states with weights c_k r_k^P and the P < B entries past the window not
// yet absorbed with their tail weights Σ_k c_k r_k^(m−L) — the same sums as one state update per step, in
// other order. Used under the tape (autodiff differentiates it) and off it for states wider than
// HOST_HISTORY_MAX_WIDTH (host-history.ts runs the narrower ones). Also the one place a solve's History is
// chosen (exact, fast in tfjs kernels, fast on the host).
import { tf } from "../backend";
import type { Tensor, Tensor2D, Variable } from "@tensorflow/tfjs";
import { tailOf, type ExponentialFit } from "./exponential-fit";
import { entryMatrix, History, splitSums, WIDE_STATE, type HistorySums } from "./history";
import { stacked, weightedSum } from "./weighted-sum";
import { HostFastHistory, type FastLayout } from "./host-history";
import type { Plan } from "./plan";
import type { ToeplitzWeights } from "./schemes";
import { betaDependent, forwardWeights, reverseHistoryWeights, type ForwardWeights } from "./weights";

/** Entries per absorbed block. */
const B = 16;

/** The coefficients a_{r,c,k} ([r][c], K each) of sum r over entry row c, and with a learned β under the tape their β-derivatives. */
interface FastCoefficients {
  value: Float64Array[][];
  learned: { beta: Variable; derivative: () => Float64Array[][] } | null;
}

/**
 * At P pending entries: `far` [R, K·C], column k·C + c = a_{r,c,k} r_k^P, weighs the states; `pending`
 * [R, P·C], column p·C + c = Σ_k a_{r,c,k} r_k^(P−1−p), weighs pending entry p.
 */
interface PhaseWeights {
  far: Float64Array;
  pending: Float64Array;
}

function phaseWeights(a: Float64Array[][], decay: Float64Array, P: number): PhaseWeights {
  const R = a.length;
  const C = a[0].length;
  const K = decay.length;
  const far = new Float64Array(R * K * C);
  const pending = new Float64Array(R * P * C);
  for (let r = 0; r < R; r++) {
    for (let c = 0; c < C; c++) {
      const ak = a[r][c];
      for (let k = 0; k < K; k++) {
        far[(r * K + k) * C + c] = ak[k] * Math.pow(decay[k], P);
        for (let p = 0; p < P; p++) pending[(r * P + p) * C + c] += ak[k] * Math.pow(decay[k], P - 1 - p);
      }
    }
  }
  return { far, pending };
}

export class FastHistory implements HistorySums {
  count = 0;
  /** Entries e ≥ absorbed, each [1, C·D]. */
  private window: Tensor2D[] = [];
  private absorbed = 0;
  /** [K, C·D]: H_k = Σ_{e < absorbed} r_k^(absorbed−1−e) entry_e. */
  private state: Tensor2D | null = null;
  private compensation: Tensor2D | null = null;
  private block: { gain: Tensor2D; mu: Tensor2D } | null = null;
  private readonly cached = new Map<number, { far: Tensor2D; pending: Tensor2D | null }>();
  /** The numbers of phaseWeights per P, and their β-derivatives once asked for. */
  private readonly phases = new Map<number, { value: PhaseWeights; derivative: PhaseWeights | null }>();
  /** forward: entry 0; reverse: Σ_e D(N − e) @ entry_e. */
  private first: Tensor2D | null = null;

  /**
   * `firstColumn`: the corrections of the corrector's W1 beyond the window (inside it the local History
   * weighs the first column itself) — forward, `at(q)` [sums, 1] for entry 0 at row q > L; reverse, `at(m)`
   * [sums, C] for the entry at m = N − e > L, read at q = N.
   */
  constructor(private readonly local: History, private readonly fit: ExponentialFit, private readonly coefficients: FastCoefficients,
    private readonly taped: boolean,
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
    this.window.push(tf.keep(tf.reshape(entry, [1, entry.size]) as Tensor2D));
    this.local.pushEntry(entry);
  }

  /**
   * Absorbs the B oldest pending entries: H ← H + (G·E − μ H), μ_k = 1 − r_k^B. μ, not r^B, is stored in
   * float32 (r = e^(−λ) rounded to float32 loses λ ≈ 1e-5; μ keeps λ to float32 precision), and the sum is
   * Kahan-compensated (the λ = 0 state is a plain running sum of the entries).
   */
  private absorb(): void {
    const { decay } = this.fit;
    const K = decay.length;
    this.block ??= {
      gain: tf.keep(tf.tensor2d(Float32Array.from({ length: K * B }, (_, i) => Math.pow(decay[Math.floor(i / B)], B - 1 - (i % B))), [K, B])),
      mu: tf.keep(tf.tensor2d(Float32Array.from(decay, (r) => -Math.expm1(B * Math.log(r))), [K, 1])),
    };
    const { gain, mu } = this.block;
    const entries = this.window.splice(0, B);
    const added = this.product(gain, entries, false);
    tf.dispose(entries);
    this.absorbed += B;
    const [old, compensation] = [this.state, this.compensation];
    if (!old) {
      this.state = tf.keep(added);
      this.compensation = tf.keep(tf.zerosLike(added));
      return;
    }
    const [next, lost] = tf.tidy(() => {
      const y = tf.sub(tf.sub(added, tf.mul(mu, old)), compensation!);
      const t = tf.add(old, y);
      return [t, tf.sub(tf.sub(t, old), y)];
    }) as [Tensor2D, Tensor2D];
    this.state = tf.keep(next);
    this.compensation = tf.keep(lost);
    tf.dispose([old, compensation!, added]);
  }

  /**
   * W [R, n·C] @ the n entries [1, C·D] as rows (e, c): under the tape (C = 1) an op that saves no copy of
   * the entries (`learned`: W carries ∂/∂β), off it one concatenation.
   */
  private product(W: Tensor2D, entries: Tensor2D[], learned: boolean): Tensor2D {
    if (this.taped) return weightedSum(W, entries, true, learned);
    return tf.tidy(() => tf.matMul(W, tf.reshape(stacked(entries), [W.shape[1], -1])));
  }

  sums(shape: number[]): Tensor[] {
    return splitSums(this.query(), shape);
  }

  /** The weights at P pending entries: cached, or with a learned β tensors that carry ∂/∂β. */
  private weightsAt(P: number): { far: Tensor2D; pending: Tensor2D | null } {
    const { value, learned } = this.coefficients;
    const hit = learned ? undefined : this.cached.get(P);
    if (hit) return hit;
    const R = value.length;
    const C = value[0].length;
    const K = this.fit.decay.length;
    let phase = this.phases.get(P);
    if (!phase) this.phases.set(P, phase = { value: phaseWeights(value, this.fit.decay, P), derivative: null });
    const numbers = phase.value;
    const far = () => tf.tensor2d(Float32Array.from(numbers.far), [R, K * C]);
    const pending = () => tf.tensor2d(Float32Array.from(numbers.pending), [R, P * C]);
    if (learned) {
      const d = () => (phase.derivative ??= phaseWeights(learned.derivative(), this.fit.decay, P));
      return { far: betaDependent(learned.beta, far, () => d().far), pending: P > 0 ? betaDependent(learned.beta, pending, () => d().pending) : null };
    }
    const w = { far: tf.keep(far()), pending: P > 0 ? tf.keep(pending()) : null };
    this.cached.set(P, w);
    return w;
  }

  private query(): Tensor2D {
    const L = this.fit.local;
    const q = this.count;
    while (q - L - this.absorbed >= B) this.absorb();
    const P = Math.max(0, q - L - this.absorbed);
    const near = this.local.query();
    if (P === 0 && !this.state) return near;
    const { far, pending } = this.weightsAt(P);
    const C = this.coefficients.value[0].length;
    const D = near.shape[1];
    const K = this.fit.decay.length;
    let sum = near;
    if (this.state) sum = tf.add(sum, tf.matMul(far, tf.reshape(this.state, [K * C, D]))) as Tensor2D;
    if (pending) sum = tf.add(sum, this.product(pending, this.window.slice(0, P), this.coefficients.learned !== null)) as Tensor2D;
    const fc = this.firstColumn;
    if (!this.first || !fc) return sum;
    if (fc.direction === "forward") return tf.add(sum, tf.mul(fc.at(this.count), this.first)) as Tensor2D;
    return this.count === fc.lastRow ? (tf.add(sum, this.first) as Tensor2D) : sum;
  }

  dispose(): void {
    this.local.dispose();
    const owned = [this.state, this.compensation, this.first, this.block?.gain, this.block?.mu,
      ...[...this.cached.values()].flatMap((w) => [w.far, w.pending])];
    tf.dispose([...this.window, ...owned.filter((t): t is Tensor2D => !!t)]);
    this.window = [];
    this.cached.clear();
    this.phases.clear();
    this.state = this.compensation = this.first = this.block = null;
  }
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
  const coefficients: FastCoefficients = {
    value: fit.value.map((c) => [c]),
    learned: learnedBeta ? { beta: learnedBeta, derivative: () => fit.derivative().map((c) => [c]) } : null,
  };
  const local = new History(weights.history, steps, fit.local, taped);
  return { weights, history: new FastHistory(local, fit, coefficients, taped, forwardFirstColumn(plan, fit, learnedBeta)) };
}

/** The reverse sweep's history (entries ρ_m, sums ξ_j and, with a learned β, ξ'_j): exact, or fast. */
export function reverseHistory(plan: Plan, learnBeta: boolean, width: number): HistorySums {
  const { fit, steps } = plan;
  if (!fit) return new History(reverseHistoryWeights(plan.weights, steps, learnBeta), steps, plan.memory, false, WIDE_STATE, "lazy");
  if (width <= HOST_HISTORY_MAX_WIDTH) return new HostFastHistory(reverseLayout(plan, fit, learnBeta));
  const local = new History(reverseHistoryWeights(plan.localWeights!, steps, learnBeta), steps, fit.local, false, WIDE_STATE, "lazy");
  const value = reverseSets(plan, fit, learnBeta).map(([, coefficients]) => coefficients);
  return new FastHistory(local, fit, { value, learned: null }, false, reverseFirstColumn(plan, fit, learnBeta));
}
