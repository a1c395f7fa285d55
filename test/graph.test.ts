import { test } from "node:test";
import assert from "node:assert/strict";
import { tf } from "../src/index";
import {
  makeScaledSparse, makeSparse, spmm, gcnNormalizedAdjacency, diffusion, dirichletEnergy, edgeAttention,
  attentionGraph, withSelfLoops, SparseGraph,
} from "../src/graph";
import { spmmUntaped } from "../src/graph/sparse-matmul";
import { nativeBinding } from "../src/tfjs-internals";

type T2 = ReturnType<typeof tf.tensor2d>;
type T1 = ReturnType<typeof tf.tensor1d>;

// Deterministic pseudo-random numbers (mulberry32).
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomSymmetricEdges(n: number, p: number, seed: number): { src: Int32Array; dst: Int32Array } {
  const r = rng(seed);
  const src: number[] = [];
  const dst: number[] = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) {
    if (r() < p) { src.push(i, j); dst.push(j, i); }
  }
  return { src: Int32Array.from(src), dst: Int32Array.from(dst) };
}

function randomMatrix(rows: number, cols: number, seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: rows * cols }, () => 2 * r() - 1);
}

// Dense A with A[dst, src] += w.
function denseOf(g: SparseGraph, w: ArrayLike<number>): number[][] {
  const A = Array.from({ length: g.numNodes }, () => new Array<number>(g.numNodes).fill(0));
  for (let e = 0; e < g.numEdges; e++) A[g.rows[e]][g.cols[e]] += w[e];
  return A;
}

function matmul(A: number[][], X: ArrayLike<number>, h: number): Float64Array {
  const n = A.length;
  const out = new Float64Array(n * h);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    if (A[i][j] !== 0) for (let c = 0; c < h; c++) out[i * h + c] += A[i][j] * X[j * h + c];
  }
  return out;
}

function transposeDense(A: number[][]): number[][] {
  return A.map((_, i) => A.map((row) => row[i]));
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol * (1 + Math.abs(expected[i])),
      `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

const N = 13;
const H = 4;
const edges = randomSymmetricEdges(N, 0.3, 7);
// a few directed extras and a repeated pair, so the matrix is not symmetric and duplicates must add up
const src = Int32Array.from([...edges.src, 0, 3, 3, 5]);
const dst = Int32Array.from([...edges.dst, 0, 9, 9, 1]);
const wHost = randomMatrix(src.length, 1, 11);
const xHost = randomMatrix(N, H, 12);
const cHost = randomMatrix(N, H, 13);

for (const forceGather of [false, true]) {
  const path = forceGather ? "gather + unsortedSegmentSum" : `${tf.getBackend()} default`;

  test(`spmm (${path}): values against a dense product`, () => {
    const g = makeSparse(src, dst, wHost, N);
    const X = tf.tensor2d(xHost, [N, H]);
    const Y = spmm(g, X, undefined, { forceGather });
    assertClose(Y.dataSync(), matmul(denseOf(g, wHost), xHost, H), 1e-5, "AX");
    tf.dispose([X, Y]);
    g.dispose();
  });

  test(`spmm (${path}): gradients for X and the edge values against the dense formulas`, () => {
    const w = tf.tensor1d(wHost);
    const g = makeSparse(src, dst, w, N);
    const X = tf.tensor2d(xHost, [N, H]);
    const C = tf.tensor2d(cHost, [N, H]);
    // L = sum(C ⊙ A X): dL/dX = Aᵀ C, dL/dw_e = <C[dst_e], X[src_e]>
    const [gw, gx] = tf.grads((wt: tf.Tensor, x: tf.Tensor) =>
      tf.sum(tf.mul(C, spmm(g, x, wt as T1, { forceGather }))))([w, X]);
    assertClose(gx.dataSync(), matmul(transposeDense(denseOf(g, wHost)), cHost, H), 1e-5, "dL/dX");
    const expectW = Array.from(src, (s, e) => {
      let acc = 0;
      for (let c = 0; c < H; c++) acc += cHost[dst[e] * H + c] * xHost[s * H + c];
      return acc;
    });
    assertClose(gw.dataSync(), expectW, 1e-5, "dL/dw");
    tf.dispose([w, X, C, gw, gx]);
    g.dispose();
  });

  test(`spmm (${path}): Aᵀ X and its gradients (transpose), for given and for factored values`, () => {
    const row = randomMatrix(N, 1, 14).map((v) => 1 + v / 2), col = randomMatrix(N, 1, 15).map((v) => 1 + v / 2);
    const scaled = makeScaledSparse(src, dst, { row, col }, N);
    const factored = Array.from(src, (s, e) => row[dst[e]] * col[s]);
    assertClose(scaled.values.dataSync(), factored, 1e-6, "factored values");
    const w = tf.tensor1d(wHost);
    const given = makeSparse(src, dst, w, N);
    const X = tf.tensor2d(xHost, [N, H]);
    const C = tf.tensor2d(cHost, [N, H]);
    for (const [g, vals] of [[scaled, factored], [given, wHost]] as const) {
      const A = denseOf(g, vals);
      for (const transpose of [false, true]) {
        const [M, Mt] = transpose ? [transposeDense(A), A] : [A, transposeDense(A)];
        const Y = spmm(g, X, undefined, { forceGather, transpose });
        assertClose(Y.dataSync(), matmul(M, xHost, H), 1e-5, `${transpose ? "Aᵀ" : "A"}X`);
        const gx = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(C, spmm(g, x, undefined, { forceGather, transpose }))))(X);
        assertClose(gx.dataSync(), matmul(Mt, cHost, H), 1e-5, `d/dX of ${transpose ? "Aᵀ" : "A"}X`);
        tf.dispose([Y, gx]);
      }
    }
    // dL/dw_e of L = sum(C ⊙ Aᵀ X) = <C[src_e], X[dst_e]>
    const gw = tf.grad((wt: tf.Tensor) => tf.sum(tf.mul(C, spmm(given, X, wt as T1, { forceGather, transpose: true }))))(w);
    const expectW = Array.from(src, (s, e) => {
      let acc = 0;
      for (let c = 0; c < H; c++) acc += cHost[s * H + c] * xHost[dst[e] * H + c];
      return acc;
    });
    assertClose(gw.dataSync(), expectW, 1e-5, "dL/dw of AᵀX");
    tf.dispose([w, X, C, gw]);
    scaled.dispose();
    given.dispose();
  });

  test(`spmm (${path}): no tensor leaks over 100 calls with gradients`, () => {
    const w = tf.tensor1d(wHost);
    const X = tf.tensor2d(xHost, [N, H]);
    const fixed = makeSparse(src, dst, wHost, N);
    const scaled = makeScaledSparse(src, dst, { row: Float32Array.from(wHost.slice(0, N)), col: new Float32Array(N).fill(2) }, N);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) {
      tf.tidy(() => {
        spmm(fixed, X, undefined, { forceGather });
        tf.grad((x: tf.Tensor) => tf.sum(spmm(scaled, x, undefined, { forceGather, transpose: i % 2 === 0 })))(X);
        tf.grads((wt: tf.Tensor, x: tf.Tensor) => tf.sum(spmm(fixed, x, wt as T1, { forceGather })))([w, X]);
        tf.grad((x: tf.Tensor) => tf.sum(spmm(fixed, x, undefined, { forceGather })))(X);
      });
    }
    assert.equal(tf.memory().numTensors, before);
    const y = spmm(fixed, X, undefined, { forceGather });
    y.dispose();
    assert.equal(tf.memory().numTensors, before);
    fixed.dispose();
    scaled.dispose();
    tf.dispose([w, X]);
  });
}

test("makeSparse and spmm: errors name the argument, value and what is allowed", () => {
  assert.throws(() => makeSparse([0, 5], [1, 0], [1, 1], 3), /src\[1\] is 5; allowed: integers in 0\.\.2/);
  assert.throws(() => makeSparse([0], [1, 0], [1], 3), /src has 1 entries and dst 2/);
  assert.throws(() => makeSparse([0, 1], [1, 0], [1], 3), /values has shape \[1\].*\[2\]/);
  assert.throws(() => makeScaledSparse([0, 1], [1, 0], { row: new Float32Array(3), col: new Float32Array(2) }, 3),
    /makeScaledSparse: scales\.col has 2 entries; allowed: numNodes \(3\)/);
  const g = makeSparse([0, 1], [1, 0], [1, 1], 3);
  const X = tf.zeros([4, 2]);
  assert.throws(() => spmm(g, X), /X has shape \[4,2\]; allowed: \[3, H\]/);
  X.dispose();
  g.dispose();
});

test("gcnNormalizedAdjacency: rows of a regular graph sum to 1, the matrix is symmetric", () => {
  // ring with neighbours at distance 1 and 2: every node has degree 4
  const n = 10;
  const s: number[] = [];
  const d: number[] = [];
  for (let i = 0; i < n; i++) for (const k of [1, 2, n - 1, n - 2]) { s.push(i); d.push((i + k) % n); }
  const g = gcnNormalizedAdjacency({ src: s, dst: d }, n);
  assert.equal(g.numEdges, 4 * n + n);
  const A = denseOf(g, g.values.dataSync());
  for (let i = 0; i < n; i++) {
    assertClose([A[i].reduce((a, b) => a + b, 0)], [1], 1e-6, `row ${i} sum`);
    assertClose([A[i][i]], [1 / 5], 1e-6, `diagonal ${i}`);
  }
  g.dispose();

  const r = gcnNormalizedAdjacency(edges, N);
  const B = denseOf(r, r.values.dataSync());
  const deg = B.map((_, i) => edges.dst.filter((x) => x === i).length);
  for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) {
    assert.ok(Math.abs(B[i][j] - B[j][i]) < 1e-7, `symmetric at ${i},${j}`);
    const expected = i === j ? 1 / (1 + deg[i]) : B[i][j] === 0 ? 0 : 1 / Math.sqrt((1 + deg[i]) * (1 + deg[j]));
    assert.ok(Math.abs(B[i][j] - expected) < 1e-6, `value at ${i},${j}`);
  }
  r.dispose();
});

test("spmm: the GCN Â's row scale is SparseSegmentSqrtN's own (native); A X, Aᵀ X, their gradients and r·Â X match the dense products", () => {
  const g = gcnNormalizedAdjacency(edges, N);
  const other = makeScaledSparse(src, dst, { row: randomMatrix(N, 1, 14).map((v) => 1 + v / 2), col: new Float32Array(N).fill(0.5) }, N);
  if (nativeBinding()) {
    assert.deepEqual(g.scaled?.sqrtN, { forward: true, transposed: true });
    assert.deepEqual(other.scaled?.sqrtN, { forward: false, transposed: false });
  }
  const A = denseOf(g, g.values.dataSync());
  const X = tf.tensor2d(xHost, [N, H]);
  const C = tf.tensor2d(cHost, [N, H]);
  const r = tf.scalar(0.3);
  for (const transpose of [false, true]) {
    const M = transpose ? transposeDense(A) : A;
    const Y = spmm(g, X, undefined, { transpose });
    assertClose(Y.dataSync(), matmul(M, xHost, H), 1e-6, `${transpose ? "Aᵀ" : "A"}X`);
    const gx = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(C, spmm(g, x, undefined, { transpose }))))(X);
    assertClose(gx.dataSync(), matmul(transposeDense(M), cHost, H), 1e-6, `d/dX of ${transpose ? "Aᵀ" : "A"}X`);
    const rY = spmmUntaped(g, X, { factor: r, transpose });
    assertClose(rY.dataSync(), matmul(M, xHost, H).map((v) => 0.3 * v), 1e-6, `0.3·${transpose ? "Aᵀ" : "A"}X`);
    tf.dispose([Y, gx, rY]);
  }
  tf.dispose([X, C, r]);
  g.dispose();
  other.dispose();
});

test("spmm and diffusion: A X and (A - I) X", () => {
  const g = gcnNormalizedAdjacency(edges, N);
  const X = tf.tensor2d(xHost, [N, H]);
  const AX = matmul(denseOf(g, g.values.dataSync()), xHost, H);
  const P = spmm(g, X);
  const D = diffusion(g, X);
  assertClose(P.dataSync(), AX, 1e-5, "spmm");
  assertClose(D.dataSync(), AX.map((v, i) => v - xHost[i]), 1e-5, "diffusion");
  tf.dispose([X, P, D]);
  g.dispose();
});

test("dirichletEnergy: zero for degree-scaled constant features, matches the edge sum otherwise", () => {
  const g = gcnNormalizedAdjacency(edges, N);
  const deg = Array.from({ length: N }, (_, i) => edges.dst.filter((x) => x === i).length);
  const flat = tf.tensor2d(Float32Array.from({ length: N * H }, (_, k) => Math.sqrt(1 + deg[Math.floor(k / H)])), [N, H]);
  const e0 = dirichletEnergy(flat, g);
  assert.ok(Math.abs(e0.dataSync()[0]) < 1e-5);
  const X = tf.tensor2d(xHost, [N, H]);
  let ref = 0;
  for (let e = 0; e < edges.src.length; e++) {
    const i = edges.dst[e];
    const j = edges.src[e];
    for (let c = 0; c < H; c++) {
      ref += (xHost[i * H + c] / Math.sqrt(1 + deg[i]) - xHost[j * H + c] / Math.sqrt(1 + deg[j])) ** 2;
    }
  }
  ref *= 0.5;
  const e1 = dirichletEnergy(X, g, { normalize: false });
  const e2 = dirichletEnergy(X, g);
  assertClose(e1.dataSync(), [ref], 1e-5, "energy");
  assertClose(e2.dataSync(), [ref / N], 1e-5, "energy / N");
  // tr(Xᵀ (I - Â) X) equals the un-normalised energy
  const trace = tf.sum(tf.mul(X, tf.sub(X, spmm(g, X))));
  assertClose(trace.dataSync(), [ref], 1e-4, "trace form");
  tf.dispose([flat, e0, X, e1, e2, trace]);
  g.dispose();
});

function attentionParams(F: number, width: number, heads: number) {
  return {
    wK: tf.variable(tf.tensor2d(randomMatrix(F, width, 21), [F, width])) as unknown as T2,
    wQ: tf.variable(tf.tensor2d(randomMatrix(F, width, 22), [F, width])) as unknown as T2,
    heads,
  };
}

test("edgeAttention: weights sum to 1 over each node's incoming edges and match a direct computation", () => {
  const F = 5;
  const heads = 2;
  const dk = 3;
  const g = attentionGraph(edges, N);
  assert.equal(g.numEdges, edges.src.length + N);
  const X0 = tf.tensor2d(randomMatrix(N, F, 23), [N, F]);
  const p = attentionParams(F, heads * dk, heads);
  const att = edgeAttention(X0, g, p);
  const a = att.dataSync();
  const sums = new Float64Array(N);
  for (let e = 0; e < g.numEdges; e++) sums[g.rows[e]] += a[e];
  assertClose(sums, new Array(N).fill(1), 1e-5, "row sums");

  const [K, Q] = tf.tidy(() => [p.wK, p.wQ].map((w) => tf.matMul(X0, w).arraySync() as number[][]));
  const expected = new Float64Array(g.numEdges);
  for (let h = 0; h < heads; h++) {
    const score = Array.from(g.rows, (i, e) => {
      let s = 0;
      for (let c = h * dk; c < (h + 1) * dk; c++) s += K[i][c] * Q[g.cols[e]][c];
      return Math.exp(s / Math.sqrt(dk));
    });
    const z = new Float64Array(N);
    score.forEach((s, e) => { z[g.rows[e]] += s; });
    score.forEach((s, e) => { expected[e] += s / z[g.rows[e]] / heads; });
  }
  assertClose(a, expected, 1e-5, "attention");
  tf.dispose([X0, att, p.wK, p.wQ]);
  g.dispose();
});

test("edgeAttention: gradients reach X0 and the projections (finite differences), no leaks", () => {
  const F = 4;
  const g = attentionGraph(edges, N);
  const X0 = tf.tensor2d(randomMatrix(N, F, 31), [N, F]);
  const Xh = tf.tensor2d(xHost, [N, H]);
  const C = tf.tensor2d(cHost, [N, H]);
  const p = attentionParams(F, 4, 2);
  const loss = (x0: tf.Tensor) => tf.sum(tf.mul(C, spmm(g, Xh, edgeAttention(x0 as T2, g, p)))) as ReturnType<typeof tf.scalar>;
  const gx = tf.grad(loss)(X0);
  const gxs = gx.dataSync();
  const base = X0.dataSync();
  for (const k of [0, 7, 13, 30]) {
    const eps = 1e-2;
    const plus = Float32Array.from(base); plus[k] += eps;
    const minus = Float32Array.from(base); minus[k] -= eps;
    const fd = tf.tidy(() => (loss(tf.tensor2d(plus, [N, F])).dataSync()[0] - loss(tf.tensor2d(minus, [N, F])).dataSync()[0]) / (2 * eps));
    assert.ok(Math.abs(fd - gxs[k]) < 2e-3 * (1 + Math.abs(fd)), `dL/dX0[${k}]: ${gxs[k]} vs finite difference ${fd}`);
  }
  const { grads } = tf.variableGrads(() => loss(X0));
  assert.ok(tf.tidy(() => tf.sum(tf.abs(grads[(p.wK as unknown as tf.Variable).name])).dataSync()[0]) > 0);
  tf.dispose(grads);

  const before = tf.memory().numTensors;
  for (let i = 0; i < 100; i++) tf.tidy(() => { tf.grad(loss)(X0); });
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([X0, Xh, C, gx, p.wK, p.wQ]);
  g.dispose();
});

test("withSelfLoops: drops existing self loops and adds one per node", () => {
  const r = withSelfLoops({ src: [0, 1, 2], dst: [1, 1, 0] }, 3);
  assert.deepEqual(Array.from(r.src), [0, 2, 0, 1, 2]);
  assert.deepEqual(Array.from(r.dst), [1, 0, 0, 1, 2]);
});
