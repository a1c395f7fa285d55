// OGB node-property-prediction data sets (Hu et al., "Open Graph Benchmark: Datasets for Machine Learning on
// Graphs", NeurIPS 2020), e.g. ogbn-arxiv and ogbn-products, read from the raw CSV files of OGB's zip as
// unpacked into <data root>/<name, "-" as "_">/ (ogbn_arxiv/raw/edge.csv.gz, ogbn_arxiv/split/time/train.csv.gz, ...);
// loadOgbNode downloads and unpacks the zip when files are missing. The files are scanned as bytes
// (csv-scan.ts; ogbn-products: 2.4 M rows of 100 floats, 62 M edges); every defect is an Error naming the
// file, the line, the value found and what is allowed.
import * as fs from "node:fs";
import * as path from "node:path";
import { datasetDir } from "./paths";
import type { NodeDataset } from "./node-dataset";
import { COMMA, Cursor, GzipMessages, LineSink, MAX_INT32, readLinesStreaming, readLinesSync } from "./csv-scan";
import { extractZip } from "./unzip";
import { downloadStreaming, removeDownloads } from "./download";


export interface OgbOptions {
  /** Data root (files are read from <dataDir>/<name, - as _>/). Default $NFDE_DATA_DIR, else <package>/data. */
  dataDir?: string;
  /** The folder under split/ (ogbn-arxiv: "time", ogbn-products: "sales_ranking"). Default: the only one there. */
  split?: string;
  /** loadOgbNode only: abort the download when no byte arrives for this many ms. Default 60000. */
  downloadTimeoutMs?: number;
  /** loadOgbNode only: where to download the zip from (an http(s) URL, e.g. a mirror). Default ogbZipUrl(name). */
  zipUrl?: string;
}

/** The split folder of the OGB node data sets whose raw layout this reader was written for. */
export const OGB_SPLITS: Readonly<Record<string, string>> = { "ogbn-arxiv": "time", "ogbn-products": "sales_ranking" };
const OPTION_NAMES = ["dataDir", "split", "downloadTimeoutMs", "zipUrl"];

/** Where OGB publishes a node data set's zip (its master.csv: the name without "ogbn-", e.g. arxiv.zip). */
export function ogbZipUrl(name: string): string {
  return `http://snap.stanford.edu/ogb/data/nodeproppred/${name.replace(/^ogbn-/, "")}.zip`;
}

function fileError(file: string, what: string): Error {
  return new Error(`OGB ${file}: ${what}`);
}

const GZIP_MESSAGES: GzipMessages = {
  error: fileError,
  tooLarge: "use loadOgbNode (it streams), or gunzip the file (plain files are read in pieces)",
  corrupted: "delete it and unpack OGB's zip again",
};

/** After field k of n: the separator (a comma, or the line's end after the last field), else the precise defect. */
function afterField(c: Cursor, k: number, n: number, expected: string): void {
  if (k < n - 1 ? c.comma() : c.endLine()) return;
  const bad = k < n - 1 ? c.atLineEnd() : c.buf[c.pos] === COMMA;
  if (bad) throw fileError(c.file, `line ${c.line} has ${c.fieldsInLine()} fields; expected ${n}`);
  throw fileError(c.file, `line ${c.line}, field ${k + 1} holds ${c.field()}; expected ${expected}`);
}

/** A growable Int32Array. */
class IntList {
  data: Int32Array;
  length = 0;
  constructor(capacity = 1024) { this.data = new Int32Array(Math.max(capacity, 16)); }
  push(v: number): void {
    if (this.length === this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = v;
  }
  toArray(): Int32Array {
    return this.length === this.data.length ? this.data : this.data.slice(0, this.length);
  }
}

/** Lines of `columns` integers in [0, limit): edge.csv (src,dst) and the one-integer count files. */
class IntColumns implements LineSink {
  readonly columns: IntList[];
  constructor(readonly ncols: number, readonly limit: number, readonly expected: string, capacity?: number) {
    this.columns = Array.from({ length: ncols }, () => new IntList(capacity));
  }
  lines(c: Cursor): void {
    const n = this.ncols, limit = this.limit;
    while (c.pos < c.end) {
      for (let k = 0; k < n; k++) {
        const v = c.natural();
        if (v < 0 || v >= limit) throw fileError(c.file, `line ${c.line}, field ${k + 1} holds ${c.field()}; expected ${this.expected}`);
        this.columns[k].push(v);
        afterField(c, k, n, this.expected);
      }
    }
  }
}

/** node-label.csv: one class per line; "nan" or an empty line is an unlabeled node (-1). */
class Labels implements LineSink {
  readonly values = new IntList(1 << 16);
  lines(c: Cursor): void {
    const expected = "a class label (a non-negative integer), or nan or nothing for an unlabeled node";
    while (c.pos < c.end) {
      if (c.atLineEnd()) { this.values.push(-1); c.endLine(); continue; }
      const lower = c.buf[c.pos] | 0x20;
      if (lower === 110 && c.pos + 2 < c.end && (c.buf[c.pos + 1] | 0x20) === 97 && (c.buf[c.pos + 2] | 0x20) === 110) { // nan
        c.fieldStart = c.pos;
        c.pos += 3;
        this.values.push(-1);
      } else {
        const v = c.number();
        if (!(Number.isInteger(v) && v >= 0 && v <= MAX_INT32)) throw fileError(c.file, `line ${c.line} holds ${c.field()}; expected ${expected}`);
        this.values.push(v);
      }
      afterField(c, 0, 1, expected);
    }
  }
}

/** node-feat.csv: one row of floats per node, as many per row as on line 1; rows beyond numNodes are only counted. */
class Features implements LineSink {
  data = new Float32Array(0);
  cols = -1;
  rows = 0;
  constructor(readonly numNodes: number) {}
  lines(c: Cursor): void {
    if (this.cols < 0 && c.pos < c.end) {
      this.cols = c.fieldsInLine();
      this.data = new Float32Array(this.numNodes * this.cols);
    }
    const cols = this.cols, data = this.data;
    const expected = "a number (e.g. -0.25, 3, 1.5e-3)";
    while (c.pos < c.end) {
      if (this.rows >= this.numNodes) { c.skipLine(); this.rows++; continue; }
      let at = this.rows * cols;
      for (let k = 0; k < cols; k++) {
        const v = c.number();
        if (v !== v) {
          if (c.atLineEnd() && k === 0) throw fileError(c.file, `line ${c.line} is empty; expected ${cols} numbers (the columns of line 1)`);
          throw fileError(c.file, `line ${c.line}, field ${k + 1} holds ${c.field()}; expected ${expected}`);
        }
        data[at] = v;
        if (!Number.isFinite(data[at])) throw fileError(c.file, `line ${c.line}, field ${k + 1} holds ${c.field()}; expected a finite float32 number`);
        at++;
        if (k < cols - 1 ? c.comma() : c.endLine()) continue;
        const columnCount = k < cols - 1 ? c.atLineEnd() : c.buf[c.pos] === COMMA;
        if (columnCount) throw fileError(c.file, `line ${c.line} has ${c.fieldsInLine()} fields; expected ${cols}, the number of fields on line 1`);
        throw fileError(c.file, `line ${c.line}, field ${k + 1} holds ${c.field()}; expected ${expected}`);
      }
      this.rows++;
    }
  }
}

/** Where each node was first listed: its line (0: not yet) and split (an index into the split files). */
interface SeenNodes { line: Int32Array; split: Uint8Array }

/** A split file (train / valid / test): node indices in [0, numNodes), none repeated within or across the splits. */
class SplitIndex implements LineSink {
  readonly values = new IntList();
  constructor(readonly numNodes: number, readonly nodesFrom: string, readonly seen: SeenNodes, readonly files: string[], readonly id: number) {}
  lines(c: Cursor): void {
    const n = this.numNodes;
    const expected = `a node index in [0, ${n}) (the ${n} nodes of ${this.nodesFrom})`;
    while (c.pos < c.end) {
      const v = c.natural();
      if (v < 0 || v >= n) throw fileError(c.file, `line ${c.line} holds ${c.field()}; expected ${expected}`);
      const before = this.seen.line[v];
      if (before !== 0) {
        const where = this.seen.split[v] === this.id ? "" : ` of ${this.files[this.seen.split[v]]}`;
        throw fileError(c.file, `line ${c.line} holds node ${v}, already listed at line ${before}${where}; expected each node at most once across train, valid and test`);
      }
      this.seen.line[v] = c.line;
      this.seen.split[v] = this.id;
      this.values.push(v);
      afterField(c, 0, 1, expected);
    }
  }
}

/** The files of one data set: each <stem>.csv or <stem>.csv.gz, null when neither exists. */
interface OgbFiles {
  dir: string;
  split: string;
  edges: string | null; features: string | null; labels: string | null;
  numNodes: string | null; numEdges: string | null;
  train: string | null; valid: string | null; test: string | null;
}

function checkName(fn: string, name: unknown): asserts name is string {
  if (typeof name !== "string" || !/^[a-z0-9-]+$/.test(name)) {
    throw new Error(`${fn}: name is ${JSON.stringify(name)}; allowed: a string of a-z, 0-9 and "-" (e.g. "ogbn-arxiv")`);
  }
}

function checkOptions(fn: string, opts: OgbOptions): void {
  const unknown = Object.keys(opts).filter((k) => !OPTION_NAMES.includes(k));
  if (unknown.length) throw new Error(`${fn}: unknown option ${unknown.map((k) => `"${k}"`).join(", ")}; allowed: ${OPTION_NAMES.join(", ")}`);
  if (opts.split !== undefined && !(typeof opts.split === "string" && /^[A-Za-z0-9_-]+$/.test(opts.split))) {
    throw new Error(`${fn}: split is ${JSON.stringify(opts.split)}; allowed: a folder name under split/ (letters, digits, _ and -)`);
  }
  const t = opts.downloadTimeoutMs;
  if (t !== undefined && !(typeof t === "number" && Number.isFinite(t) && t > 0)) {
    throw new Error(`${fn}: downloadTimeoutMs is ${JSON.stringify(t)}; allowed: a number of milliseconds > 0`);
  }
  if (opts.zipUrl !== undefined && !(typeof opts.zipUrl === "string" && /^https?:\/\/\S+$/.test(opts.zipUrl))) {
    throw new Error(`${fn}: zipUrl is ${JSON.stringify(opts.zipUrl)}; allowed: an http:// or https:// URL`);
  }
}

function zipUrl(name: string, opts: OgbOptions): string {
  return opts.zipUrl ?? ogbZipUrl(name);
}

/** Plain first (an unpacked copy), else gzipped. */
function csvFile(dir: string, stem: string): string | null {
  for (const f of [`${stem}.csv`, `${stem}.csv.gz`]) if (fs.existsSync(path.join(dir, f))) return path.join(dir, f);
  return null;
}

function resolveSplit(dir: string, name: string, explicit?: string): string {
  if (explicit !== undefined) return explicit;
  const root = path.join(dir, "split");
  const found = fs.existsSync(root) ? fs.readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort() : [];
  if (found.length === 1) return found[0];
  if (found.length > 1) throw new Error(`OGB ${name}: ${root} holds the splits ${found.join(", ")}; pass the option split: one of them`);
  return OGB_SPLITS[name] ?? "<split>";
}

function locate(name: string, opts: OgbOptions): OgbFiles {
  const dir = datasetDir(name.replace(/-/g, "_"), opts.dataDir);
  const split = resolveSplit(dir, name, opts.split);
  const s = (part: string) => csvFile(dir, path.join("split", split, part));
  const r = (stem: string) => csvFile(dir, path.join("raw", stem));
  return {
    dir, split,
    edges: r("edge"), features: r("node-feat"), labels: r("node-label"),
    numNodes: r("num-node-list"), numEdges: r("num-edge-list"),
    train: s("train"), valid: s("valid"), test: s("test"),
  };
}

function missingFiles(f: OgbFiles): string[] {
  const required: [string | null, string][] = [
    [f.edges, "raw/edge"], [f.features, "raw/node-feat"], [f.labels, "raw/node-label"],
    [f.train, `split/${f.split}/train`], [f.valid, `split/${f.split}/valid`], [f.test, `split/${f.split}/test`],
  ];
  return required.filter(([file]) => file === null).map(([, stem]) => `${stem}.csv(.gz)`);
}

function missingError(name: string, f: OgbFiles, missing: string[], why: string, url: string): Error {
  const zipFolder = name.replace(/^ogbn-/, "");
  return new Error(
    `OGB ${name}: missing ${missing.join(", ")} in ${f.dir} (${why}). Download ${url}, unzip it and ` +
    `move its folder ${zipFolder}/ to ${f.dir} (so that ${path.join(f.dir, "raw", "edge.csv.gz")} exists), or set ` +
    `NFDE_DATA_DIR to a folder whose ${path.basename(f.dir)}/ subfolder holds the files.`);
}

/** The one integer of num-node-list / num-edge-list. */
function single(sink: IntColumns, file: string): number {
  const v = sink.columns[0];
  if (v.length !== 1) throw fileError(file, `${v.length} lines; expected one line holding one integer (one graph)`);
  return v.data[0];
}

type Read = { file: string; sink: LineSink };

// The order matters: the labels fix numNodes, which bounds the feature rows, edge endpoints and split indices.
function* assemble(name: string, f: OgbFiles): Generator<Read, NodeDataset, void> {
  const labelsFile = f.labels!, labelsName = path.basename(labelsFile);
  let declaredNodes: number | undefined;
  if (f.numNodes) {
    const s = new IntColumns(1, MAX_INT32, "a non-negative integer (the number of nodes)");
    yield { file: f.numNodes, sink: s };
    declaredNodes = single(s, f.numNodes);
  }
  const labelSink = new Labels();
  yield { file: labelsFile, sink: labelSink };
  const labels = labelSink.values.toArray();
  const numNodes = labels.length;
  if (declaredNodes !== undefined && declaredNodes !== numNodes) {
    throw fileError(f.numNodes!, `holds ${declaredNodes} nodes, but ${labelsFile} has ${numNodes} rows; expected the same number`);
  }
  const feat = new Features(numNodes);
  yield { file: f.features!, sink: feat };
  if (feat.rows !== numNodes) {
    throw fileError(f.features!, `${feat.rows} rows, but ${labelsFile} has ${numNodes}; expected one feature row per label row (one per node)`);
  }
  let declaredEdges: number | undefined;
  if (f.numEdges) {
    const s = new IntColumns(1, MAX_INT32, "a non-negative integer (the number of edges)");
    yield { file: f.numEdges, sink: s };
    declaredEdges = single(s, f.numEdges);
  }
  const edgeSink = new IntColumns(2, numNodes, `a node id in [0, ${numNodes}) (the ${numNodes} nodes of ${labelsName})`, declaredEdges);
  yield { file: f.edges!, sink: edgeSink };
  const [src, dst] = edgeSink.columns.map((col) => col.toArray());
  if (declaredEdges !== undefined && declaredEdges !== src.length) {
    throw fileError(f.numEdges!, `holds ${declaredEdges} edges, but ${f.edges} has ${src.length} lines; expected the same number`);
  }
  const seen: SeenNodes = { line: new Int32Array(numNodes), split: new Uint8Array(numNodes) };
  const splitFiles = [f.train!, f.valid!, f.test!];
  const splits: Int32Array[] = [];
  for (const [i, file] of splitFiles.entries()) {
    const s = new SplitIndex(numNodes, labelsName, seen, splitFiles, i);
    yield { file, sink: s };
    splits.push(s.values.toArray());
  }
  let numClasses = 0;
  for (let i = 0; i < numNodes; i++) if (labels[i] + 1 > numClasses) numClasses = labels[i] + 1;
  return {
    name, numNodes, numFeatures: Math.max(feat.cols, 0), numClasses, features: feat.data, labels,
    edges: { src, dst }, trainIdx: splits[0], valIdx: splits[1], testIdx: splits[2],
  };
}
/** Where an entry <top>/raw/... or <top>/split/... of OGB's zip goes in the data set folder; null for the rest and for files already there. */
function unpackTarget(dir: string, entry: string): string | null {
  const m = /^[^/]+\/((?:raw|split)\/.+)$/.exec(entry);
  if (!m) return null;
  const out = path.join(dir, ...m[1].split("/"));
  const plain = out.replace(/\.gz$/, "");
  return fs.existsSync(out) || fs.existsSync(plain) ? null : out;
}

/** The folder `dir` and every folder under it, to tell afterwards which ones an unpacking created. */
function foldersUnder(dir: string, into = new Set<string>()): Set<string> {
  if (!fs.existsSync(dir)) return into;
  into.add(dir);
  for (const d of fs.readdirSync(dir, { withFileTypes: true })) if (d.isDirectory()) foldersUnder(path.join(dir, d.name), into);
  return into;
}

/** Removes the unpacked files, then the folders that were not there before and are now empty. */
function removeUnpacked(files: string[], dir: string, foldersBefore: Set<string>): void {
  for (const f of files) fs.rmSync(f, { force: true });
  const created = [...foldersUnder(dir)].filter((d) => !foldersBefore.has(d)).sort((a, b) => b.length - a.length);
  for (const d of created) try { fs.rmdirSync(d); } catch { /* not empty: it holds files of others */ }
}

function reason(e: unknown): string {
  const err = e as Error & { cause?: { message?: string } };
  return err.cause?.message ? `${err.message} (${err.cause.message})` : String(err.message ?? e);
}

/**
 * Downloads the zip into a temporary file in the data root, unpacks its raw/ and split/ entries into the data
 * set folder (never over files already there) and removes the zip. Returns the files written; on failure
 * nothing it wrote stays and the Error names the URL, what failed and the missing files.
 */
async function downloadAndUnpack(name: string, f: OgbFiles, missing: string[], opts: OgbOptions): Promise<string[]> {
  const url = zipUrl(name, opts);
  const zip = path.join(path.dirname(f.dir), `${path.basename(f.dir)}-download-${process.pid}.zip`);
  try {
    fs.mkdirSync(path.dirname(f.dir), { recursive: true });
    await downloadStreaming(url, zip, opts.downloadTimeoutMs ?? 60000);
  } catch (e) {
    removeDownloads([zip]);
    throw missingError(name, f, missing, `download from ${url} failed: ${reason(e)}`, url);
  }
  try {
    const tops = new Set<string>();
    return await extractZip(zip, {
      pick: (entry) => {
        const out = unpackTarget(f.dir, entry);
        if (out !== null && tops.add(entry.split("/")[0]).size > 1) throw new Error(`its raw/ and split/ files lie in several top folders (${[...tops].join(", ")}); expected one`);
        return out;
      },
    });
  } catch (e) {
    throw missingError(name, f, missing, `unpacking the zip downloaded from ${url} failed: ${reason(e)}`, url);
  } finally {
    removeDownloads([zip]);
  }
}

async function readStreaming(name: string, files: OgbFiles): Promise<NodeDataset> {
  const steps = assemble(name, files);
  for (let r = steps.next(); ; r = steps.next()) {
    if (r.done) return r.value;
    await readLinesStreaming(r.value.file, r.value.sink, GZIP_MESSAGES);
  }
}

/**
 * Reads an OGB node data set from its unpacked raw files (no download), synchronously: plain files in pieces,
 * gzipped ones decompressed whole (a file larger than one Buffer once decompressed needs loadOgbNode).
 * Labels "nan" or empty are -1 (unlabeled). Throws naming the missing files, folder and URL when absent,
 * and naming the file, line, value and what is allowed when a file is malformed or disagrees with the others.
 */
export function loadOgbNodeSync(name: string, opts: OgbOptions = {}): NodeDataset {
  checkName("loadOgbNodeSync", name);
  checkOptions("loadOgbNodeSync", opts);
  const files = locate(name, opts);
  const missing = missingFiles(files);
  if (missing.length) throw missingError(name, files, missing, "not unpacked there", zipUrl(name, opts));
  const steps = assemble(name, files);
  for (let r = steps.next(); ; r = steps.next()) {
    if (r.done) return r.value;
    readLinesSync(r.value.file, r.value.sink, GZIP_MESSAGES);
  }
}

/**
 * As loadOgbNodeSync, streaming each file (no size limit). When files are missing, downloads OGB's zip
 * (ogbZipUrl, or the option zipUrl) into the data root, unpacks its raw/ and split/ folders into the data set
 * folder and removes the zip. The unpacked files stay only when the whole set then validates; otherwise they
 * are removed and the Error says what failed, what is missing and where to put it. NFDE_OFFLINE=1: never download.
 */
export async function loadOgbNode(name: string, opts: OgbOptions = {}): Promise<NodeDataset> {
  checkName("loadOgbNode", name);
  checkOptions("loadOgbNode", opts);
  let files = locate(name, opts);
  const missing = missingFiles(files);
  if (missing.length === 0) return readStreaming(name, files);
  const url = zipUrl(name, opts);
  if (process.env.NFDE_OFFLINE === "1") throw missingError(name, files, missing, "not downloaded: NFDE_OFFLINE=1", url);
  const foldersBefore = foldersUnder(files.dir);
  const written = await downloadAndUnpack(name, files, missing, opts);
  try {
    files = locate(name, opts);
    const still = missingFiles(files);
    if (still.length) throw missingError(name, files, still, `the zip downloaded from ${url} holds none of them under <folder>/raw/ and <folder>/split/`, url);
    return await readStreaming(name, files);
  } catch (e) {
    removeUnpacked(written, files.dir, foldersBefore);
    throw new Error(`${(e as Error).message} [validation failed right after downloading ${url} and unpacking it into ${files.dir}; ` +
      "the unpacked files were removed, so the next load downloads them again]", { cause: e });
  }
}
