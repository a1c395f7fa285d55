// Planetoid citation graphs (Cora, Citeseer, Pubmed) from the raw files of kimiyoung/planetoid, assembled
// as in Kipf & Welling's GCN loader (public split). Returns plain typed arrays; planetoidTensors makes tensors.
// Each of the eight raw files is parsed and checked, alone and against the others, before anything is
// assembled: a bad file throws an Error naming the file, the value found and what was expected.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { tf } from "../backend";
import { readPickle, PickleError, NdArray, PyObject, DefaultDict } from "./pickle";
import { datasetDir } from "./paths";
import { download, removeDownloads } from "./download";
import type { NodeDataset } from "./node-dataset";

export type PlanetoidName = "cora" | "citeseer" | "pubmed";
export const PLANETOID_NAMES: readonly PlanetoidName[] = ["cora", "citeseer", "pubmed"];
export const PLANETOID_FILES = ["x", "y", "tx", "ty", "allx", "ally", "graph", "test.index"] as const;
const RAW_URL = "https://github.com/kimiyoung/planetoid/raw/master/data";

export interface PlanetoidOptions {
  /** Divide each feature row by its sum (rows of zeros stay zero). Default true. */
  normalizeFeatures?: boolean;
  /** Data root (the files are read from <dataDir>/planetoid/). Default $NFDE_DATA_DIR, else <package>/data. */
  dataDir?: string;
  /** Download timeout per file in ms (loadPlanetoid only). Default 30000. */
  downloadTimeoutMs?: number;
  /** Check each file's SHA-256 against the file published in kimiyoung/planetoid (known for Cora and Citeseer). Default true. */
  verifyChecksums?: boolean;
}

/** Edges: symmetric, de-duplicated, no self loops, sorted by (src, dst); every node labelled. */
export interface Planetoid extends NodeDataset {
  name: PlanetoidName;
}

const VAL_SIZE = 500;

// SHA-256 of the raw files published in kimiyoung/planetoid (data/, commit af6abf468a77). Pubmed's are not
// recorded, so its files get the structural checks only.
const PUBLISHED_SHA256: Partial<Record<PlanetoidName, Record<(typeof PLANETOID_FILES)[number], string>>> = {
  cora: {
    x: "23cfa55d91c6f624233f5eb7b6e3f141f1bd2b2ae39608a63cf5d084bb27baab",
    y: "94465c14eb53e04ca262198dcbb2521ee8af60fb3f3d546cd6ca24a511b0e7d1",
    tx: "b9afbaa4a400df991f6f02ef677e1e44da55ffc04801fd02f9e673987829226a",
    ty: "41f5ac76596a1699cc33f53084a2419e92961c42bb75f36fc38e616d348532ad",
    allx: "9419ba2f26f5c35243db64aba110e0f35a04851609e0dc5433450676ca6b8543",
    ally: "2b998f5cc7fedc86e7f97ca2498f47a1ffc1462c29e2d578b23bf3f62b6e7d71",
    graph: "58f13302f39dde8852dad6fe6d15b89b077b6d7f837626bce671ef80344b383d",
    "test.index": "297ce89af2b51a6a194181c7dbe1796c6a1cf9cd9349a88383b1b1e227867875",
  },
  citeseer: {
    x: "d20de19150741e555de0ed037195630fc194114ebc7fd72ced62810148aa22f6",
    y: "8ba87e515d8e3ee3cf52f6d2c5b86aa73f11ecad825a808455209ec26cd54924",
    tx: "539a8906a2da97628d212f2fdd668c109a8b3f0d36574b59e5d3fd5b5303da21",
    ty: "55e5bd1ba1e733a04598753ad1a8d57957f4b8f89e74519f41f4f4938767e4ce",
    allx: "2ac30345d95c9ec933a817ee0bdd6a5f077f8c184a20e696910192d534414668",
    ally: "f704b2d986dde6c2669934de1f3ae5696a6cf9455c0f6b2646a2d135ea0a1c95",
    graph: "d79a4ef9d3e7169aee8946145f6b7306e35bc79bffad26346cfb94e10e9912a7",
    "test.index": "2af990671580b6b2df5d158d1038f8292e30c9cd821b5453f399659b25b723d4",
  },
};

/** A raw matrix file as a dense float32 matrix, with the file it came from. */
interface Matrix { file: string; rows: number; cols: number; data: Float32Array }

interface RawPlanetoid {
  x: Matrix; y: Matrix; tx: Matrix; ty: Matrix; allx: Matrix; ally: Matrix;
  graph: Map<number, number[]>;
  testIdx: number[];
}

function checkName(name: string): asserts name is PlanetoidName {
  if (!PLANETOID_NAMES.includes(name as PlanetoidName)) {
    throw new Error(`loadPlanetoid: name is "${name}"; allowed: ${PLANETOID_NAMES.join(", ")}`);
  }
}

function rawPath(dir: string, name: string, ext: string): string {
  return path.join(dir, `ind.${name}.${ext}`);
}

function missingFiles(dir: string, name: string): string[] {
  return PLANETOID_FILES.map((e) => rawPath(dir, name, e)).filter((f) => !fs.existsSync(f));
}

function missingError(dir: string, name: string, missing: string[], why: string): Error {
  return new Error(
    `Planetoid ${name}: missing ${missing.map((f) => path.basename(f)).join(", ")} in ${dir} (${why}). ` +
    `Put the raw files of github.com/kimiyoung/planetoid (data/ind.${name}.*) there, or set NFDE_DATA_DIR ` +
    `to a folder whose planetoid/ subfolder holds them (see data/README.md).`);
}

function invalid(file: string, what: string): Error {
  return new Error(`Planetoid ${file}: ${what}`);
}

function readBytes(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    throw invalid(file, `cannot be read (${(e as Error).message})`);
  }
}

function readPickleFile(file: string): unknown {
  try {
    return readPickle(readBytes(file), file);
  } catch (e) {
    if (!(e instanceof PickleError)) throw e;
    throw new Error(`Planetoid ${file}: not a valid pickle, parsing failed at byte ${e.offset}: ${e.reason}`, { cause: e });
  }
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (Array.isArray(v)) return `a sequence of ${v.length} values`;
  if (v instanceof Map) return `a dict of ${v.size} entries`;
  const kind = (v as { kind?: string }).kind;
  if (kind === "object") return `a ${(v as PyObject).className} object`;
  if (kind === "ndarray") return `a numpy array of shape [${(v as NdArray).shape}]`;
  if (kind) return `a ${kind}`;
  return typeof v === "string" ? `the string ${quote(v.slice(0, 20))}` : `the ${typeof v} ${String(v)}`;
}

/** A string in double quotes with every byte outside printable ASCII shown as \xNN. */
function quote(s: string): string {
  return `"${s.replace(/[^\x20-\x7e]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, "0")}`)}"`;
}

function isNdarray(v: unknown): v is NdArray {
  return Boolean(v) && (v as NdArray).kind === "ndarray";
}

function isCsr(v: unknown): v is PyObject {
  return Boolean(v) && (v as PyObject).kind === "object" && (v as PyObject).className.endsWith("csr_matrix");
}

function toNumbers(a: NdArray): Float64Array | Int32Array | Float32Array {
  if (a.data instanceof BigInt64Array || a.data instanceof BigUint64Array) return Float64Array.from(a.data, Number);
  return a.data instanceof Float32Array || a.data instanceof Float64Array || a.data instanceof Int32Array
    ? a.data : Float64Array.from(a.data as ArrayLike<number>);
}

function arrayToDense(a: NdArray, file: string): Matrix {
  if (a.shape.length !== 2 || a.fortran) {
    throw invalid(file, `numpy array of shape [${a.shape}]${a.fortran ? " in Fortran order" : ""}; expected a C-ordered 2-D array`);
  }
  return { file, rows: a.shape[0], cols: a.shape[1], data: Float32Array.from(toNumbers(a)) };
}

function csrField(obj: PyObject, key: string, file: string): unknown {
  if (!(obj.state instanceof Map)) {
    throw invalid(file, `the CSR matrix state is ${describe(obj.state)}; expected a dict with _shape, indptr, indices, data`);
  }
  return obj.state.get(key);
}

function csrShape(obj: PyObject, file: string): [number, number] {
  const shape = csrField(obj, "_shape", file);
  if (!Array.isArray(shape) || shape.length !== 2 || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw invalid(file, `CSR _shape is ${JSON.stringify(shape)}; expected two non-negative integers (rows, columns)`);
  }
  return shape as [number, number];
}

function csrVector(obj: PyObject, key: string, file: string): Float64Array | Int32Array | Float32Array {
  const v = csrField(obj, key, file);
  if (!isNdarray(v) || v.shape.length !== 1) throw invalid(file, `CSR ${key} is ${describe(v)}; expected a 1-D numpy array`);
  return toNumbers(v);
}

// CSR: row r holds the entries indptr[r] .. indptr[r+1]-1 of indices (columns) and data (values).
function checkIndptr(indptr: ArrayLike<number>, rows: number, nnz: number[], file: string): void {
  if (indptr.length !== rows + 1) throw invalid(file, `CSR indptr has ${indptr.length} entries; expected rows + 1 = ${rows + 1}`);
  if (indptr[0] !== 0) throw invalid(file, `CSR indptr[0] is ${indptr[0]}; expected 0`);
  for (let r = 0; r < rows; r++) {
    if (!Number.isInteger(indptr[r + 1]) || indptr[r + 1] < indptr[r]) {
      throw invalid(file, `CSR indptr[${r + 1}] is ${indptr[r + 1]} after indptr[${r}] = ${indptr[r]}; expected a non-decreasing integer sequence`);
    }
  }
  const [nIndices, nData] = nnz;
  if (indptr[rows] !== nIndices || indptr[rows] !== nData) {
    throw invalid(file, `CSR indptr ends at ${indptr[rows]}, indices has ${nIndices} entries and data ${nData}; expected all three equal`);
  }
}

function csrToDense(obj: PyObject, file: string): Matrix {
  const [rows, cols] = csrShape(obj, file);
  const indptr = csrVector(obj, "indptr", file);
  const indices = csrVector(obj, "indices", file);
  const values = csrVector(obj, "data", file);
  checkIndptr(indptr, rows, [indices.length, values.length], file);
  const data = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let k = indptr[r]; k < indptr[r + 1]; k++) {
      const c = indices[k];
      if (!Number.isInteger(c) || c < 0 || c >= cols) {
        throw invalid(file, `CSR column index ${c} (entry ${k}, row ${r}) is outside 0..${cols - 1}`);
      }
      data[r * cols + c] += values[k];
    }
  }
  return { file, rows, cols, data };
}

function checkFinite(m: Matrix): void {
  const i = m.data.findIndex((v) => !Number.isFinite(v));
  if (i >= 0) {
    throw invalid(m.file, `row ${Math.floor(i / m.cols)}, column ${i % m.cols} holds ${m.data[i]}; expected a finite float32 value`);
  }
}

/** A feature or label file: a pickled scipy CSR matrix or a 2-D numpy array, checked and made dense. */
function readMatrix(file: string): Matrix {
  const v = readPickleFile(file);
  let m: Matrix;
  if (isNdarray(v)) m = arrayToDense(v, file);
  else if (isCsr(v)) m = csrToDense(v, file);
  else throw invalid(file, `holds ${describe(v)}; expected a scipy CSR matrix or a 2-D numpy array`);
  checkFinite(m);
  return m;
}

// Bag-of-words (Cora, Citeseer) and TF-IDF (Pubmed) features are >= 0; row normalisation relies on it.
function readFeatures(file: string): Matrix {
  const m = readMatrix(file);
  const i = m.data.findIndex((v) => v < 0);
  if (i >= 0) throw invalid(file, `row ${Math.floor(i / m.cols)}, column ${i % m.cols} holds ${m.data[i]}; expected a non-negative feature value`);
  return m;
}

function checkOneHot(m: Matrix): void {
  for (let r = 0; r < m.rows; r++) {
    let ones = 0;
    for (let c = 0; c < m.cols; c++) {
      const v = m.data[r * m.cols + c];
      if (v === 1) ones++;
      else if (v !== 0) throw invalid(m.file, `row ${r}, column ${c} holds ${v}; expected 0 or 1 (one-hot label rows)`);
    }
    if (ones !== 1) throw invalid(m.file, `row ${r} has ${ones} ones among its ${m.cols} columns; expected a one-hot label row (exactly one 1)`);
  }
}

function readLabels(file: string): Matrix {
  const m = readMatrix(file);
  checkOneHot(m);
  return m;
}

function sameRows(a: Matrix, b: Matrix, why: string): void {
  if (a.rows !== b.rows) {
    throw invalid(b.file, `${b.rows} rows, but ${a.file} has ${a.rows}; expected the same number (${why})`);
  }
}

function sameCols(a: Matrix, b: Matrix, what: string): void {
  if (a.cols !== b.cols) {
    throw invalid(b.file, `${b.cols} ${what}, but ${a.file} has ${a.cols}; expected the same number`);
  }
}

// The public split takes train = the first x.rows nodes and val = the next 500, all rows of allx.
function checkFirstRows(part: Matrix, all: Matrix): void {
  const n = part.rows * part.cols;
  const i = part.data.subarray(0, n).findIndex((v, k) => v !== all.data[k]);
  if (i >= 0) {
    const [r, c] = [Math.floor(i / part.cols), i % part.cols];
    throw invalid(part.file, `row ${r}, column ${c} holds ${part.data[i]}, but row ${r} of ${all.file} holds ${all.data[i]}; ` +
      `expected the ${part.rows} rows to be the first rows of ${all.file}`);
  }
}

function checkAgreement(m: Omit<RawPlanetoid, "graph" | "testIdx">): void {
  sameRows(m.x, m.y, "one label row per feature row");
  sameRows(m.tx, m.ty, "one label row per feature row");
  sameRows(m.allx, m.ally, "one label row per feature row");
  sameCols(m.allx, m.x, "feature columns");
  sameCols(m.allx, m.tx, "feature columns");
  sameCols(m.ally, m.y, "classes (label columns)");
  sameCols(m.ally, m.ty, "classes (label columns)");
  if (m.x.rows + VAL_SIZE > m.allx.rows) {
    throw invalid(m.x.file, `${m.x.rows} training rows + ${VAL_SIZE} validation rows exceed the ${m.allx.rows} rows of ` +
      `${m.allx.file}; expected x rows + ${VAL_SIZE} <= allx rows`);
  }
  checkFirstRows(m.x, m.allx);
  checkFirstRows(m.y, m.ally);
}

function isNodeId(v: unknown, numNodes: number): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= 0 && v < numNodes;
}

/** The graph: a dict (or defaultdict) whose keys are the nodes 0..N-1, each mapped to its neighbour list. */
function readGraph(file: string): Map<number, number[]> {
  const v = readPickleFile(file);
  const map = v instanceof Map ? v : (v as DefaultDict)?.kind === "defaultdict" ? (v as DefaultDict).map : undefined;
  if (!map) throw invalid(file, `holds ${describe(v)}; expected a dict of neighbour lists`);
  const n = map.size;
  checkGraphKeys([...map.keys()], file);
  for (const [k, nbrs] of map) {
    if (!Array.isArray(nbrs)) throw invalid(file, `node ${k} maps to ${describe(nbrs)}; expected a list of neighbour ids`);
    nbrs.forEach((u, j) => {
      if (!isNodeId(u, n)) {
        throw invalid(file, `node ${k} lists neighbour ${String(u)} (position ${j}); expected ids in 0..${n - 1} (the graph has ${n} nodes)`);
      }
    });
  }
  return map as Map<number, number[]>;
}

// The keys must be the nodes 0..N-1, each once: N is the node count of the data set.
function checkGraphKeys(keys: unknown[], file: string): void {
  const bad = keys.find((k) => !isNodeId(k, Number.MAX_SAFE_INTEGER));
  if (bad !== undefined) throw invalid(file, `key ${typeof bad === "string" ? JSON.stringify(bad) : String(bad)} is not a node id; expected non-negative integers`);
  const present = new Set(keys as number[]);
  const top = Math.max(-1, ...present);
  if (top + 1 !== keys.length) {
    let gap = 0;
    while (present.has(gap)) gap++;
    throw invalid(file, `${keys.length} keys running up to ${top}, node ${gap} has no entry; expected one entry per node 0..N-1`);
  }
}

function checkNodeCount(numNodes: number, allx: Matrix, tx: Matrix, graphFile: string): void {
  if (numNodes < allx.rows + tx.rows) {
    throw invalid(graphFile, `${numNodes} nodes; expected at least ${allx.rows + tx.rows}, the rows of ${allx.file} and ${tx.file}`);
  }
}

// Kipf's assembly puts the test nodes right after the allx rows: their ids run from allx.rows to the last
// node; ids in that range not named (Citeseer's 15 isolated nodes) become zero rows.
function readTestIndex(file: string, allx: Matrix, tx: Matrix, numNodes: number, graphFile: string): number[] {
  const [lo, hi] = [allx.rows, numNodes - 1];
  const ids: number[] = [];
  const lineOf = new Map<number, number>();
  readBytes(file).toString("latin1").split("\n").forEach((text, i) => {
    const s = text.trim();
    if (s === "") return;
    if (!/^\d+$/.test(s)) throw invalid(file, `line ${i + 1} holds ${quote(s.slice(0, 40))}; expected one node id (a non-negative integer) per line`);
    const id = Number(s);
    if (id < lo || id > hi) {
      throw invalid(file, `node id ${id} at line ${i + 1} is outside ${lo}..${hi} (test ids follow the ${allx.rows} rows of ` +
        `${path.basename(allx.file)} and end at the last of the ${numNodes} nodes of ${path.basename(graphFile)})`);
    }
    const first = lineOf.get(id);
    if (first !== undefined) throw invalid(file, `node id ${id} at line ${i + 1} repeats line ${first}; expected distinct ids`);
    lineOf.set(id, i + 1);
    ids.push(id);
  });
  if (ids.length !== tx.rows) throw invalid(file, `${ids.length} node ids; expected ${tx.rows}, one per row of ${tx.file}`);
  const [min, max] = [Math.min(...ids), Math.max(...ids)];
  if (min !== lo || max !== hi) {
    throw invalid(file, `the ids span ${min}..${max}; expected ${lo}..${hi}, from the first node after the allx rows ` +
      `to the last node of ${graphFile}, so that features and graph cover the same nodes`);
  }
  return ids;
}

function readRawFiles(dir: string, name: string): RawPlanetoid {
  const file = (ext: string) => rawPath(dir, name, ext);
  const [x, tx, allx] = ["x", "tx", "allx"].map((e) => readFeatures(file(e)));
  const [y, ty, ally] = ["y", "ty", "ally"].map((e) => readLabels(file(e)));
  checkAgreement({ x, y, tx, ty, allx, ally });
  const graph = readGraph(file("graph"));
  checkNodeCount(graph.size, allx, tx, file("graph"));
  const testIdx = readTestIndex(file("test.index"), allx, tx, graph.size, file("graph"));
  return { x, y, tx, ty, allx, ally, graph, testIdx };
}

// Last, so that a malformed file gets the specific message above; this catches what parses but differs.
function checkPublished(dir: string, name: PlanetoidName): void {
  const sums = PUBLISHED_SHA256[name];
  if (!sums) return;
  for (const ext of PLANETOID_FILES) {
    const file = rawPath(dir, name, ext);
    const sha = createHash("sha256").update(readBytes(file)).digest("hex");
    if (sha !== sums[ext]) {
      throw invalid(file, `SHA-256 is ${sha}; expected ${sums[ext]}, that of the file published in kimiyoung/planetoid ` +
        `(the file parses and agrees with the others, but its content differs; verifyChecksums: false accepts it)`);
    }
  }
}

// Kipf's assembly: stack allx over tx (tx padded to the full test-id range, which fills Citeseer's isolated
// test ids with zero rows), then row test.index[k] takes the stacked row sorted(test.index)[k].
function assemble(all: Matrix, t: Matrix, testIdx: number[], sorted: number[]): Matrix {
  const cols = all.cols;
  const lo = sorted[0];
  const rows = all.rows + sorted[sorted.length - 1] - lo + 1;
  const stacked = new Float32Array(rows * cols);
  stacked.set(all.data);
  sorted.forEach((id, j) => stacked.set(t.data.subarray(j * cols, (j + 1) * cols), (all.rows + id - lo) * cols));
  const out = stacked.slice();
  testIdx.forEach((id, k) => out.set(stacked.subarray(sorted[k] * cols, (sorted[k] + 1) * cols), id * cols));
  return { file: `${all.file} + ${t.file}`, rows, cols, data: out };
}

// Labels are one-hot rows; an all-zero row (Citeseer's padded ids) gets label 0, as argmax does.
function argmaxRows(m: Matrix): Int32Array {
  const out = new Int32Array(m.rows);
  for (let r = 0; r < m.rows; r++) {
    let best = 0;
    for (let c = 1; c < m.cols; c++) if (m.data[r * m.cols + c] > m.data[r * m.cols + best]) best = c;
    out[r] = best;
  }
  return out;
}

function rowNormalize(m: Matrix): void {
  for (let r = 0; r < m.rows; r++) {
    const row = m.data.subarray(r * m.cols, (r + 1) * m.cols);
    let s = 0;
    for (let c = 0; c < row.length; c++) s += row[c];
    if (s !== 0) for (let c = 0; c < row.length; c++) row[c] /= s;
  }
}

// Symmetric, de-duplicated, without self loops, sorted by (src, dst); ids were checked by readGraph.
function graphEdges(graph: Map<number, number[]>, numNodes: number): { src: Int32Array; dst: Int32Array } {
  const keys = new Set<number>();
  for (const [u, nbrs] of graph) {
    for (const v of nbrs) if (u !== v) { keys.add(u * numNodes + v); keys.add(v * numNodes + u); }
  }
  const sorted = Float64Array.from(keys).sort();
  const src = new Int32Array(sorted.length);
  const dst = new Int32Array(sorted.length);
  sorted.forEach((k, i) => { src[i] = Math.floor(k / numNodes); dst[i] = k % numNodes; });
  return { src, dst };
}

function range(start: number, end: number): Int32Array {
  return Int32Array.from({ length: end - start }, (_, i) => start + i);
}

/**
 * Read a Planetoid data set from its raw files (no download). Throws naming the missing files when absent,
 * and naming the file, the value found and what was expected when a file is malformed or disagrees with
 * the others. Nothing is cached: every call reads and checks the files again.
 */
export function loadPlanetoidSync(name: PlanetoidName, opts: PlanetoidOptions = {}): Planetoid {
  checkName(name);
  const dir = datasetDir("planetoid", opts.dataDir);
  const missing = missingFiles(dir, name);
  if (missing.length > 0) throw missingError(dir, name, missing, "not downloaded");

  const raw = readRawFiles(dir, name);
  if (opts.verifyChecksums ?? true) checkPublished(dir, name);
  const sorted = [...raw.testIdx].sort((a, b) => a - b);
  const features = assemble(raw.allx, raw.tx, raw.testIdx, sorted);
  const labels = argmaxRows(assemble(raw.ally, raw.ty, raw.testIdx, sorted));
  if (opts.normalizeFeatures ?? true) rowNormalize(features);
  const numNodes = features.rows;
  const y = raw.y;
  return {
    name, numNodes, numFeatures: features.cols, numClasses: y.cols, features: features.data, labels,
    edges: graphEdges(raw.graph, numNodes),
    trainIdx: range(0, y.rows), valIdx: range(y.rows, y.rows + VAL_SIZE), testIdx: Int32Array.from(sorted),
  };
}

/**
 * Load a Planetoid data set; when raw files are missing, download them from kimiyoung/planetoid into
 * <data folder>/planetoid/ first (as PyTorch Geometric does). Throws naming the files, folder and
 * NFDE_DATA_DIR when that fails. Downloaded files stay only when the whole set then validates; otherwise
 * they are removed (so the next call downloads them again) and the error says so. NFDE_OFFLINE=1: never download.
 */
export async function loadPlanetoid(name: PlanetoidName, opts: PlanetoidOptions = {}): Promise<Planetoid> {
  checkName(name);
  const dir = datasetDir("planetoid", opts.dataDir);
  const missing = missingFiles(dir, name);
  if (missing.length === 0) return loadPlanetoidSync(name, opts);
  if (process.env.NFDE_OFFLINE === "1") throw missingError(dir, name, missing, "not downloaded: NFDE_OFFLINE=1");
  try {
    fs.mkdirSync(dir, { recursive: true });
    for (const file of missing) {
      await download(`${RAW_URL}/${path.basename(file)}`, file, opts.downloadTimeoutMs ?? 30000);
    }
  } catch (e) {
    removeDownloads(missing);
    throw missingError(dir, name, missing, `download from ${RAW_URL} failed: ${(e as Error).message}`);
  }
  try {
    return loadPlanetoidSync(name, opts);
  } catch (e) {
    removeDownloads(missing);
    const names = missing.map((f) => path.basename(f)).join(", ");
    throw new Error(`${(e as Error).message} [validation failed right after downloading ${names} from ${RAW_URL}; ` +
      `the downloaded files were removed from ${dir}, so the next load downloads them again]`, { cause: e });
  }
}

export interface PlanetoidTensors {
  features: ReturnType<typeof tf.tensor2d>;
  labels: ReturnType<typeof tf.tensor1d>;
  trainIdx: ReturnType<typeof tf.tensor1d>;
  valIdx: ReturnType<typeof tf.tensor1d>;
  testIdx: ReturnType<typeof tf.tensor1d>;
  dispose(): void;
}

/** Tensors of a loaded data set (float32 features [N, F], int32 labels and index sets). Call dispose(). */
export function planetoidTensors(d: Planetoid): PlanetoidTensors {
  const t = {
    features: tf.tensor2d(d.features, [d.numNodes, d.numFeatures], "float32"),
    labels: tf.tensor1d(d.labels, "int32"),
    trainIdx: tf.tensor1d(d.trainIdx, "int32"),
    valIdx: tf.tensor1d(d.valIdx, "int32"),
    testIdx: tf.tensor1d(d.testIdx, "int32"),
  };
  return { ...t, dispose: () => tf.dispose(Object.values(t)) };
}
