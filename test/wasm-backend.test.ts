import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

// The backend is chosen when src/backend.ts loads, so the wasm checks run in a fresh process.
const ROOT = path.resolve(__dirname, "..");
const src = (p: string) => JSON.stringify(path.join(ROOT, "src", p));

const CHILD = `
import { tf, ready, backendInfo } from ${src("backend")};
import { makeSparse, spmm, edgeAttention, attentionGraph } from ${src("graph")};
(async () => {
  await ready();
  const out: Record<string, unknown> = { backend: backendInfo().name };
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    const x = tf.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8]]);
    out.segmentSum = Array.from(tf.unsortedSegmentSum(x, tf.tensor1d([2, 0, 2, 3], "int32"), 4).dataSync());
    out.segmentSum1d = Array.from(tf.unsortedSegmentSum(tf.tensor1d([1, 2, 3]), tf.tensor1d([1, 1, 0], "int32"), 2).dataSync());
    const w = tf.tensor2d([[1, 1], [2, 2], [3, 3], [4, 4]]);
    out.gatherGrad = Array.from(tf.grad((p: any) => tf.sum(tf.mul(tf.gather(p, tf.tensor1d([0, 2, 0, 1], "int32")), w)))(
      tf.tensor2d([[1, 2], [3, 4], [5, 6]])).dataSync());
    const g = makeSparse([0, 1, 2, 2], [1, 0, 0, 2], tf.tensor1d([1, 2, 3, 4]), 3);
    const X = tf.tensor2d([[1, 0], [0, 1], [1, 1]]);
    out.spmm = Array.from(spmm(g, X).dataSync());
    out.spmmGradX = Array.from(tf.grad((x: any) => tf.sum(spmm(g, x)))(X).dataSync());
    const ag = attentionGraph({ src: [0, 1, 1, 2], dst: [1, 0, 2, 1] }, 3);
    const att = edgeAttention(tf.tensor2d([[1, 0], [0, 1], [1, 1]]), ag, { wK: tf.eye(2), wQ: tf.eye(2), heads: 1 });
    const sums = [0, 0, 0];
    att.dataSync().forEach((a, e) => { sums[ag.rows[e]] += a; });
    out.attentionSums = sums;
    ag.dispose();
    g.dispose();
  });
  try {
    tf.tidy(() => { tf.unsortedSegmentSum(tf.ones([2]), tf.tensor1d([0, 5], "int32"), 3); });
  } catch (e) {
    out.badIdsError = (e as Error).message;
  }
  tf.disposeVariables();
  out.leaked = tf.memory().numTensors - before;
  console.log(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
`;

test("wasm backend: UnsortedSegmentSum kernel, gather gradient, spmm and attention (fresh process)", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nfde-wasm-"));
  try {
    const file = path.join(dir, "child.ts");
    fs.writeFileSync(file, CHILD);
    const r = spawnSync(process.execPath, [path.join(ROOT, "node_modules/tsx/dist/cli.mjs"), file], {
      env: { ...process.env, NFDE_BACKEND: "wasm" }, encoding: "utf8", timeout: 120000,
    });
    assert.equal(r.status, 0, `child failed: ${r.stderr}`);
    const out = JSON.parse(r.stdout.trim().split("\n").pop()!);
    assert.equal(out.backend, "wasm");
    assert.deepEqual(out.segmentSum, [3, 4, 0, 0, 6, 8, 7, 8]);
    assert.deepEqual(out.segmentSum1d, [3, 3]);
    assert.deepEqual(out.gatherGrad, [4, 4, 4, 4, 2, 2]);
    // A[dst, src] = w: row 0 = 2 x1 + 3 x2, row 1 = 1 x0, row 2 = 4 x2
    assert.deepEqual(out.spmm, [3, 5, 1, 0, 4, 4]);
    assert.deepEqual(out.spmmGradX, [1, 1, 2, 2, 7, 7]);
    for (const s of out.attentionSums as number[]) assert.ok(Math.abs(s - 1) < 1e-6, `attention row sum ${s}`);
    assert.match(out.badIdsError, /segmentIds\[1\] is 5; allowed: 0\.\.2/);
    assert.equal(out.leaked, 0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
