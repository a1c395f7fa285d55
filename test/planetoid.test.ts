import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { tf } from "../src/backend";
import { loadPlanetoid, loadPlanetoidSync, planetoidTensors, readPickle, packageRoot, dataDir, Planetoid } from "../src/data";
import { skipWithoutPlanetoid } from "./helpers/data";

function checkEdges(d: Planetoid): void {
  const { src, dst } = d.edges;
  const keys = new Set<number>();
  for (let e = 0; e < src.length; e++) {
    assert.notEqual(src[e], dst[e], `self loop at edge ${e}`);
    keys.add(src[e] * d.numNodes + dst[e]);
  }
  assert.equal(keys.size, src.length, "duplicate edges");
  for (let e = 0; e < src.length; e++) assert.ok(keys.has(dst[e] * d.numNodes + src[e]), `edge ${e} has no reverse`);
}

function checkRowSums(d: Planetoid): void {
  for (let r = 0; r < d.numNodes; r++) {
    let s = 0;
    for (let c = 0; c < d.numFeatures; c++) s += d.features[r * d.numFeatures + c];
    assert.ok(Math.abs(s - 1) < 1e-5 || s === 0, `row ${r} sums to ${s}`);
  }
}

function checkSplit(d: Planetoid, train: number, sizes: [number, number, number]): void {
  assert.deepEqual([d.trainIdx.length, d.valIdx.length, d.testIdx.length], sizes);
  assert.equal(d.trainIdx[0], 0);
  assert.equal(d.valIdx[0], train);
  const all = new Set([...d.trainIdx, ...d.valIdx, ...d.testIdx]);
  assert.equal(all.size, sizes[0] + sizes[1] + sizes[2], "splits overlap");
}

test("pickle: protocol-2 containers and scalars (python3 pickle.dumps(..., protocol=2))", () => {
  const hex = "80027d71002858010000006171015d7102284b014b024b03580100000078710386710465580100000062710528884e4af9ffffff4d2c014a70110100747106752e";
  const v = readPickle(Buffer.from(hex, "hex")) as Map<string, unknown>;
  assert.deepEqual(v.get("a"), [1, 2, [3, "x"]]);
  assert.deepEqual(v.get("b"), [true, null, -7, 300, 70000]);
});

test("pickle: unknown opcodes and globals are named in the error, with the file", () => {
  assert.throws(() => readPickle(Buffer.from("\x80\x02cos\nsystem\n.", "latin1"), "evil.pkl"), /evil\.pkl.*global "os system" is not supported/);
  assert.throws(() => readPickle(Buffer.from("\x80\x02I42\n.", "latin1"), "old.pkl"), /old\.pkl.*opcode 0x49 \("I"\) is not supported/);
});

test("pickle: truncation, a missing STOP, bytes after STOP and a negative length name the file and the byte offset", () => {
  assert.throws(() => readPickle(Buffer.from("80024a0100", "hex"), "cut.pkl"), /cut\.pkl: truncated: needs 4 bytes, the file ends at byte 5 \(at byte 3\)/);
  const list = Buffer.from("80025d7100284b014b02652e", "hex"); // protocol 2: [1, 2]
  assert.deepEqual(readPickle(list), [1, 2]);
  assert.throws(() => readPickle(list.subarray(0, list.length - 1), "nostop.pkl"), /nostop\.pkl: the file ends without a STOP opcode.*\(at byte 11\)/);
  assert.throws(() => readPickle(Buffer.concat([list, Buffer.from("junk")]), "tail.pkl"), /tail\.pkl: 4 bytes after the STOP opcode; expected the file to end there \(at byte 12\)/);
  assert.throws(() => readPickle(Buffer.from("8002" + "54" + "fbffffff" + "2e", "hex"), "neg.pkl"), /neg\.pkl: negative length -5 \(at byte 7\)/);
  assert.throws(() => readPickle(Buffer.from("80024b014b022e", "hex"), "two.pkl"), /two\.pkl: STOP with 1 unused values on the stack \(at byte 6\)/);
  assert.throws(() => readPickle(Buffer.from("80024b014b02612e", "hex"), "notlist.pkl"), /notlist\.pkl: APPEND\(S\) on a value that is not a list \(at byte 6\)/);
});

test("paths: the package root holds package.json; data folder follows NFDE_DATA_DIR", () => {
  const root = packageRoot();
  assert.equal(JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).name, "neural-fde");
  const saved = process.env.NFDE_DATA_DIR;
  try {
    delete process.env.NFDE_DATA_DIR;
    assert.equal(dataDir(), path.join(root, "data"));
    process.env.NFDE_DATA_DIR = "/tmp/somewhere";
    assert.equal(dataDir(), "/tmp/somewhere");
  } finally {
    if (saved === undefined) delete process.env.NFDE_DATA_DIR; else process.env.NFDE_DATA_DIR = saved;
  }
});

test("Cora: sizes, split, symmetric de-duplicated edges, row-normalised features, class sizes", { skip: skipWithoutPlanetoid("cora") }, async () => {
  const d = await loadPlanetoid("cora");
  assert.deepEqual([d.numNodes, d.numFeatures, d.numClasses], [2708, 1433, 7]);
  assert.equal(d.features.length, 2708 * 1433);
  assert.equal(d.edges.src.length, 10556);
  checkEdges(d);
  checkSplit(d, 140, [140, 500, 1000]);
  checkRowSums(d);
  // class sizes checked against python3's pickle module reading the same files
  const counts = new Array(7).fill(0);
  d.labels.forEach((l) => counts[l]++);
  assert.deepEqual(counts, [351, 217, 418, 818, 426, 298, 180]);
  assert.deepEqual(Array.from(d.labels.subarray(0, 10)), [3, 4, 4, 0, 3, 2, 0, 3, 3, 2]);
  const trainCounts = new Array(7).fill(0);
  d.trainIdx.forEach((i) => trainCounts[d.labels[i]]++);
  assert.deepEqual(trainCounts, new Array(7).fill(20));
  let nnz = 0;
  for (const v of d.features) if (v !== 0) nnz++;
  assert.equal(nnz, 49216);
});

test("Cora: raw features without normalisation are binary", { skip: skipWithoutPlanetoid("cora") }, () => {
  const d = loadPlanetoidSync("cora", { normalizeFeatures: false });
  assert.ok(d.features.every((v) => v === 0 || v === 1));
});

test("Citeseer: sizes, split, isolated test ids padded with zero rows", { skip: skipWithoutPlanetoid("citeseer") }, () => {
  const d = loadPlanetoidSync("citeseer");
  assert.deepEqual([d.numNodes, d.numFeatures, d.numClasses], [3327, 3703, 6]);
  assert.equal(d.edges.src.length, 9104);
  checkEdges(d);
  checkSplit(d, 120, [120, 500, 1000]);
  checkRowSums(d);
  const test = new Set(d.testIdx);
  let padded = 0;
  for (let i = 2312; i < 3327; i++) {
    if (!test.has(i)) {
      padded++;
      assert.equal(d.labels[i], 0);
      assert.ok(d.features.subarray(i * 3703, (i + 1) * 3703).every((v) => v === 0), `padded row ${i} is not zero`);
    }
  }
  assert.equal(padded, 15);
});

test("planetoidTensors: shapes and dtypes, dispose frees everything", { skip: skipWithoutPlanetoid("cora") }, () => {
  const d = loadPlanetoidSync("cora");
  const before = tf.memory().numTensors;
  const t = planetoidTensors(d);
  assert.deepEqual(t.features.shape, [2708, 1433]);
  assert.equal(t.labels.dtype, "int32");
  assert.deepEqual(t.testIdx.shape, [1000]);
  t.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test("missing files, offline: the error names the files, the folder and NFDE_DATA_DIR", async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nfde-planetoid-"));
  const realFetch = globalThis.fetch;
  const offline = process.env.NFDE_OFFLINE;
  delete process.env.NFDE_OFFLINE; // this test is about a download that fails
  globalThis.fetch = async () => { throw new TypeError("fetch failed"); }; // offline, whatever this machine has
  try {
    await assert.rejects(loadPlanetoid("cora", { dataDir: tmp, downloadTimeoutMs: 5000 }), (e: Error) => {
      assert.match(e.message, /missing ind\.cora\.x, ind\.cora\.y, .*ind\.cora\.test\.index in /);
      assert.ok(e.message.includes(path.join(tmp, "planetoid")), e.message);
      assert.match(e.message, /download from https:\/\/github\.com\/kimiyoung\/planetoid\/raw\/master\/data failed: fetch failed/);
      assert.match(e.message, /NFDE_DATA_DIR/);
      return true;
    });
    assert.deepEqual(fs.readdirSync(path.join(tmp, "planetoid")), [], "a failed download leaves files behind");
    assert.throws(() => loadPlanetoidSync("citeseer", { dataDir: tmp }), /ind\.citeseer\.allx.*NFDE_DATA_DIR/s);
    assert.throws(() => loadPlanetoidSync("reddit" as "cora", { dataDir: tmp }), /name is "reddit"; allowed: cora, citeseer, pubmed/);
  } finally {
    if (offline !== undefined) process.env.NFDE_OFFLINE = offline;
    globalThis.fetch = realFetch;
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test("NFDE_OFFLINE=1: a missing data set is reported without any download attempt", async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nfde-planetoid-"));
  const realFetch = globalThis.fetch;
  let calls = 0;
  globalThis.fetch = async () => { calls++; throw new TypeError("fetch failed"); };
  process.env.NFDE_OFFLINE = "1";
  try {
    await assert.rejects(loadPlanetoid("cora", { dataDir: tmp }), /missing ind\.cora\.x, .* \(not downloaded: NFDE_OFFLINE=1\).*NFDE_DATA_DIR/s);
    assert.equal(calls, 0, "fetch was called although NFDE_OFFLINE=1");
  } finally {
    delete process.env.NFDE_OFFLINE;
    globalThis.fetch = realFetch;
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
