// The MNIST reader on small IDX files the test writes (raw and gzipped, then corrupted), and the embedded
// digits' stratified, seeded split.
import { test, TestContext } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { tf } from "../src/backend";
import { loadMnist, loadMnistIdxSync, MNIST_FILES, mnistTensors } from "../src/data/mnist";

function idx(dims: number[], data: Uint8Array): Uint8Array {
  const header = new DataView(new ArrayBuffer(4 + 4 * dims.length));
  header.setUint8(2, 0x08);
  header.setUint8(3, dims.length);
  dims.forEach((d, i) => header.setUint32(4 + 4 * i, d, false));
  return Uint8Array.from([...new Uint8Array(header.buffer), ...data]);
}

/** A data root with an mnist/ folder of n training and m test images (pixel value (i·7 + p) % 256, label i % 10). */
function writeSet(t: TestContext, n = 12, m = 5, gzip = false): { root: string; file: (k: keyof typeof MNIST_FILES) => string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "nfde-mnist-"));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  fs.mkdirSync(path.join(root, "mnist"));
  const file = (k: keyof typeof MNIST_FILES) => path.join(root, "mnist", MNIST_FILES[k] + (gzip ? ".gz" : ""));
  const write = (k: keyof typeof MNIST_FILES, bytes: Uint8Array) => fs.writeFileSync(file(k), gzip ? zlib.gzipSync(bytes) : bytes);
  const images = (count: number) => Uint8Array.from({ length: count * 784 }, (_, j) => (Math.floor(j / 784) * 7 + (j % 784)) % 256);
  const labels = (count: number) => Uint8Array.from({ length: count }, (_, i) => i % 10);
  write("trainImages", idx([n, 28, 28], images(n)));
  write("trainLabels", idx([n], labels(n)));
  write("testImages", idx([m, 28, 28], images(m)));
  write("testLabels", idx([m], labels(m)));
  return { root, file };
}

for (const gzip of [false, true]) {
  test(`MNIST IDX files${gzip ? " (gzipped)" : ""}: images scaled to [0, 1], labels, counts`, (t) => {
    const { root } = writeSet(t, 12, 5, gzip);
    const d = loadMnistIdxSync({ dataDir: root });
    assert.equal(d.source, "idx");
    assert.equal(d.train.count, 12);
    assert.equal(d.test.count, 5);
    assert.equal(d.train.images.length, 12 * 784);
    assert.equal(d.train.images[3 * 784 + 10], Math.fround(((3 * 7 + 10) % 256) / 255));
    assert.deepEqual([...d.test.labels], [0, 1, 2, 3, 4]);
  });
}

test("MNIST IDX files: a truncated, corrupted or inconsistent file is an Error naming it and what was expected", (t) => {
  const cases: [string, (s: ReturnType<typeof writeSet>) => void, RegExp][] = [
    ["truncated images", (s) => fs.writeFileSync(s.file("trainImages"), fs.readFileSync(s.file("trainImages")).subarray(0, 1000)), /train-images-idx3-ubyte: dimensions 12 × 28 × 28 = 9408 values but 984 bytes.*truncated/],
    ["bad magic", (s) => { const b = fs.readFileSync(s.file("testLabels")); b[0] = 7; fs.writeFileSync(s.file("testLabels"), b); }, /t10k-labels-idx1-ubyte: magic starts with 7, 0/],
    ["wrong rank", (s) => fs.writeFileSync(s.file("trainLabels"), idx([12, 1], new Uint8Array(12))), /train-labels-idx1-ubyte: 2 dimensions; expected an IDX file of unsigned bytes with 1 dimensions/],
    ["label out of range", (s) => fs.writeFileSync(s.file("trainLabels"), idx([12], new Uint8Array(12).fill(3).map((v, i) => (i === 4 ? 42 : v)))), /train-labels-idx1-ubyte: label 42 at index 4; expected 0\.\.9/],
    ["count mismatch", (s) => fs.writeFileSync(s.file("testLabels"), idx([4], new Uint8Array(4))), /has 5 images but .*t10k-labels-idx1-ubyte has 4 labels/],
    ["image size", (s) => fs.writeFileSync(s.file("testImages"), idx([5, 14, 56], new Uint8Array(5 * 784))), /t10k-images-idx3-ubyte: images of 14 × 56 pixels; expected 28 × 28/],
  ];
  for (const [name, corrupt, re] of cases) {
    const s = writeSet(t);
    corrupt(s);
    assert.throws(() => loadMnistIdxSync({ dataDir: s.root }), re, name);
  }
  const g = writeSet(t, 12, 5, true);
  fs.writeFileSync(g.file("trainImages"), fs.readFileSync(g.file("trainImages")).subarray(0, 40));
  assert.throws(() => loadMnistIdxSync({ dataDir: g.root }), /train-images-idx3-ubyte\.gz: not a valid gzip stream/);
});

test("MNIST: missing IDX files offline name the files, the folder and the alternatives; bad options name themselves", async (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "nfde-mnist-empty-"));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  const offline = process.env.NFDE_OFFLINE;
  process.env.NFDE_OFFLINE = "1";
  t.after(() => (offline === undefined ? delete process.env.NFDE_OFFLINE : (process.env.NFDE_OFFLINE = offline)));
  await assert.rejects(loadMnist({ source: "idx", dataDir: root }),
    /MNIST: missing train-images-idx3-ubyte\(\.gz\), .*t10k-labels-idx1-ubyte\(\.gz\) in .*mnist \(not downloaded: NFDE_OFFLINE=1\).*NFDE_DATA_DIR.*source: "embedded"/s);
  await assert.rejects(loadMnist({ sorce: "idx" } as never), /unknown option "sorce"; allowed: source, testFraction/);
  await assert.rejects(loadMnist({ source: "web" as never }), /source is "web"; allowed: "embedded", "idx"/);
  await assert.rejects(loadMnist({ testFraction: 1.5 }), /testFraction is 1\.5; allowed: a number in \(0, 1\)/);
  await assert.rejects(loadMnist({ source: "idx", seed: 3, dataDir: root }), /testFraction and seed apply to source "embedded" only/);
});

test("MNIST embedded digits: 8,000 / 2,000, stratified per class, the same split for the same seed and another for another seed", async () => {
  const a = await loadMnist();
  assert.equal(a.source, "embedded");
  assert.equal(a.train.count + a.test.count, 10000);
  assert.equal(a.test.count, 2000);
  for (let d = 0; d < 10; d++) {
    const tr = a.train.labels.filter((l) => l === d).length;
    const te = a.test.labels.filter((l) => l === d).length;
    assert.ok(Math.abs(te - 0.2 * (tr + te)) <= 0.5, `class ${d}: ${te} of ${tr + te} held out`);
  }
  assert.ok(a.train.images.every((v) => v >= 0 && v <= 1));
  const b = await loadMnist({ seed: 0 });
  assert.deepEqual(b.test.images.subarray(0, 784 * 3), a.test.images.subarray(0, 784 * 3));
  const c = await loadMnist({ seed: 1 });
  assert.notDeepEqual(c.test.labels.subarray(0, 50), a.test.labels.subarray(0, 50));
  const before = tf.memory().numTensors;
  const { images, labels } = mnistTensors(a.test, [0, 5, 7]);
  assert.deepEqual(images.shape, [3, 28, 28, 1]);
  assert.deepEqual([...labels.dataSync()], [a.test.labels[0], a.test.labels[5], a.test.labels[7]]);
  tf.dispose([images, labels]);
  assert.equal(tf.memory().numTensors, before);
});
