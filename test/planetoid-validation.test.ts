// Each test writes a corrupted copy of the real Planetoid files into a fresh temp folder and checks that
// loading it throws an Error naming the file, the value found and what was expected.
import { test, TestContext } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadPlanetoid, loadPlanetoidSync, readPickle, dataDir, PLANETOID_FILES, NdArray, PyObject, DefaultDict } from "../src/data";
import type { PlanetoidName, PlanetoidOptions } from "../src/data";
import { skipWithoutPlanetoid } from "./helpers/data";

const RAW_URL = "https://github.com/kimiyoung/planetoid/raw/master/data";
const cora = { skip: skipWithoutPlanetoid("cora") };
const citeseer = { skip: skipWithoutPlanetoid("citeseer") };

interface Copy { root: string; file: (ext: string) => string }

/** The eight real files of `name`, copied (writable) into a fresh temp data root removed after the test. */
function copyOfReal(t: TestContext, name: PlanetoidName = "cora", skip: string[] = []): Copy {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "nfde-corrupt-"));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  const file = (ext: string) => path.join(root, "planetoid", `ind.${name}.${ext}`);
  fs.mkdirSync(path.join(root, "planetoid"));
  for (const ext of PLANETOID_FILES.filter((e) => !skip.includes(e))) {
    fs.copyFileSync(path.join(dataDir(), "planetoid", `ind.${name}.${ext}`), file(ext));
    fs.chmodSync(file(ext), 0o644);
  }
  return { root, file };
}

function load(c: Copy, name: PlanetoidName = "cora", opts: PlanetoidOptions = {}) {
  return loadPlanetoidSync(name, { dataDir: c.root, ...opts });
}

/** Asserts that fn throws an Error whose message starts with "Planetoid <file>: " and matches re. */
function throwsNaming(fn: () => unknown, file: string, re: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof Error, `threw ${String(e)}, not an Error`);
    assert.ok(e.message.startsWith(`Planetoid ${file}: `), `the message does not start with the file:\n${e.message}`);
    assert.match(e.message, re);
    return true;
  });
}

// A protocol-2 pickle writer for the values readPickle returns: enough to write the raw files back after a
// test changed one value (the round-trip test below shows it writes what it read).
class Tuple { constructor(readonly items: unknown[]) {} }
class Emit { constructor(readonly write: () => void) {} }

function writePickle(value: unknown): Buffer {
  const out: Buffer[] = [Buffer.from([0x80, 2])];
  const op = (...b: number[]) => out.push(Buffer.from(b));
  const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(n); out.push(b); };
  const global = (qualified: string) => out.push(Buffer.from(`c${qualified.replace(" ", "\n")}\n`, "latin1"));
  const items = (xs: Iterable<unknown>, close: number) => { op(0x28); for (const x of xs) w(x); op(close); };
  const dtype = (name: string) => new Emit(() => {
    global("numpy dtype"); w(new Tuple([name, 0, 1])); op(0x52);
    w(new Tuple([3, "<", null, null, null, -1, -1, 0])); op(0x62);
  });
  const w = (x: unknown): void => {
    const kind = (x as { kind?: string } | null)?.kind;
    if (x === null || x === undefined) op(0x4e);
    else if (x instanceof Emit) x.write();
    else if (typeof x === "boolean") op(x ? 0x88 : 0x89);
    else if (typeof x === "number" && Number.isInteger(x)) { op(0x4a); const b = Buffer.alloc(4); b.writeInt32LE(x); out.push(b); }
    else if (typeof x === "number") { op(0x47); const b = Buffer.alloc(8); b.writeDoubleBE(x); out.push(b); }
    else if (typeof x === "string" || x instanceof Uint8Array) { // BINSTRING
      const b = typeof x === "string" ? Buffer.from(x, "latin1") : Buffer.from(x);
      op(0x54); u32(b.length); out.push(b);
    } else if (x instanceof Tuple) items(x.items, 0x74);
    else if (Array.isArray(x)) { op(0x5d); items(x, 0x65); }
    else if (x instanceof Map) { op(0x7d); items([...x].flat(), 0x75); }
    else if (kind === "defaultdict") {
      global("collections defaultdict"); global("__builtin__ list"); op(0x85, 0x52);
      items([...(x as DefaultDict).map].flat(), 0x75);
    } else if (kind === "ndarray") { // _reconstruct(ndarray, (0,), 'b'), then BUILD with (1, shape, dtype, fortran, bytes)
      const a = x as NdArray;
      global("numpy.core.multiarray _reconstruct");
      w(new Tuple([new Emit(() => global("numpy ndarray")), new Tuple([0]), "b"])); op(0x52);
      const bytes = new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength);
      w(new Tuple([1, new Tuple(a.shape), dtype(a.dtype), a.fortran, bytes])); op(0x62);
    } else if (kind === "object") { // cls.__new__(cls), then BUILD with its state
      global((x as PyObject).className); op(0x29, 0x81); w((x as PyObject).state); op(0x62);
    } else throw new Error(`writePickle: cannot write ${String(x)}`);
  };
  w(value);
  op(0x2e);
  return Buffer.concat(out);
}

/** Reads a raw pickle of the copy, lets `edit` change the value (or return a new one), writes it back. */
function rewrite(c: Copy, ext: string, edit: (v: any) => unknown): void {
  const v = readPickle(fs.readFileSync(c.file(ext)), c.file(ext));
  fs.writeFileSync(c.file(ext), writePickle(edit(v) ?? v));
}

function editLines(file: string, edit: (lines: string[]) => void): void {
  const lines = fs.readFileSync(file, "latin1").split("\n");
  edit(lines);
  fs.writeFileSync(file, lines.join("\n"), "latin1");
}

const csrData = (m: PyObject) => (m.state as Map<string, NdArray>).get("data")!.data as Float32Array;

test("the test's pickle writer writes back what it read: rewritten files load into the same data set", cora, (t) => {
  const c = copyOfReal(t);
  const real = load(c);
  for (const ext of ["x", "y", "tx", "ty", "allx", "ally", "graph"]) rewrite(c, ext, () => {});
  assert.deepEqual(load(c, "cora", { verifyChecksums: false }), real);
  // the bytes differ from the published files, which the checksum check reports
  throwsNaming(() => load(c), c.file("x"), /SHA-256 is [0-9a-f]{64}; expected 23cfa55d[0-9a-f]{56}, that of the file published in kimiyoung\/planetoid/);
});

test("test.index: an id far out of range (999999) names the line, the id and the allowed range", cora, (t) => {
  const c = copyOfReal(t);
  editLines(c.file("test.index"), (lines) => { lines[16] = "999999"; });
  throwsNaming(() => load(c), c.file("test.index"),
    /node id 999999 at line 17 is outside 1708\.\.2707 \(test ids follow the 1708 rows of ind\.cora\.allx and end at the last of the 2708 nodes of ind\.cora\.graph\)/);
});

test("test.index: the bounds of the range, a duplicate, a non-integer and a wrong count", cora, (t) => {
  const c = copyOfReal(t);
  const original = fs.readFileSync(c.file("test.index"));
  const expectOn = (edit: (lines: string[]) => void, re: RegExp) => {
    fs.writeFileSync(c.file("test.index"), original);
    editLines(c.file("test.index"), edit);
    throwsNaming(() => load(c), c.file("test.index"), re);
  };
  expectOn((l) => { l[3] = "2708"; }, /node id 2708 at line 4 is outside 1708\.\.2707/);
  expectOn((l) => { l[3] = "1707"; }, /node id 1707 at line 4 is outside 1708\.\.2707/);
  expectOn((l) => { l[5] = l[2]; }, new RegExp(`node id ${original.toString().split("\n")[2]} at line 6 repeats line 3; expected distinct ids`));
  expectOn((l) => { l[9] = "17.5"; }, /line 10 holds "17\.5"; expected one node id \(a non-negative integer\) per line/);
  expectOn((l) => { l[9] = "-3"; }, /line 10 holds "-3"; expected one node id/);
  expectOn((l) => { l.splice(0, 1); }, /999 node ids; expected 1000, one per row of \S+ind\.cora\.tx/);
});

test("Citeseer test.index: the 15 isolated ids still pad, but an id past the last node fails", citeseer, (t) => {
  const c = copyOfReal(t, "citeseer");
  assert.equal(load(c, "citeseer").numNodes, 3327);
  const original = fs.readFileSync(c.file("test.index"));
  editLines(c.file("test.index"), (lines) => { lines[0] = "3327"; });
  throwsNaming(() => load(c, "citeseer"), c.file("test.index"), /node id 3327 at line 1 is outside 2312\.\.3326/);
  // the first node after allx (2312) swapped for an isolated id: the padded range no longer starts at 2312
  const ids = original.toString().trim().split("\n").map(Number);
  const isolated = Array.from({ length: 3327 - 2312 }, (_, i) => 2312 + i).find((id) => !ids.includes(id))!;
  fs.writeFileSync(c.file("test.index"), original);
  editLines(c.file("test.index"), (lines) => { lines[ids.indexOf(2312)] = String(isolated); });
  throwsNaming(() => load(c, "citeseer"), c.file("test.index"),
    /the ids span 2313\.\.3326; expected 2312\.\.3326, from the first node after the allx rows to the last node of \S+ind\.citeseer\.graph/);
});

test("y replaced by ty (1000 label rows for 140 training rows) names both files", cora, (t) => {
  const c = copyOfReal(t);
  fs.copyFileSync(c.file("ty"), c.file("y"));
  throwsNaming(() => load(c), c.file("y"),
    new RegExp(`1000 rows, but ${c.file("x").replace(/[.\\/]/g, "\\$&")} has 140; expected the same number \\(one label row per feature row\\)`));
});

test("x truncated to half its bytes names the file and the byte offset where parsing stopped", cora, (t) => {
  const c = copyOfReal(t);
  const bytes = fs.readFileSync(c.file("x"));
  const half = Math.floor(bytes.length / 2);
  fs.writeFileSync(c.file("x"), bytes.subarray(0, half));
  throwsNaming(() => load(c), c.file("x"), new RegExp(`not a valid pickle, parsing failed at byte \\d+: truncated: needs \\d+ bytes, the file ends at byte ${half}$`));
  try { load(c); } catch (e) {
    const at = Number(/parsing failed at byte (\d+)/.exec((e as Error).message)![1]);
    assert.ok(at > 0 && at <= half, `offset ${at} is not inside the ${half} bytes`);
  }
});

test("garbled pickle bytes: a bad opcode, a missing STOP, bytes after STOP, each with its offset", cora, (t) => {
  const c = copyOfReal(t);
  const patch = (ext: string, edit: (b: Buffer) => Buffer) => {
    const b = edit(Buffer.from(fs.readFileSync(path.join(dataDir(), "planetoid", `ind.cora.${ext}`))));
    fs.writeFileSync(c.file(ext), b);
    return b;
  };
  patch("ally", (b) => { b[2] = 0xff; return b; });
  throwsNaming(() => load(c), c.file("ally"), /not a valid pickle, parsing failed at byte 2: opcode 0xff \("ÿ"\) is not supported/);
  fs.copyFileSync(path.join(dataDir(), "planetoid", "ind.cora.ally"), c.file("ally"));

  const y = patch("y", (b) => { b[b.length - 1] = 0x78; return b; }); // STOP -> "x"
  throwsNaming(() => load(c), c.file("y"), new RegExp(`parsing failed at byte ${y.length - 1}: opcode 0x78 \\("x"\\) is not supported`));
  const cut = patch("y", (b) => b.subarray(0, b.length - 1));
  throwsNaming(() => load(c), c.file("y"), new RegExp(`parsing failed at byte ${cut.length}: the file ends without a STOP opcode \\(truncated\\?\\)`));
  const y3 = patch("y", (b) => Buffer.concat([b, Buffer.from("\n\n\n")]));
  throwsNaming(() => load(c), c.file("y"), new RegExp(`parsing failed at byte ${y3.length - 3}: 3 bytes after the STOP opcode; expected the file to end there`));
});

test("graph: an out-of-range or negative neighbour id, a missing node and a non-list entry", cora, (t) => {
  const c = copyOfReal(t);
  const original = fs.readFileSync(c.file("graph"));
  const expectOn = (edit: (g: DefaultDict) => void, re: RegExp) => {
    fs.writeFileSync(c.file("graph"), original);
    rewrite(c, "graph", edit);
    throwsNaming(() => load(c), c.file("graph"), re);
  };
  expectOn((g) => { (g.map.get(5) as number[]).push(2708); }, /node 5 lists neighbour 2708 \(position \d+\); expected ids in 0\.\.2707 \(the graph has 2708 nodes\)/);
  expectOn((g) => { (g.map.get(5) as number[]).unshift(-1); }, /node 5 lists neighbour -1 \(position 0\); expected ids in 0\.\.2707/);
  expectOn((g) => { g.map.delete(100); }, /2707 keys running up to 2707, node 100 has no entry; expected one entry per node 0\.\.N-1/);
  expectOn((g) => { g.map.set(7, 12); }, /node 7 maps to the number 12; expected a list of neighbour ids/);
  expectOn((g) => { g.map.clear(); for (let i = 0; i < 100; i++) g.map.set(i, []); },
    /100 nodes; expected at least 2708, the rows of \S+ind\.cora\.allx and \S+ind\.cora\.tx/);
});

test("features: tx wider than allx, a column index out of range, a non-finite or negative value, a CSR length mismatch", cora, (t) => {
  const c = copyOfReal(t);
  const originals = new Map(["x", "tx", "allx"].map((e) => [e, fs.readFileSync(c.file(e))]));
  const expectOn = (ext: string, edit: (m: PyObject) => void, re: RegExp) => {
    for (const [e, b] of originals) fs.writeFileSync(c.file(e), b);
    rewrite(c, ext, edit);
    throwsNaming(() => load(c), c.file(ext), re);
  };
  const state = (m: PyObject) => m.state as Map<string, unknown>;
  expectOn("tx", (m) => { state(m).set("_shape", [1000, 1434]); },
    /1434 feature columns, but \S+ind\.cora\.allx has 1433; expected the same number/);
  expectOn("x", (m) => { (state(m).get("indices") as NdArray).data[0] = 1433; },
    /CSR column index 1433 \(entry 0, row 0\) is outside 0\.\.1432/);
  expectOn("tx", (m) => { csrData(m)[10] = NaN; }, /row \d+, column \d+ holds NaN; expected a finite float32 value/);
  expectOn("allx", (m) => { csrData(m)[0] = -1; }, /row 0, column \d+ holds -1; expected a non-negative feature value/);
  expectOn("allx", (m) => {
    const d = state(m).get("data") as NdArray;
    state(m).set("data", { ...d, shape: [d.shape[0] - 1], data: d.data.subarray(0, d.shape[0] - 1) });
  }, /CSR indptr ends at (\d+), indices has \1 entries and data \d+; expected all three equal/);
  expectOn("allx", (m) => { state(m).set("indptr", "oops"); }, /CSR indptr is the string "oops"; expected a 1-D numpy array/);
  expectOn("x", (m) => { state(m).set("_shape", [140]); }, /CSR _shape is \[140\]; expected two non-negative integers \(rows, columns\)/);
});

test("allx with fewer rows than the 140 training + 500 validation nodes need names x and allx", cora, (t) => {
  const c = copyOfReal(t);
  const keep = 600;
  rewrite(c, "allx", (m: PyObject) => {
    const st = m.state as Map<string, unknown>;
    const indptr = st.get("indptr") as NdArray;
    const nnz = indptr.data[keep] as number;
    const cut = (key: string, n: number) => { const a = st.get(key) as NdArray; st.set(key, { ...a, shape: [n], data: a.data.slice(0, n) }); };
    cut("indptr", keep + 1); cut("indices", nnz); cut("data", nnz);
    st.set("_shape", [keep, 1433]);
  });
  rewrite(c, "ally", (a: NdArray) => { a.shape = [keep, 7]; a.data = a.data.slice(0, keep * 7); });
  throwsNaming(() => load(c), c.file("x"),
    /140 training rows \+ 500 validation rows exceed the 600 rows of \S+ind\.cora\.allx; expected x rows \+ 500 <= allx rows/);
});

test("labels: a row that is not one-hot, a class count that differs, y not the first rows of ally", cora, (t) => {
  const c = copyOfReal(t);
  const originals = new Map(["y", "ty", "ally"].map((e) => [e, fs.readFileSync(c.file(e))]));
  const expectOn = (ext: string, edit: (a: NdArray) => unknown, re: RegExp) => {
    for (const [e, b] of originals) fs.writeFileSync(c.file(e), b);
    rewrite(c, ext, edit);
    throwsNaming(() => load(c), c.file(ext), re);
  };
  expectOn("y", (a) => { a.data[0] = 2; }, /row 0, column 0 holds 2; expected 0 or 1 \(one-hot label rows\)/);
  const i32 = (a: NdArray) => a.data as Int32Array; // the label files are int32
  expectOn("ally", (a) => { i32(a).fill(0, 7, 14); }, /row 1 has 0 ones among its 7 columns; expected a one-hot label row \(exactly one 1\)/);
  expectOn("ty", (a) => { i32(a).fill(1, 0, 2); i32(a).fill(0, 2, 7); }, /row 0 has 2 ones among its 7 columns/);
  expectOn("ty", (a) => {
    const rows = a.shape[0];
    const wider = new Int32Array(rows * 8);
    for (let r = 0; r < rows; r++) wider.set(i32(a).subarray(r * 7, (r + 1) * 7), r * 8);
    a.shape = [rows, 8];
    a.data = wider;
  }, /8 classes \(label columns\), but \S+ind\.cora\.ally has 7; expected the same number/);
  expectOn("y", (a) => { i32(a).set(i32(a).subarray(7, 14), 0); }, // row 0 takes row 1's class (3 -> 4)
    /row 0, column 3 holds 0, but row 0 of \S+ind\.cora\.ally holds 1; expected the 140 rows to be the first rows of/);
  expectOn("y", () => new Map([["a", 1]]), /holds a dict of 1 entries; expected a scipy CSR matrix or a 2-D numpy array/);
  expectOn("y", (a) => { a.shape = [140 * 7]; }, /numpy array of shape \[980\]; expected a C-ordered 2-D array/);
});

test("a missing file: the error names it, the folder and NFDE_DATA_DIR", cora, (t) => {
  const c = copyOfReal(t);
  fs.rmSync(c.file("ty"));
  assert.throws(() => load(c), (e: Error) => {
    assert.match(e.message, /^Planetoid cora: missing ind\.cora\.ty in /);
    assert.ok(e.message.includes(path.join(c.root, "planetoid")), e.message);
    assert.match(e.message, /set NFDE_DATA_DIR to a folder whose planetoid\/ subfolder holds them/);
    assert.doesNotMatch(e.message, /ind\.cora\.x\b/);
    return true;
  });
});

test("single bytes changed anywhere in any of the eight files: every load throws naming that file", cora, (t) => {
  const c = copyOfReal(t);
  let seed = 12345;
  const next = (n: number) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
  for (const ext of PLANETOID_FILES) {
    const original = fs.readFileSync(c.file(ext));
    for (let k = 0; k < 2; k++) {
      const b = Buffer.from(original);
      const at = next(b.length);
      b[at] = (b[at] + 1 + next(255)) % 256;
      fs.writeFileSync(c.file(ext), b);
      assert.throws(() => load(c), (e: Error) => e instanceof Error && e.message.startsWith(`Planetoid ${c.file(ext)}: `),
        `ind.cora.${ext} with byte ${at} changed`);
    }
    fs.writeFileSync(c.file(ext), original);
  }
});

test("nothing is cached: a failed load, the file repaired, then a good load, then the corruption again", cora, (t) => {
  const c = copyOfReal(t);
  const good = fs.readFileSync(c.file("ty"));
  fs.copyFileSync(c.file("y"), c.file("ty"));
  throwsNaming(() => load(c), c.file("ty"), /140 rows, but \S+ind\.cora\.tx has 1000/);
  fs.writeFileSync(c.file("ty"), good);
  assert.equal(load(c).numNodes, 2708);
  fs.copyFileSync(c.file("y"), c.file("ty"));
  throwsNaming(() => load(c), c.file("ty"), /140 rows, but \S+ind\.cora\.tx has 1000/);
});

/** Runs fn with globalThis.fetch serving `serve(url)`; returns the URLs asked for. */
async function withFetch(serve: (url: string) => Response, fn: () => Promise<void>): Promise<string[]> {
  const real = globalThis.fetch;
  const urls: string[] = [];
  globalThis.fetch = async (input: string | URL | Request) => { urls.push(String(input)); return serve(String(input)); };
  try { await fn(); } finally { globalThis.fetch = real; }
  return urls;
}

test("download: a missing file is fetched into the data root and kept when the set validates", cora, async (t) => {
  const c = copyOfReal(t, "cora", ["ty"]);
  const ty = fs.readFileSync(path.join(dataDir(), "planetoid", "ind.cora.ty"));
  const urls = await withFetch(() => new Response(ty), async () => {
    assert.equal((await loadPlanetoid("cora", { dataDir: c.root })).numNodes, 2708);
  });
  assert.deepEqual(urls, [`${RAW_URL}/ind.cora.ty`]);
  assert.deepEqual(fs.readFileSync(c.file("ty")), ty);
  assert.ok(!fs.existsSync(c.file("ty") + ".part"));
});

test("download: a corrupt download fails naming the file, says it was just downloaded, and is removed", cora, async (t) => {
  const c = copyOfReal(t, "cora", ["ty"]);
  await withFetch(() => new Response("<html>rate limited</html>"), async () => {
    await assert.rejects(loadPlanetoid("cora", { dataDir: c.root }), (e: Error) => {
      assert.ok(e.message.startsWith(`Planetoid ${c.file("ty")}: not a valid pickle, parsing failed at byte `), e.message);
      assert.match(e.message, /\[validation failed right after downloading ind\.cora\.ty from https:\/\/github\.com\/kimiyoung\/planetoid\/raw\/master\/data; the downloaded files were removed from \S+, so the next load downloads them again\]/);
      return true;
    });
  });
  assert.deepEqual(fs.readdirSync(path.join(c.root, "planetoid")).sort(),
    PLANETOID_FILES.filter((e) => e !== "ty").map((e) => `ind.cora.${e}`).sort(), "the corrupt download (or a .part) is still there");
});

test("download: an HTTP error names the missing files, the folder and NFDE_DATA_DIR, and leaves nothing behind", cora, async (t) => {
  const c = copyOfReal(t, "cora", ["x", "graph"]);
  await withFetch(() => new Response("Not Found", { status: 404 }), async () => {
    await assert.rejects(loadPlanetoid("cora", { dataDir: c.root }),
      /Planetoid cora: missing ind\.cora\.x, ind\.cora\.graph in \S+ \(download from https:\/\/github\.com\/kimiyoung\/planetoid\/raw\/master\/data failed: HTTP 404\)\. .*NFDE_DATA_DIR/);
  });
  assert.ok(!fs.existsSync(c.file("x")) && !fs.existsSync(c.file("graph")));
});
