// The weights are stored in O(N) (Toeplitz generating sequences, docs/design.md §2), and the blocks the
// histories read equal the dense tables of §2's formulas: forward, reverse, β-derivatives, memory windows.
import { test } from "node:test";
import type { Tensor2D } from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { tf, gamma, METHODS, type Method } from "../src/index";
import { forwardWeights, reverseHistoryWeights, schemeWeights } from "../src/solvers/weights";
import { SCHEME_WEIGHTS, type ToeplitzWeights } from "../src/solvers/schemes";
import { BLOCK, History, WIDE_STATE, type FarSums } from "../src/solvers/history";

const FAR_SUMS: FarSums[] = ["eager", "lazy"];

/** Bytes of every typed array reachable from `root` (own properties, recursively). */
function storedBytes(root: unknown): number {
  const seen = new Set<object>();
  let bytes = 0;
  const visit = (x: unknown) => {
    if (x === null || typeof x !== "object" || seen.has(x)) return;
    seen.add(x);
    if (ArrayBuffer.isView(x)) {
      bytes += x.byteLength;
      return;
    }
    Object.values(x).forEach(visit);
  };
  visit(root);
  return bytes;
}

test("the stored weights of a long solve are O(N): N = 20000 keeps a few × N float64, not (N+1)²", () => {
  const n = 20000;
  for (const method of METHODS) {
    const weights = schemeWeights(method, 0.6, n, 0.01, n);
    // one sequence per history sum, and the corrector's separate first column of W1
    const arrays = method === "corrector" ? 3 : 1;
    assert.equal(storedBytes(weights), arrays * (n + 1) * 8, `${method}: value only (a constant β)`);
    weights.betaDerivative();
    assert.equal(storedBytes(weights), 2 * arrays * (n + 1) * 8, `${method}: with the β-derivatives`);
    assert.ok(storedBytes(weights) <= 6 * (n + 1) * 8); // the dense tables were (N+1)² × 8 B = 3.2 GB each
  }
});

// §2's dense tables W_r[k+1, j], straight from the formulas, in float64.
function denseTables(method: Method, beta: number, n: number, h: number, memory: number): number[][][] {
  const pow = (x: number, p: number) => (x === 0 ? 0 : Math.pow(x, p));
  const table = (entry: (k: number, j: number) => number) =>
    Array.from({ length: n + 1 }, (_, k1) => Array.from({ length: n + 1 }, (_, j) =>
      (j < k1 && j >= k1 - memory ? entry(k1 - 1, j) : 0)));
  const convolution = (omega: number[]) => table((k, j) => -omega[k - j + 1] / omega[0]);
  const binomial = (p: number) => { // coefficients of (1 − ξ)^p
    const g = [1];
    for (let i = 1; i <= n + 1; i++) g.push((1 - (p + 1) / i) * g[i - 1]);
    return g;
  };
  const predictor = table((k, j) => (Math.pow(h, beta) / gamma(beta + 1)) * (pow(k - j + 1, beta) - pow(k - j, beta)));
  switch (method) {
    case "predictor":
      return [predictor];
    case "corrector": {
      const c = Math.pow(h, beta) / gamma(beta + 2);
      return [predictor, table((k, j) => (j === 0
        ? c * (pow(k, beta + 1) - (k - beta) * pow(k + 1, beta))
        : c * (pow(k - j + 2, beta + 1) + pow(k - j, beta + 1) - 2 * pow(k - j + 1, beta + 1))))];
    }
    case "l1": {
      const cm = (m: number) => (m === 0 ? 1 : pow(m + 1, 1 - beta) - pow(m, 1 - beta));
      return [table((k, j) => cm(k - j) - cm(k - j + 1))];
    }
    case "gl":
      return [convolution(binomial(beta))];
    case "trapezoid": {
      const g = binomial(beta);
      const e = binomial(-beta).map((v, i) => v * (-1) ** i); // (1 + ξ)^(−β)
      return [convolution(g.map((_, i) => Math.pow(2, beta) * g.slice(0, i + 1).reduce((s, gl, l) => s + gl * e[i - l], 0)))];
    }
  }
}

const close = (actual: ArrayLike<number>, expected: number[], tol: number, what: string) => {
  assert.equal(actual.length, expected.length, what);
  const scale = Math.max(1e-30, ...expected.map(Math.abs));
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol * scale, `${what} [${i}]: ${actual[i]} vs ${expected[i]}`);
  }
};

// blocks of assorted shapes, some reaching column 0 (the corrector's first column) and row N
const blockRanges = (n: number) => [[0, n + 1, 0, n + 1], [1, 5, 0, 3], [4, 9, 2, 6], [n - 3, n + 1, 0, n], [n, n + 1, 1, n], [7, 8, 3, 7]];

test("blocks built from the sequences equal the dense tables for every method, with and without a memory window", () => {
  const n = 11;
  const beta = 0.6;
  const h = 0.05;
  const delta = 1e-5;
  for (const method of METHODS) {
    for (const memory of [n, 4]) {
      const what = `${method} memory ${memory}`;
      const weights = schemeWeights(method, beta, n, h, memory);
      const dense = denseTables(method, beta, n, h, memory);
      const up = denseTables(method, beta + delta, n, h, memory);
      const down = denseTables(method, beta - delta, n, h, memory);
      const derivative = dense.map((W, r) => W.map((row, q) => row.map((_, e) => (up[r][q][e] - down[r][q][e]) / (2 * delta))));
      const forward = forwardWeights(weights, n, null).history;
      const reverse = reverseHistoryWeights(weights, n, true);
      assert.equal(reverse.sums, 2);
      assert.equal(reverse.entryRows, dense.length);
      for (const [q0, q1, e0, e1] of blockRanges(n)) {
        const fwd: number[] = [];
        const revValue: number[] = [];
        const revDerivative: number[] = [];
        for (let q = q0; q < q1; q++) {
          for (let r = 0; r < dense.length; r++) for (let e = e0; e < e1; e++) fwd.push(Math.fround(dense[r][q][e]));
          // reverse row q = N − j, entry e = N − m, entry row c: W_c[m, j], then its β-derivative
          for (let e = e0; e < e1; e++) dense.forEach((W) => revValue.push(Math.fround(W[n - e][n - q])));
          for (let e = e0; e < e1; e++) derivative.forEach((W) => revDerivative.push(W[n - e][n - q]));
        }
        const fb = forward.block(q0, q1, e0, e1);
        close(fb.dataSync(), fwd, 1e-6, `${what} forward ${[q0, q1, e0, e1]}`);
        const rb = reverse.block(q0, q1, e0, e1).dataSync();
        const width = (e1 - e0) * dense.length;
        const rows = (sum: number) => Array.from({ length: q1 - q0 }, (_, i) => Array.from(rb.subarray((i * 2 + sum) * width, (i * 2 + sum + 1) * width))).flat();
        close(rows(0), revValue, 1e-6, `${what} reverse ${[q0, q1, e0, e1]}`);
        close(rows(1), revDerivative, 1e-5, `${what} reverse β-derivative ${[q0, q1, e0, e1]}`);
        fb.dispose();
      }
      // under the tape with a learnable β, a block's β-gradient is Σ dy ⊙ (the derivative block)
      const betaVariable = tf.variable(tf.scalar(beta));
      for (const [q0, q1, e0, e1] of blockRanges(n)) {
        const rows = (q1 - q0) * dense.length;
        const dy = Array.from({ length: rows * (e1 - e0) }, (_, i) => Math.sin(i + 1));
        const { value, grads } = tf.variableGrads(() => {
          const block = forwardWeights(weights, n, betaVariable).history.block(q0, q1, e0, e1);
          return tf.sum(tf.mul(block, tf.tensor2d(dy, [rows, e1 - e0])));
        }, [betaVariable]);
        let expected = 0;
        let i = 0;
        for (let q = q0; q < q1; q++) for (let r = 0; r < dense.length; r++) for (let e = e0; e < e1; e++) expected += dy[i++] * derivative[r][q][e];
        close(grads[betaVariable.name].dataSync(), [expected], 1e-5, `${what} ∂/∂β of block ${[q0, q1, e0, e1]}`);
        tf.dispose([value, grads[betaVariable.name]]);
      }
      betaVariable.dispose();
    }
  }
});

test("second differences of powers (L1, the corrector's W1) keep their accuracy at large lags: series and direct formula agree, the tail decays like a power", () => {
  for (const beta of [0.1, 0.5, 0.99]) {
    const l1 = SCHEME_WEIGHTS.l1(beta, 100000, 1).history[0].sequence;
    const w1 = SCHEME_WEIGHTS.corrector(beta, 100000, 1).history[1].sequence;
    const c = 1 / gamma(beta + 2);
    for (let m = 19; m <= 200; m += 7) {
      const a = 1 - beta;
      // the direct formula itself loses ~ε m² / |a (a − 1)| (the exponent's own factor) to cancellation
      const slack = (p: number) => Math.max(1e-10, (8 * Number.EPSILON * (m + 2) ** 2) / Math.abs(p * (p - 1)));
      const direct = -(Math.pow(m + 2, a) - 2 * Math.pow(m + 1, a) + Math.pow(m, a));
      assert.ok(Math.abs(l1[m] - direct) <= slack(a) * Math.abs(direct), `l1 β ${beta} m ${m}: ${l1[m]} vs ${direct}`);
      const d1 = c * (Math.pow(m + 2, beta + 1) + Math.pow(m, beta + 1) - 2 * Math.pow(m + 1, beta + 1));
      assert.ok(Math.abs(w1[m] - d1) <= slack(beta + 1) * Math.abs(d1), `corrector β ${beta} m ${m}: ${w1[m]} vs ${d1}`);
    }
    // w[m] = C (m+1)^(a−2) (1 + O(m⁻²)): w[2m]/w[m] is ((2m+1)/(m+1))^(a−2) to ~1e-10, which noise of ~ε m² would break at m = 5e4
    const ratio = (w: Float64Array, a: number, m: number) => w[2 * m] / w[m] / Math.pow((2 * m + 1) / (m + 1), a - 2);
    assert.ok(Math.abs(ratio(l1, 1 - beta, 50000) - 1) < 1e-7, `l1 β ${beta}: tail ratio ${ratio(l1, 1 - beta, 50000)}`);
    assert.ok(Math.abs(ratio(w1, 1 + beta, 50000) - 1) < 1e-7, `corrector β ${beta}: tail ratio ${ratio(w1, 1 + beta, 50000)}`);
  }
});

test("a History's sums equal the dense sums at every row, its far sums made eagerly or lazily: blocks, half blocks, memory windows, several sums, a base row", () => {
  const n = 40;
  const D = 3;
  const entries = Array.from({ length: n }, (_, e) => Array.from({ length: 2 * D }, (_, i) => Math.sin(7 * e + i + 1)));
  for (const farSums of FAR_SUMS) for (const memory of [n, 21, 5]) {
    const weights = schemeWeights("corrector", 0.6, n, 0.05, memory);
    const dense = denseTables("corrector", 0.6, n, 0.05, memory);
    const before = tf.memory().numTensors;
    // forward: R = 2 sums over one-row entries, each query offset by a base row
    const forward = new History(forwardWeights(weights, n, null).history, n, memory, false, WIDE_STATE, farSums);
    // reverse: entries of two rows (one per forward table), two sums (values, β-derivatives)
    const reverse = new History(reverseHistoryWeights(weights, n, true), n, memory, false, WIDE_STATE, farSums);
    const derivative = weights.betaDerivative().history;
    const base = tf.tensor2d([[0.5, -1, 2]]);
    for (let q = 1; q <= n; q++) {
      tf.tidy(() => {
        forward.pushEntry(tf.tensor2d([entries[q - 1].slice(0, D)]));
        reverse.pushEntry(tf.tensor2d([entries[q - 1].slice(0, D), entries[q - 1].slice(D)]));
        const got = forward.sumsOn(base, [D]).map((t) => Array.from(t.dataSync()));
        dense.forEach((W, r) => {
          const want = Array.from({ length: D }, (_, i) => [0.5, -1, 2][i] + entries.slice(0, q).reduce((s, x, e) => s + W[q][e] * x[i], 0));
          close(got[r], want, 1e-5, `forward row ${q} sum ${r} memory ${memory} ${farSums}`);
        });
        const rev = reverse.query().arraySync();
        // reverse row q, entry e: W_c[N − e, N − q] (and its β-derivative), entry row c = forward table c
        const at = (tables: number[][][] | null, c: number, e: number) =>
          tables ? tables[c][n - e][n - q] : tableAt(derivative[c], n - e, n - q);
        [dense, null].forEach((tables, r) => {
          const want = Array.from({ length: D }, (_, i) => entries.slice(0, q).reduce((s, x, e) => s + at(tables, 0, e) * x[i] + at(tables, 1, e) * x[D + i], 0));
          close(rev[r], want, 1e-4, `reverse row ${q} sum ${r} memory ${memory} ${farSums}`);
        });
      });
    }
    forward.dispose();
    reverse.dispose();
    base.dispose();
    assert.equal(tf.memory().numTensors, before, `memory ${memory} ${farSums}: no tensor left behind`);
  }
});

test("a History's one-sum queries as one AddN (the wide-state path, forced at D = 3) equal the dense sums, forward and reverse, eager and lazy", () => {
  const n = 40;
  const D = 3;
  const entries = Array.from({ length: n }, (_, e) => Array.from({ length: D }, (_, i) => Math.cos(5 * e + i + 2)));
  for (const farSums of FAR_SUMS) for (const memory of [n, 21, 5]) {
    const weights = schemeWeights("predictor", 0.7, n, 0.05, memory);
    const [W] = denseTables("predictor", 0.7, n, 0.05, memory);
    const before = tf.memory().numTensors;
    const forward = new History(forwardWeights(weights, n, null).history, n, memory, false, 1, farSums);
    const reverse = new History(reverseHistoryWeights(weights, n, false), n, memory, false, 1, farSums);
    const base = tf.tensor2d([[0.5, -1, 2]]);
    for (let q = 1; q <= n; q++) {
      tf.tidy(() => {
        forward.pushEntry(tf.tensor2d([entries[q - 1]]));
        reverse.pushEntry(tf.tensor2d([entries[q - 1]]));
        const [got] = forward.sumsOn(base, [D]).map((t) => Array.from(t.dataSync()));
        const want = Array.from({ length: D }, (_, i) => [0.5, -1, 2][i] + entries.slice(0, q).reduce((s, x, e) => s + W[q][e] * x[i], 0));
        close(got, want, 1e-5, `forward row ${q} memory ${memory} ${farSums}`);
        const [rev] = reverse.query().arraySync();
        const wantRev = Array.from({ length: D }, (_, i) => entries.slice(0, q).reduce((s, x, e) => s + W[n - e][n - q] * x[i], 0));
        close(rev, wantRev, 1e-5, `reverse row ${q} memory ${memory} ${farSums}`);
      });
    }
    forward.dispose();
    reverse.dispose();
    base.dispose();
    assert.equal(tf.memory().numTensors, before, `memory ${memory} ${farSums}: no tensor left behind`);
  }
});

/** W[q, e] of a Toeplitz table (its separate first column at e = 0), 0 for e >= q. */
function tableAt(table: ToeplitzWeights, q: number, e: number): number {
  if (e >= q) return 0;
  return e === 0 && table.firstColumn ? table.firstColumn[q] : table.sequence[q - 1 - e];
}

test("the reverse sweep's kept states and its lazy history hold at most N + 2·BLOCK entries between steps; eager far sums reach 2N", () => {
  const n = 96;
  const D = 64;
  const weights = schemeWeights("predictor", 0.6, n, 0.05, n);
  const peakEntries = (farSums: FarSums) => {
    const before = tf.memory().numBytes;
    const states = Array.from({ length: n }, (_, j) => tf.fill([1, D], j));
    const reverse = new History(reverseHistoryWeights(weights, n, false), n, n, false, WIDE_STATE, farSums);
    let peak = 0;
    for (let j = n - 1; j >= 0; j--) {
      tf.tidy(() => {
        if (j < n - 1) reverse.query();
        reverse.pushEntry(tf.mul(states[j], 2) as Tensor2D);
      });
      states[j].dispose();
      peak = Math.max(peak, tf.memory().numBytes - before);
    }
    reverse.dispose();
    assert.equal(tf.memory().numBytes, before, `${farSums}: no tensor left behind`);
    return peak / (4 * D);
  };
  const lazy = peakEntries("lazy");
  const eager = peakEntries("eager");
  assert.ok(lazy <= n + 2 * BLOCK, `lazy: ${lazy} entries at the peak, allowed ${n + 2 * BLOCK}`);
  assert.ok(eager > 1.5 * n, `eager: ${eager} entries at the peak (the case the lazy far sums exist for: more than ${1.5 * n})`);
});
