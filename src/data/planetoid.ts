// Planetoid citation graphs (Cora, Citeseer, Pubmed) from the raw files of kimiyoung/planetoid, assembled
// as in Kipf & Welling's GCN loader (public split). Returns plain typed arrays; planetoidTensors makes tensors.
import * as fs from "node:fs";
import * as path from "node:path";
import { tf } from "../backend";
import { readPickle, pyGet, NdArray, PyObject, DefaultDict } from "./pickle";
import { datasetDir } from "./paths";

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
}

export interface Planetoid {
  name: PlanetoidName;
  numNodes: number;
  numFeatures: number;
  numClasses: number;
  /** Row-major numNodes x numFeatures. */
  features: Float32Array;
  labels: Int32Array;
  /** Directed edge list: symmetric, de-duplicated, no self loops, sorted by (src, dst). */
  edges: { src: Int32Array; dst: Int32Array };
  trainIdx: Int32Array;
  valIdx: Int32Array;
  testIdx: Int32Array;
}

interface Dense2D { rows: number; cols: number; data: Float32Array }

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
    `to a folder whose planetoid/ subfolder holds them.`);
}

function toNumbers(a: NdArray): Float64Array | Int32Array | Float32Array {
  if (a.data instanceof BigInt64Array || a.data instanceof BigUint64Array) return Float64Array.from(a.data, Number);
  return a.data instanceof Float32Array || a.data instanceof Float64Array || a.data instanceof Int32Array
    ? a.data : Float64Array.from(a.data as ArrayLike<number>);
}

function ndarrayOf(v: unknown, what: string): NdArray {
  if (!v || (v as NdArray).kind !== "ndarray") throw new Error(`Planetoid: ${what} is not a numpy array`);
  return v as NdArray;
}

// A pickled scipy CSR matrix or a dense 2-D numpy array, as a dense float32 matrix.
function toDense(v: unknown, file: string): Dense2D {
  if (v && (v as NdArray).kind === "ndarray") {
    const a = v as NdArray;
    if (a.shape.length !== 2 || a.fortran) throw new Error(`Planetoid ${file}: expected a C-ordered 2-D array, got shape [${a.shape}]`);
    return { rows: a.shape[0], cols: a.shape[1], data: Float32Array.from(toNumbers(a)) };
  }
  const obj = v as PyObject;
  if (!obj || obj.kind !== "object" || !obj.className.endsWith("csr_matrix")) {
    throw new Error(`Planetoid ${file}: expected a scipy CSR matrix or a numpy array`);
  }
  const shape = pyGet(obj, "_shape") as number[];
  const indptr = toNumbers(ndarrayOf(pyGet(obj, "indptr"), `${file} indptr`));
  const indices = toNumbers(ndarrayOf(pyGet(obj, "indices"), `${file} indices`));
  const values = toNumbers(ndarrayOf(pyGet(obj, "data"), `${file} data`));
  const [rows, cols] = shape;
  const data = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let k = indptr[r]; k < indptr[r + 1]; k++) data[r * cols + indices[k]] += values[k];
  }
  return { rows, cols, data };
}

function readRaw(dir: string, name: string, ext: string): unknown {
  const file = rawPath(dir, name, ext);
  return readPickle(fs.readFileSync(file), file);
}

function readTestIndex(dir: string, name: string): number[] {
  const file = rawPath(dir, name, "test.index");
  return fs.readFileSync(file, "latin1").split(/\s+/).filter((s) => s !== "").map((s) => {
    const v = Number(s);
    if (!Number.isInteger(v) || v < 0) throw new Error(`Planetoid ${file}: "${s}" is not a node id`);
    return v;
  });
}

// Kipf's assembly: stack allx over tx (tx padded to the full test-id range, which fills Citeseer's isolated
// test ids with zero rows), then row test.index[k] takes the stacked row sorted(test.index)[k].
function assemble(all: Dense2D, t: Dense2D, testIdx: number[], sorted: number[]): Dense2D {
  const cols = all.cols;
  const lo = sorted[0];
  const extRows = sorted[sorted.length - 1] - lo + 1;
  const rows = all.rows + extRows;
  const stacked = new Float32Array(rows * cols);
  stacked.set(all.data);
  sorted.forEach((id, j) => stacked.set(t.data.subarray(j * cols, (j + 1) * cols), (all.rows + id - lo) * cols));
  const out = stacked.slice();
  testIdx.forEach((id, k) => {
    if (id >= rows || sorted[k] >= rows) throw new Error(`Planetoid: test id ${id} is outside the ${rows} assembled rows`);
    out.set(stacked.subarray(sorted[k] * cols, (sorted[k] + 1) * cols), id * cols);
  });
  return { rows, cols, data: out };
}

// Labels are one-hot rows; an all-zero row (Citeseer's padded ids) gets label 0, as argmax does.
function argmaxRows(m: Dense2D): Int32Array {
  const out = new Int32Array(m.rows);
  for (let r = 0; r < m.rows; r++) {
    let best = 0;
    for (let c = 1; c < m.cols; c++) if (m.data[r * m.cols + c] > m.data[r * m.cols + best]) best = c;
    out[r] = best;
  }
  return out;
}

function rowNormalize(m: Dense2D): void {
  for (let r = 0; r < m.rows; r++) {
    const row = m.data.subarray(r * m.cols, (r + 1) * m.cols);
    let s = 0;
    for (let c = 0; c < row.length; c++) s += row[c];
    if (s !== 0) for (let c = 0; c < row.length; c++) row[c] /= s;
  }
}

function graphEdges(graph: unknown, numNodes: number, file: string): { src: Int32Array; dst: Int32Array } {
  const map = graph instanceof Map ? graph : (graph as DefaultDict)?.map;
  if (!(map instanceof Map)) throw new Error(`Planetoid ${file}: expected a dict of neighbour lists`);
  const keys = new Set<number>();
  const add = (a: number, b: number) => {
    if (!Number.isInteger(a) || !Number.isInteger(b) || a < 0 || b < 0 || a >= numNodes || b >= numNodes) {
      throw new Error(`Planetoid ${file}: edge (${a}, ${b}) names a node outside 0..${numNodes - 1}`);
    }
    if (a !== b) { keys.add(a * numNodes + b); keys.add(b * numNodes + a); }
  };
  for (const [u, nbrs] of map) for (const v of nbrs as number[]) add(Number(u), Number(v));
  const sorted = Float64Array.from(keys).sort();
  const src = new Int32Array(sorted.length);
  const dst = new Int32Array(sorted.length);
  sorted.forEach((k, i) => { src[i] = Math.floor(k / numNodes); dst[i] = k % numNodes; });
  return { src, dst };
}

function range(start: number, end: number): Int32Array {
  return Int32Array.from({ length: end - start }, (_, i) => start + i);
}

/** Read a Planetoid data set from its raw files (no download). Throws naming the missing files when absent. */
export function loadPlanetoidSync(name: PlanetoidName, opts: PlanetoidOptions = {}): Planetoid {
  checkName(name);
  const dir = datasetDir("planetoid", opts.dataDir);
  const missing = missingFiles(dir, name);
  if (missing.length > 0) throw missingError(dir, name, missing, "not downloaded");

  const dense = (ext: string) => toDense(readRaw(dir, name, ext), rawPath(dir, name, ext));
  const y = dense("y");
  const testIdx = readTestIndex(dir, name);
  const sorted = [...testIdx].sort((a, b) => a - b);
  const features = assemble(dense("allx"), dense("tx"), testIdx, sorted);
  const labels = argmaxRows(assemble(dense("ally"), dense("ty"), testIdx, sorted));
  if (opts.normalizeFeatures ?? true) rowNormalize(features);
  const numNodes = features.rows;
  const edges = graphEdges(readRaw(dir, name, "graph"), numNodes, rawPath(dir, name, "graph"));
  return {
    name, numNodes, numFeatures: features.cols, numClasses: y.cols, features: features.data, labels, edges,
    trainIdx: range(0, y.rows), valIdx: range(y.rows, y.rows + 500), testIdx: Int32Array.from(sorted),
  };
}

async function download(url: string, file: string, timeoutMs: number): Promise<void> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const body = new Uint8Array(await res.arrayBuffer());
  fs.writeFileSync(file + ".part", body);
  fs.renameSync(file + ".part", file);
}

/**
 * Load a Planetoid data set; when raw files are missing, download them from kimiyoung/planetoid into
 * <data folder>/planetoid/ first (as PyTorch Geometric does). Throws naming the files, folder and
 * NFDE_DATA_DIR when that fails.
 */
export async function loadPlanetoid(name: PlanetoidName, opts: PlanetoidOptions = {}): Promise<Planetoid> {
  checkName(name);
  const dir = datasetDir("planetoid", opts.dataDir);
  const missing = missingFiles(dir, name);
  if (missing.length > 0) {
    try {
      fs.mkdirSync(dir, { recursive: true });
      for (const file of missing) {
        await download(`${RAW_URL}/${path.basename(file)}`, file, opts.downloadTimeoutMs ?? 30000);
      }
    } catch (e) {
      throw missingError(dir, name, missingFiles(dir, name), `download from ${RAW_URL} failed: ${(e as Error).message}`);
    }
  }
  return loadPlanetoidSync(name, opts);
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
