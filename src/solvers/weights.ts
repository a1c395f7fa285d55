// A scheme's weights per (method, β, N, h, memory), computed once in float64 and cached as Toeplitz generating
// sequences (O(N) each, docs/design.md §2), their derivatives in β (only when asked for: a learnable β), and
// the views the forward and reverse histories read them through, which build each float32 block from the
// sequences.
import { tf } from "../backend";
import type { Scalar, Tensor, Tensor2D, Variable } from "@tensorflow/tfjs";
import { customOp } from "../tfjs-internals";
import { boundedCache } from "../util/bounded-cache";
import type { HistoryWeights } from "./history";
import { SCHEME_WEIGHTS, type SchemeWeights, type ToeplitzWeights } from "./schemes";
import type { Method } from "./types";

const DELTA = 1e-6;

type Builder = (beta: number, n: number, h: number) => SchemeWeights;

/**
 * The memory window: W[k+1, j] = 0 for j < k+1 − memory, i.e. w[m] = 0 for lags m ≥ memory and, for a
 * separate first column, W[k+1, 0] = 0 for k+1 > memory.
 */
function truncate(table: ToeplitzWeights, n: number, memory: number): ToeplitzWeights {
  if (memory < n) {
    table.sequence.fill(0, memory);
    table.firstColumn?.fill(0, memory + 1);
  }
  return table;
}

/** A scheme's weights on a grid, truncated to the memory window, and (on first call) their derivatives in β. */
export class WeightsAndDerivatives {
  readonly value: SchemeWeights;
  private derivative: SchemeWeights | null = null;

  constructor(private readonly build: Builder, private readonly beta: number, private readonly steps: number,
    private readonly stepSize: number, private readonly memory: number) {
    const value = build(beta, steps, stepSize);
    value.history.forEach((table) => truncate(table, steps, memory));
    this.value = value;
  }

  /** ∂/∂β of every weight: central differences in float64 (δ = 1e-6), computed once, when β is learned. */
  betaDerivative(): SchemeWeights {
    if (this.derivative) return this.derivative;
    const { build, beta, steps, stepSize, memory } = this;
    const up = build(beta + DELTA, steps, stepSize);
    const down = build(beta - DELTA, steps, stepSize);
    const diff = (a: number, b: number) => (a - b) / (2 * DELTA);
    const diffs = (a: Float64Array, b: Float64Array) => a.map((v, i) => diff(v, b[i]));
    this.derivative = {
      history: up.history.map((table, r) => truncate({
        sequence: diffs(table.sequence, down.history[r].sequence),
        firstColumn: table.firstColumn && diffs(table.firstColumn, down.history[r].firstColumn!),
      }, steps, memory)),
      field: diff(up.field, down.field),
      stage: diff(up.stage, down.stage),
    };
    return this.derivative;
  }
}

const cache = boundedCache<WeightsAndDerivatives>(24);

export function schemeWeights(method: Method, beta: number, steps: number, stepSize: number, memory: number): WeightsAndDerivatives {
  return cache(`${method}|${beta}|${steps}|${stepSize}|${memory}`,
    () => new WeightsAndDerivatives(SCHEME_WEIGHTS[method], beta, steps, stepSize, memory));
}

type Floats = Float32Array | Float64Array;

/**
 * The sequences w_c (c < C) lag-reversed and interleaved: out[i·C + c] = w_c[N − 1 − i] (i < N). A block row
 * q reads W[q, e] = w[q − 1 − e] for columns e < q, which is the run starting at (e − q + N)·C.
 */
function reversedSequences<T extends Floats>(make: (length: number) => T, sequences: Float64Array[], n: number): T {
  const C = sequences.length;
  const out = make(n * C);
  sequences.forEach((w, c) => {
    for (let i = 0; i < n; i++) out[i * C + c] = w[n - 1 - i];
  });
  return out;
}

/**
 * Fills rows (q, r), q in [q0, q1), r < reversed.length, columns (e, c), e in [e0, e1), c < C, of a block
 * of Toeplitz tables T_{r,c}[q, e] = w_{r,c}[q − 1 − e] for e < q (0 for e ≥ q: `out` comes zeroed); the
 * caller patches the separate first columns.
 */
function toeplitzRows<T extends Floats>(out: T, reversed: T[], C: number, n: number, q0: number, q1: number, e0: number, e1: number): T {
  const sums = reversed.length;
  const cols = (e1 - e0) * C;
  for (let q = q0; q < q1; q++) {
    const end = Math.min(e1, q);
    if (end <= e0) continue;
    for (let r = 0; r < sums; r++) out.set(reversed[r].subarray((e0 - q + n) * C, (end - q + n) * C), ((q - q0) * sums + r) * cols);
  }
  return out;
}

/** Forward rows (q, r) = W_r[q, e] (one entry row per history step); column e = 0 of W_r from its firstColumn. */
function forwardBlock<T extends Floats>(out: T, reversed: T[], tables: ToeplitzWeights[], n: number,
  q0: number, q1: number, e0: number, e1: number): T {
  toeplitzRows(out, reversed, 1, n, q0, q1, e0, e1);
  if (e0 !== 0) return out;
  const sums = tables.length;
  const cols = e1 - e0;
  tables.forEach(({ firstColumn }, r) => {
    if (!firstColumn) return;
    for (let q = Math.max(q0, 1); q < q1; q++) out[((q - q0) * sums + r) * cols] = firstColumn[q];
  });
  return out;
}

/** What the forward loop reads: the history's weights and the scalar weights s and c. */
export interface ForwardWeights {
  history: HistoryWeights;
  /** s and c, as tensors carrying ∂/∂β when β is learned by autodiff. */
  field: number | Scalar;
  stage: number | Scalar;
}

/** The rows of `block` ([rows, cols]) followed by those of `tail` ([rows, t]): [rows, cols + t]. */
function withTail<T extends Floats>(block: T, rows: number, tail: Float32Array | undefined, make: (length: number) => T, tailValues = true): T {
  if (!tail || tail.length === 0) return block;
  const cols = block.length / rows;
  const t = tail.length / rows;
  const out = make(rows * (cols + t));
  for (let i = 0; i < rows; i++) {
    out.set(block.subarray(i * cols, (i + 1) * cols), i * (cols + t));
    if (tailValues) out.set(tail.subarray(i * t, (i + 1) * t), i * (cols + t) + cols);
  }
  return out;
}

const float32 = (length: number) => new Float32Array(length);
const float64 = (length: number) => new Float64Array(length);
const reversedEach = <T extends Floats>(make: (length: number) => T, tables: ToeplitzWeights[], n: number) =>
  tables.map((table) => reversedSequences(make, [table.sequence], n));

function constantForward(weights: SchemeWeights, steps: number): ForwardWeights {
  const { history } = weights;
  const sums = history.length;
  const reversed = reversedEach(float32, history, steps);
  const hostBlock = (q0: number, q1: number, e0: number, e1: number) =>
    forwardBlock(new Float32Array((q1 - q0) * sums * (e1 - e0)), reversed, history, steps, q0, q1, e0, e1);
  const block = (q0: number, q1: number, e0: number, e1: number, tail?: Float32Array) => {
    const rows = (q1 - q0) * sums;
    return tf.tensor2d(withTail(hostBlock(q0, q1, e0, e1), rows, tail, float32), [rows, e1 - e0 + (tail?.length ?? 0) / rows]);
  };
  return { history: { sums, entryRows: 1, learned: false, block, hostBlock }, field: weights.field, stage: weights.stage };
}

/** Σ dy ⊙ derivs, summed in float64: the weights' β-derivatives alternate in sign (GL, trapezoid) and cancel. */
function betaGradient(dy: Tensor, derivs: Float64Array): Scalar {
  const d = dy.dataSync();
  let acc = 0;
  for (let i = 0; i < d.length; i++) acc += d[i] * derivs[i];
  return tf.scalar(acc);
}

/** A float32 tensor of `values` whose gradient with respect to β is Σ dy ⊙ derivs() (derivs built on demand). */
export function betaDependent<T extends Tensor>(beta: Variable, value: () => T, derivs: () => Float64Array): T {
  return customOp<T>(() => ({ value: value(), gradFunc: (dy: T) => [betaGradient(dy, derivs())] }))(beta);
}

/** Each block a tensor of its float32 values whose β-gradient is Σ dy ⊙ (the block of ∂W/∂β, in float64). */
function differentiableForward(weights: WeightsAndDerivatives, steps: number, beta: Variable): ForwardWeights {
  const { value } = weights;
  const derivative = weights.betaDerivative();
  const sums = value.history.length;
  const reversed = reversedEach(float32, value.history, steps);
  let reversedDerivative: Float64Array[] | null = null;
  const block = (q0: number, q1: number, e0: number, e1: number, tail?: Float32Array): Tensor2D => {
    const rows = (q1 - q0) * sums;
    const size = rows * (e1 - e0);
    return betaDependent(beta,
      () => tf.tensor2d(withTail(forwardBlock(new Float32Array(size), reversed, value.history, steps, q0, q1, e0, e1), rows, tail, float32),
        [rows, e1 - e0 + (tail?.length ?? 0) / rows]),
      () => withTail(forwardBlock(new Float64Array(size), reversedDerivative ??= reversedEach(float64, derivative.history, steps),
        derivative.history, steps, q0, q1, e0, e1), rows, tail, float64, false));
  };
  const scalars = betaDependent(beta, () => tf.tensor1d([value.field, value.stage]),
    () => Float64Array.from([derivative.field, derivative.stage]));
  return {
    history: { sums, entryRows: 1, learned: true, block },
    field: tf.reshape(tf.slice(scalars, [0], [1]), []) as Scalar,
    stage: tf.reshape(tf.slice(scalars, [1], [1]), []) as Scalar,
  };
}

/** Constant weights, or (β a tf.Variable, under the tape) tensors that carry ∂/∂β. */
export function forwardWeights(weights: WeightsAndDerivatives, steps: number, learnedBeta: Variable | null): ForwardWeights {
  return learnedBeta ? differentiableForward(weights, steps, learnedBeta) : constantForward(weights.value, steps);
}

/**
 * The reverse sweep's history: row q = N - j, entry e = N - m, entry row c: W_c[m, j] (and, as a second
 * sum when β is learned, ∂W_c[m, j]/∂β). W_c[N − e, N − q] = w_c[q − 1 − e] is Toeplitz in (q, e) again;
 * a separate first column (j = 0) is row q = N.
 */
export function reverseHistoryWeights(weights: WeightsAndDerivatives, steps: number, withBeta: boolean): HistoryWeights {
  const tables = withBeta ? [weights.value.history, weights.betaDerivative().history] : [weights.value.history];
  const entryRows = tables[0].length;
  const sums = tables.length;
  const n = steps;
  const reversed = tables.map((channels) => reversedSequences(float32, channels.map((table) => table.sequence), n));
  const hostBlock = (q0: number, q1: number, e0: number, e1: number) => {
    const cols = (e1 - e0) * entryRows;
    const out = toeplitzRows(new Float32Array((q1 - q0) * sums * cols), reversed, entryRows, n, q0, q1, e0, e1);
    if (q0 <= n && n < q1) {
      tables.forEach((channels, r) => channels.forEach(({ firstColumn }, c) => {
        if (!firstColumn) return;
        const base = ((n - q0) * sums + r) * cols;
        for (let e = e0; e < Math.min(e1, n); e++) out[base + (e - e0) * entryRows + c] = firstColumn[n - e];
      }));
    }
    return out;
  };
  return {
    sums,
    entryRows,
    learned: false,
    hostBlock,
    block: (q0, q1, e0, e1, tail) => {
      const rows = (q1 - q0) * sums;
      return tf.tensor2d(withTail(hostBlock(q0, q1, e0, e1), rows, tail, float32), [rows, (e1 - e0) * entryRows + (tail?.length ?? 0) / rows]);
    },
  };
}
