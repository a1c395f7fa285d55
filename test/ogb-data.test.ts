// The OGB node-data reader on a tiny data set the test writes (plain, gzipped, CRLF), then corrupts one file at
// a time: each defect is an Error naming the file, the line, the value found and what is allowed.
import { test, TestContext } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { loadOgbNode, loadOgbNodeSync, ogbZipUrl } from "../src/data";
import { symmetrize } from "../src/graph/edge-order";

const FEATURES = [
  "0.0,1.5e-3,-2,3.25",
  "-0.125,2E+2,0.1,7",
  "1,2,3,4",
  "-1.5,-2.5e-1,0,1e-5",
  "0.3333333333333333,-0.6666666666666666,12345.678,-0",
  "5e0,+6,0.000001,9.999999",
  "-0.05785414204001427,0.10000000149011612,3,4.5",
];
const LABELS = ["0", "2", "1", "nan", "2", "0", "1"];
const EDGES = ["0,1", "1,2", "2,0", "3,4", "4,5", "5,6", "6,3", "1,0", "2,2"];
const SPLIT = { train: ["0", "1", "2"], valid: ["3", "4"], test: ["5", "6"] };
const NAME = "ogbn-tiny";

/** Stems relative to the data set folder, e.g. "raw/edge" or "split/time/valid". */
type Stem = string;

interface TinySet { root: string; dir: string; file: (stem: Stem) => string; write: (stem: Stem, lines: string[] | Buffer) => void }

/** A data root holding ogbn_tiny/ with every file plain (or gzipped), lines ended by "\n" (or "\r\n"). */
function writeSet(t: TestContext, opts: { gzip?: boolean; crlf?: boolean; counts?: boolean } = {}): TinySet {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "nfde-ogb-"));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  const dir = path.join(root, "ogbn_tiny");
  const file = (stem: Stem) => path.join(dir, `${stem}.csv${opts.gzip ? ".gz" : ""}`);
  const write = (stem: Stem, lines: string[] | Buffer) => {
    const bytes = Buffer.isBuffer(lines) ? lines : Buffer.from(lines.map((l) => l + (opts.crlf ? "\r\n" : "\n")).join(""));
    fs.mkdirSync(path.dirname(file(stem)), { recursive: true });
    fs.writeFileSync(file(stem), opts.gzip ? zlib.gzipSync(bytes) : bytes);
  };
  write("raw/node-feat", FEATURES);
  write("raw/node-label", LABELS);
  write("raw/edge", EDGES);
  if (opts.counts ?? true) {
    write("raw/num-node-list", ["7"]);
    write("raw/num-edge-list", [String(EDGES.length)]);
  }
  for (const [part, lines] of Object.entries(SPLIT)) write(`split/time/${part}`, lines);
  return { root, dir, file, write };
}

const expectedFeatures = Float32Array.from(FEATURES.flatMap((row) => row.split(",").map(Number)));

function checkTiny(d: ReturnType<typeof loadOgbNodeSync>): void {
  assert.equal(d.name, NAME);
  assert.equal(d.numNodes, 7);
  assert.equal(d.numFeatures, 4);
  assert.equal(d.numClasses, 3);
  assert.deepEqual(d.features, expectedFeatures);
  assert.deepEqual(d.labels, Int32Array.from([0, 2, 1, -1, 2, 0, 1]));
  assert.deepEqual(d.edges.src, Int32Array.from(EDGES.map((e) => Number(e.split(",")[0]))));
  assert.deepEqual(d.edges.dst, Int32Array.from(EDGES.map((e) => Number(e.split(",")[1]))));
  assert.deepEqual(d.trainIdx, Int32Array.from([0, 1, 2]));
  assert.deepEqual(d.valIdx, Int32Array.from([3, 4]));
  assert.deepEqual(d.testIdx, Int32Array.from([5, 6]));
}

for (const variant of [{ gzip: false }, { gzip: true }, { gzip: false, crlf: true }, { gzip: true, counts: false }]) {
  test(`OGB tiny set (${JSON.stringify(variant)}): every array exactly, sync and streaming`, async (t) => {
    const s = writeSet(t, variant);
    checkTiny(loadOgbNodeSync(NAME, { dataDir: s.root }));
    checkTiny(await loadOgbNode(NAME, { dataDir: s.root, split: "time" }));
  });
}

test("OGB: plain files preferred to gzipped ones; a label field that is empty is unlabeled (-1)", (t) => {
  const s = writeSet(t, { gzip: true });
  const plain = path.join(s.dir, "raw", "node-label.csv");
  fs.writeFileSync(plain, "1\n1\n\n0\n1\nNaN\n1\n");
  const d = loadOgbNodeSync(NAME, { dataDir: s.root });
  assert.deepEqual(d.labels, Int32Array.from([1, 1, -1, 0, 1, -1, 1]));
  assert.equal(d.numClasses, 2);
});

test("OGB: files larger than one read piece and than one gunzip chunk are cut at line ends correctly", async (t) => {
  const s = writeSet(t);
  const count = 4_400_000; // 4 bytes a line: 17.6 MB, more than the 16 MB pieces of the plain reader
  const line = Buffer.from("1,2\n3,4\n");
  const edges = Buffer.alloc(count * 4);
  for (let i = 0; i < count / 2; i++) line.copy(edges, i * 8);
  s.write("raw/num-edge-list", [String(count)]);
  s.write("raw/edge", edges);
  const check = (d: ReturnType<typeof loadOgbNodeSync>) => {
    assert.equal(d.edges.src.length, count);
    assert.equal(d.edges.src[count - 2], 1);
    assert.equal(d.edges.dst[count - 1], 4);
    assert.ok(d.edges.src.every((v, i) => v === (i % 2 ? 3 : 1)) && d.edges.dst.every((v, i) => v === (i % 2 ? 4 : 2)));
  };
  check(loadOgbNodeSync(NAME, { dataDir: s.root }));
  fs.rmSync(s.file("raw/edge"));
  fs.writeFileSync(s.file("raw/edge") + ".gz", zlib.gzipSync(edges.subarray(0, edges.length - 1))); // no final newline
  check(await loadOgbNode(NAME, { dataDir: s.root }));
});

/** Asserts that both loaders throw an Error that names `file` and matches `re`. */
async function rejectsNaming(s: TinySet, file: string, re: RegExp): Promise<void> {
  const check = (e: unknown) => {
    assert.ok(e instanceof Error, `threw ${String(e)}`);
    assert.ok(e.message.startsWith(`OGB ${file}: `), `the message does not start with the file:\n${e.message}`);
    assert.match(e.message, re);
    return true;
  };
  assert.throws(() => loadOgbNodeSync(NAME, { dataDir: s.root }), check);
  await assert.rejects(loadOgbNode(NAME, { dataDir: s.root }), check);
}

test("OGB defect: a non-numeric feature", async (t) => {
  const s = writeSet(t);
  s.write("raw/node-feat", FEATURES.map((r, i) => (i === 2 ? "1,2,x3,4" : r)));
  await rejectsNaming(s, s.file("raw/node-feat"), /line 3, field 3 holds "x3"; expected a number/);
  s.write("raw/node-feat", FEATURES.map((r, i) => (i === 4 ? "1,2.5.1,3,4" : r)));
  await rejectsNaming(s, s.file("raw/node-feat"), /line 5, field 2 holds "2\.5\.1"; expected a number/);
  s.write("raw/node-feat", FEATURES.map((r, i) => (i === 6 ? "1,1e39,3,4" : r)));
  await rejectsNaming(s, s.file("raw/node-feat"), /line 7, field 2 holds "1e39"; expected a finite float32 number/);
});

test("OGB defect: a feature row with the wrong number of columns", async (t) => {
  const s = writeSet(t);
  s.write("raw/node-feat", FEATURES.map((r, i) => (i === 1 ? "1,2,3" : r)));
  await rejectsNaming(s, s.file("raw/node-feat"), /line 2 has 3 fields; expected 4, the number of fields on line 1/);
  s.write("raw/node-feat", FEATURES.map((r, i) => (i === 3 ? "1,2,3,4,5" : r)));
  await rejectsNaming(s, s.file("raw/node-feat"), /line 4 has 5 fields; expected 4/);
  s.write("raw/node-feat", FEATURES.map((r, i) => (i === 5 ? "" : r)));
  await rejectsNaming(s, s.file("raw/node-feat"), /line 6 is empty; expected 4 numbers/);
});

test("OGB defect: an edge endpoint outside [0, numNodes) or not an integer", async (t) => {
  const s = writeSet(t);
  s.write("raw/edge", EDGES.map((e, i) => (i === 3 ? "3,7" : e)));
  await rejectsNaming(s, s.file("raw/edge"), /line 4, field 2 holds "7"; expected a node id in \[0, 7\) \(the 7 nodes of node-label\.csv\)/);
  s.write("raw/edge", EDGES.map((e, i) => (i === 0 ? "-1,2" : e)));
  await rejectsNaming(s, s.file("raw/edge"), /line 1, field 1 holds "-1"; expected a node id in \[0, 7\)/);
  s.write("raw/edge", EDGES.map((e, i) => (i === 5 ? "5.0,6" : e)));
  await rejectsNaming(s, s.file("raw/edge"), /line 6, field 1 holds "5\.0"; expected a node id/);
  s.write("raw/edge", EDGES.map((e, i) => (i === 8 ? "2" : e)));
  await rejectsNaming(s, s.file("raw/edge"), /line 9 has 1 fields; expected 2/);
});

test("OGB defect: a label that is not a non-negative integer", async (t) => {
  const s = writeSet(t);
  for (const [bad, line] of [["1.5", 2], ["-1", 5], ["cat", 7]] as const) {
    s.write("raw/node-label", LABELS.map((l, i) => (i === line - 1 ? bad : l)));
    await rejectsNaming(s, s.file("raw/node-label"),
      new RegExp(`line ${line} holds "${bad}"; expected a class label \\(a non-negative integer\\), or nan or nothing for an unlabeled node`));
  }
});

test("OGB defect: a split index repeated within a split or across splits", async (t) => {
  const s = writeSet(t);
  s.write("split/time/valid", ["3", "3"]);
  await rejectsNaming(s, s.file("split/time/valid"), /line 2 holds node 3, already listed at line 1; expected each node at most once/);
  s.write("split/time/valid", ["3", "4"]);
  s.write("split/time/test", ["5", "0"]);
  await rejectsNaming(s, s.file("split/time/test"), /line 2 holds node 0, already listed at line 1 of .*train\.csv;/);
});

test("OGB defect: a split index out of range", async (t) => {
  const s = writeSet(t);
  s.write("split/time/train", ["0", "9"]);
  await rejectsNaming(s, s.file("split/time/train"), /line 2 holds "9"; expected a node index in \[0, 7\) \(the 7 nodes of node-label\.csv\)/);
  s.write("split/time/train", ["0", "x"]);
  await rejectsNaming(s, s.file("split/time/train"), /line 2 holds "x"; expected a node index/);
});

test("OGB defect: feature rows differ from label rows; num-node-list or num-edge-list disagree", async (t) => {
  const s = writeSet(t);
  s.write("raw/node-feat", FEATURES.slice(0, 6));
  await rejectsNaming(s, s.file("raw/node-feat"), /6 rows, but .*node-label\.csv has 7; expected one feature row per label row/);
  s.write("raw/node-feat", [...FEATURES, "1,2,3,4"]);
  await rejectsNaming(s, s.file("raw/node-feat"), /8 rows, but .*node-label\.csv has 7/);
  s.write("raw/node-feat", FEATURES);
  s.write("raw/num-node-list", ["8"]);
  await rejectsNaming(s, s.file("raw/num-node-list"), /holds 8 nodes, but .*node-label\.csv has 7 rows; expected the same number/);
  s.write("raw/num-node-list", ["7", "3"]);
  await rejectsNaming(s, s.file("raw/num-node-list"), /2 lines; expected one line holding one integer/);
  s.write("raw/num-node-list", ["7"]);
  s.write("raw/num-edge-list", ["10"]);
  await rejectsNaming(s, s.file("raw/num-edge-list"), /holds 10 edges, but .*edge\.csv has 9 lines; expected the same number/);
});

test("OGB defect: a truncated gzip file is named, by both loaders", async (t) => {
  const s = writeSet(t, { gzip: true });
  const bytes = fs.readFileSync(s.file("raw/edge"));
  fs.writeFileSync(s.file("raw/edge"), bytes.subarray(0, bytes.length - 12));
  await rejectsNaming(s, s.file("raw/edge"), /^OGB .*edge\.csv\.gz: not a valid gzip stream \(unexpected end of file: truncated or corrupted\)/);
});

test("OGB defect in a gzipped file: both loaders throw the line's Error (streaming through gunzip, not an AbortError)", async (t) => {
  const s = writeSet(t, { gzip: true });
  s.write("raw/edge", EDGES.map((e, i) => (i === 3 ? "3,7" : e)));
  await rejectsNaming(s, s.file("raw/edge"), /line 4, field 2 holds "7"; expected a node id in \[0, 7\)/);
  s.write("raw/edge", EDGES);
  s.write("raw/node-feat", FEATURES.map((r, i) => (i === 6 ? "1,2,3" : r)));
  await rejectsNaming(s, s.file("raw/node-feat"), /line 7 has 3 fields; expected 4/);
});

test("OGB: missing files name the files, the folder, OGB's URL and NFDE_DATA_DIR", async (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "nfde-ogb-empty-"));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  const offline = process.env.NFDE_OFFLINE;
  t.after(() => (offline === undefined ? delete process.env.NFDE_OFFLINE : (process.env.NFDE_OFFLINE = offline)));
  const dir = path.join(root, "ogbn_arxiv").replace(/[.\\]/g, "\\$&");
  const files = "raw/edge\\.csv\\(\\.gz\\), raw/node-feat\\.csv\\(\\.gz\\), raw/node-label\\.csv\\(\\.gz\\), " +
    "split/time/train\\.csv\\(\\.gz\\), split/time/valid\\.csv\\(\\.gz\\), split/time/test\\.csv\\(\\.gz\\)";
  const url = "http://snap\\.stanford\\.edu/ogb/data/nodeproppred/arxiv\\.zip";
  process.env.NFDE_OFFLINE = "1";
  await assert.rejects(loadOgbNode("ogbn-arxiv", { dataDir: root }),
    new RegExp(`OGB ogbn-arxiv: missing ${files} in ${dir} \\(not downloaded: NFDE_OFFLINE=1\\)\\. Download ${url}, unzip it and move its folder arxiv/ to ${dir}.*NFDE_DATA_DIR`));
  assert.throws(() => loadOgbNodeSync("ogbn-products", { dataDir: root }), /missing .*split\/sales_ranking\/test\.csv\(\.gz\) in .*ogbn_products \(not unpacked there\).*products\.zip/);
  assert.equal(ogbZipUrl("ogbn-products"), "http://snap.stanford.edu/ogb/data/nodeproppred/products.zip");
  const s = writeSet(t);
  fs.rmSync(s.file("raw/node-label"));
  fs.rmSync(s.file("split/time/valid"));
  assert.throws(() => loadOgbNodeSync(NAME, { dataDir: s.root }), /OGB ogbn-tiny: missing raw\/node-label\.csv\(\.gz\), split\/time\/valid\.csv\(\.gz\) in .*ogbn_tiny/);
});

test("OGB: the name, the options and the split folder are checked", async (t) => {
  await assert.rejects(loadOgbNode("OGBN_arxiv"), /loadOgbNode: name is "OGBN_arxiv"; allowed: a string of a-z, 0-9 and "-"/);
  assert.throws(() => loadOgbNodeSync("../etc"), /loadOgbNodeSync: name is "\.\.\/etc"; allowed/);
  assert.throws(() => loadOgbNodeSync(NAME, { dataDri: "/x" } as never), /unknown option "dataDri"; allowed: dataDir, split/);
  assert.throws(() => loadOgbNodeSync(NAME, { split: "../x" }), /split is "\.\.\/x"; allowed: a folder name under split\//);
  const s = writeSet(t);
  for (const [part, lines] of Object.entries(SPLIT)) s.write(`split/other/${part}`, [...lines].reverse());
  assert.throws(() => loadOgbNodeSync(NAME, { dataDir: s.root }), /split holds the splits other, time; pass the option split: one of them/);
  assert.deepEqual(loadOgbNodeSync(NAME, { dataDir: s.root, split: "other" }).trainIdx, Int32Array.from([2, 1, 0]));
});

/** A zip archive (APPNOTE 4.3.6: local headers and data, central directory, end record) of stored or deflated files. */
function makeZip(files: { name: string; data: Buffer; stored?: boolean }[]): Buffer {
  const u16 = (v: number) => { const b = Buffer.alloc(2); b.writeUInt16LE(v); return b; };
  const u32 = (v: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(v >>> 0); return b; };
  const parts: Buffer[] = [], central: Buffer[] = [];
  let offset = 0;
  for (const f of files) {
    const body = f.stored ? f.data : zlib.deflateRawSync(f.data);
    const name = Buffer.from(f.name);
    const fields = [u16(0), u16(f.stored ? 0 : 8), u16(0), u16(0x21), u32(zlib.crc32(f.data)), u32(body.length), u32(f.data.length), u16(name.length)];
    const local = Buffer.concat([u32(0x04034b50), u16(20), ...fields, u16(0), name]);
    central.push(Buffer.concat([u32(0x02014b50), u16(20), u16(20), ...fields, u16(0), u16(0), u16(0), u16(0), u32(0), u32(offset), name]));
    parts.push(local, body);
    offset += local.length + body.length;
  }
  const cd = Buffer.concat(central);
  return Buffer.concat([...parts, cd, u32(0x06054b50), u16(0), u16(0), u16(files.length), u16(files.length), u32(cd.length), u32(offset), u16(0)]);
}

const lines = (rows: string[]) => Buffer.from(rows.map((l) => l + "\n").join(""));

/** OGB's layout: tiny/raw/*.csv.gz, tiny/split/time/*.csv.gz, and files the loader does not unpack. */
function tinyZip(replace: Record<string, string[]> = {}): Buffer {
  const stems: Record<string, string[]> = {
    "raw/node-feat": FEATURES, "raw/node-label": LABELS, "raw/edge": EDGES,
    "raw/num-node-list": ["7"], "raw/num-edge-list": [String(EDGES.length)],
    ...Object.fromEntries(Object.entries(SPLIT).map(([part, rows]) => [`split/time/${part}`, rows])),
    ...replace,
  };
  return makeZip([
    { name: "tiny/", data: Buffer.alloc(0), stored: true },
    { name: "tiny/RELEASE_v1.txt", data: Buffer.from("tiny test set\n") },
    { name: "tiny/mapping/nodeidx2paperid.csv.gz", data: zlib.gzipSync(lines(["0,100"])), stored: true },
    ...Object.entries(stems).map(([stem, rows], i) => ({ name: `tiny/${stem}.csv.gz`, data: zlib.gzipSync(lines(rows)), stored: i % 2 === 0 })),
  ]);
}

/** An HTTP server on 127.0.0.1 answering every request with `reply`; `requests` lists the paths asked for. */
async function serve(t: TestContext, reply: (res: http.ServerResponse, url: string) => void): Promise<{ url: (p: string) => string; requests: string[] }> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => { requests.push(req.url ?? ""); reply(res, req.url ?? ""); });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => { server.closeAllConnections(); server.close(); });
  const { port } = server.address() as AddressInfo;
  return { url: (p) => `http://127.0.0.1:${port}${p}`, requests };
}

function sendBytes(bytes: Buffer): (res: http.ServerResponse) => void {
  return (res) => { res.writeHead(200, { "content-type": "application/zip", "content-length": bytes.length }); res.end(bytes); };
}

/** Downloads allowed for this test, NFDE_OFFLINE restored afterwards. */
function online(t: TestContext): void {
  const offline = process.env.NFDE_OFFLINE;
  t.after(() => (offline === undefined ? delete process.env.NFDE_OFFLINE : (process.env.NFDE_OFFLINE = offline)));
  delete process.env.NFDE_OFFLINE;
}

function emptyRoot(t: TestContext): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "nfde-ogb-dl-"));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  return root;
}

/** Every file and folder under root, relative, sorted. */
function tree(root: string): string[] {
  return (fs.readdirSync(root, { recursive: true }) as string[]).sort();
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

test("loadOgbNode downloads OGB's zip, unpacks raw/ and split/ into the data set folder, removes the zip", async (t) => {
  online(t);
  const server = await serve(t, sendBytes(tinyZip()));
  const root = emptyRoot(t);
  const opts = { dataDir: root, zipUrl: server.url("/nodeproppred/tiny.zip") };
  checkTiny(await loadOgbNode(NAME, opts));
  assert.deepEqual(server.requests, ["/nodeproppred/tiny.zip"]);
  const stems = ["edge", "node-feat", "node-label", "num-edge-list", "num-node-list"].map((f) => `ogbn_tiny/raw/${f}.csv.gz`);
  const splits = ["test", "train", "valid"].map((f) => `ogbn_tiny/split/time/${f}.csv.gz`);
  assert.deepEqual(tree(root), ["ogbn_tiny", "ogbn_tiny/raw", ...stems, "ogbn_tiny/split", "ogbn_tiny/split/time", ...splits]);
  checkTiny(loadOgbNodeSync(NAME, { dataDir: root }));
  checkTiny(await loadOgbNode(NAME, opts));
  assert.equal(server.requests.length, 1, "files present: no second download");
});

test("loadOgbNode download: files already there are kept, never overwritten", async (t) => {
  online(t);
  const root = emptyRoot(t);
  const labels = path.join(root, "ogbn_tiny", "raw", "node-label.csv");
  fs.mkdirSync(path.dirname(labels), { recursive: true });
  fs.writeFileSync(labels, lines(["1", "1", "0", "nan", "0", "0", "1"]));
  const server = await serve(t, sendBytes(tinyZip()));
  const d = await loadOgbNode(NAME, { dataDir: root, zipUrl: server.url("/tiny.zip") });
  assert.deepEqual(d.labels, Int32Array.from([1, 1, 0, -1, 0, 0, 1]));
  assert.ok(!fs.existsSync(labels + ".gz"), "the zip's node-label.csv.gz is not unpacked next to the plain file");
});

test("loadOgbNode download: HTTP 404, a corrupted or truncated zip, a zip without the files: the Error names the URL and the missing files; nothing stays", async (t) => {
  online(t);
  const good = tinyZip();
  const corrupted = Buffer.from(good);
  const at = good.indexOf("tiny/raw/node-feat.csv.gz") + "tiny/raw/node-feat.csv.gz".length;
  corrupted[at + 20] ^= 0xff; // inside node-feat's data (a stored gzip file): its CRC-32 no longer matches
  const replies: Record<string, (res: http.ServerResponse) => void> = {
    "/corrupted.zip": sendBytes(corrupted),
    "/truncated.zip": sendBytes(good.subarray(0, good.length >> 1)),
    "/empty.zip": sendBytes(makeZip([{ name: "tiny/RELEASE_v1.txt", data: Buffer.from("no files") }])),
  };
  const server = await serve(t, (res, url) => (replies[url] ? replies[url](res) : (res.writeHead(404), res.end("not found"))));
  const root = emptyRoot(t);
  const kept = path.join(root, "ogbn_tiny", "split", "time", "notes.txt");
  fs.mkdirSync(path.dirname(kept), { recursive: true });
  fs.writeFileSync(kept, "mine");
  const before = tree(root);
  const dir = escape(path.join(root, "ogbn_tiny"));
  const missing = "raw/edge\\.csv\\(\\.gz\\), raw/node-feat\\.csv\\(\\.gz\\), raw/node-label\\.csv\\(\\.gz\\), split/time/train";
  const cases: [string, string][] = [
    ["/missing.zip", "download from URL failed: HTTP 404"],
    ["/corrupted.zip", 'unpacking the zip downloaded from URL failed: zip .*: entry "tiny/raw/node-feat\\.csv\\.gz": CRC-32 of the unpacked bytes'],
    ["/truncated.zip", "unpacking the zip downloaded from URL failed: zip .*: no End Of Central Directory record"],
    ["/empty.zip", "the zip downloaded from URL holds none of them under <folder>/raw/ and <folder>/split/"],
  ];
  for (const [p, why] of cases) {
    const url = escape(server.url(p));
    await assert.rejects(loadOgbNode(NAME, { dataDir: root, zipUrl: server.url(p) }),
      new RegExp(`^Error: OGB ogbn-tiny: missing ${missing}.* in ${dir} \\(${why.replace("URL", url)}.*\\)\\. Download ${url}, unzip it`));
    assert.deepEqual(tree(root), before, `${p}: nothing new in the data folder`);
  }
  assert.equal(fs.readFileSync(kept, "utf8"), "mine");
});

test("loadOgbNode download: a file that fails validation after unpacking: the unpacked files are removed and the Error says so", async (t) => {
  online(t);
  const server = await serve(t, sendBytes(tinyZip({ "raw/edge": ["0,1", "1,9"] })));
  const root = emptyRoot(t);
  const url = server.url("/tiny.zip");
  await assert.rejects(loadOgbNode(NAME, { dataDir: root, zipUrl: url, downloadTimeoutMs: 5000 }),
    new RegExp(`^Error: OGB ${escape(path.join(root, "ogbn_tiny", "raw", "edge.csv.gz"))}: line 2, field 2 holds "9"; expected a node id in \\[0, 7\\).* ` +
      `\\[validation failed right after downloading ${escape(url)} and unpacking it into ${escape(path.join(root, "ogbn_tiny"))}; the unpacked files were removed`));
  assert.deepEqual(tree(root), []);
});

test("loadOgbNode download: NFDE_OFFLINE=1 makes no request; a server that stalls mid-body hits downloadTimeoutMs; the options are checked", async (t) => {
  online(t);
  const server = await serve(t, (res, url) => { if (url === "/slow.zip") { res.writeHead(200); res.write(tinyZip().subarray(0, 100)); } else sendBytes(tinyZip())(res); });
  const root = emptyRoot(t);
  process.env.NFDE_OFFLINE = "1";
  await assert.rejects(loadOgbNode(NAME, { dataDir: root, zipUrl: server.url("/tiny.zip") }),
    new RegExp(`\\(not downloaded: NFDE_OFFLINE=1\\)\\. Download ${escape(server.url("/tiny.zip"))}, unzip it`));
  assert.deepEqual(server.requests, []);
  assert.deepEqual(tree(root), []);
  delete process.env.NFDE_OFFLINE;
  await assert.rejects(loadOgbNode(NAME, { dataDir: root, zipUrl: server.url("/slow.zip"), downloadTimeoutMs: 300 }),
    /\(download from http:\/\/127\.0\.0\.1:\d+\/slow\.zip failed: timed out: no data for 300 ms\)/);
  assert.deepEqual(tree(root), []);
  await assert.rejects(loadOgbNode(NAME, { dataDir: root, zipUrl: "ftp://example.org/x.zip" }), /loadOgbNode: zipUrl is "ftp:\/\/example\.org\/x\.zip"; allowed: an http:\/\/ or https:\/\/ URL/);
  await assert.rejects(loadOgbNode(NAME, { dataDir: root, downloadTimeoutMs: 0 }), /loadOgbNode: downloadTimeoutMs is 0; allowed: a number of milliseconds > 0/);
  assert.throws(() => loadOgbNodeSync(NAME, { dataDir: root, url: "x" } as never), /unknown option "url"; allowed: dataDir, split, downloadTimeoutMs, zipUrl/);
  assert.equal(server.requests.length, 1);
});

test("symmetrize: both directions, no self loops, no duplicates, sorted by (src, dst); agrees with a set-based reference", () => {
  const s = symmetrize({ src: EDGES.map((e) => Number(e.split(",")[0])), dst: EDGES.map((e) => Number(e.split(",")[1])) }, 7);
  const pairs = [[0, 1], [0, 2], [1, 0], [1, 2], [2, 0], [2, 1], [3, 4], [3, 6], [4, 3], [4, 5], [5, 4], [5, 6], [6, 3], [6, 5]];
  assert.deepEqual(s.src, Int32Array.from(pairs.map((p) => p[0])));
  assert.deepEqual(s.dst, Int32Array.from(pairs.map((p) => p[1])));
  let seed = 7;
  const rand = (k: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648) % k);
  const n = 40;
  const src = Array.from({ length: 300 }, () => rand(n));
  const dst = Array.from({ length: 300 }, () => rand(n));
  const ref = new Set<number>();
  src.forEach((u, e) => { if (u !== dst[e]) { ref.add(u * n + dst[e]); ref.add(dst[e] * n + u); } });
  const keys = [...ref].sort((a, b) => a - b);
  const r = symmetrize({ src, dst }, n);
  assert.deepEqual([...r.src], keys.map((k) => Math.floor(k / n)));
  assert.deepEqual([...r.dst], keys.map((k) => k % n));
  assert.deepEqual(symmetrize({ src: [], dst: [] }, 3), { src: new Int32Array(0), dst: new Int32Array(0) });
  assert.throws(() => symmetrize({ src: [0, 5], dst: [1, 2] }, 5), /symmetrize: edge 1 is \(5, 2\); allowed: node ids in \[0, 5\)/);
});
