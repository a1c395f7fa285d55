// Training loop for image classification: Adam on mini-batches of a seeded shuffle, softmax cross-entropy,
// test accuracy after every epoch, per-epoch callback, a progress bar in a terminal and lines otherwise.
import { tf } from "../backend";
import type { Scalar, Tensor, Tensor1D, Tensor4D, Variable } from "@tensorflow/tfjs";
import * as cliProgress from "cli-progress";
import { Rng } from "../util/rng";
import type { ProgressMode } from "./node-classifier";

export interface ImageClassifier {
  variables: Variable[];
  logits(images: Tensor4D): Tensor;
  predict(images: Tensor4D, batchSize?: number): Int32Array;
}

export interface ImageData {
  trainImages: Tensor4D;
  trainLabels: Tensor1D;
  testImages: Tensor4D;
  testLabels: Tensor1D;
  classes: number;
}

export interface ImageEpochRecord {
  epoch: number;
  /** Mean training loss over the epoch's batches. */
  loss: number;
  testAcc: number;
  /** Training time of the epoch (evaluation left out). */
  ms: number;
}

export interface ImageTrainOptions {
  epochs?: number;
  batchSize?: number;
  lr?: number;
  /** The learning rate over the run: "cosine" (default) decays it from lr to 0 by batch, "constant" keeps it. */
  schedule?: "cosine" | "constant";
  /** Seed of the batch order (default 0). */
  seed?: number;
  onEpoch?: (r: ImageEpochRecord) => void | boolean;
  /** Called after every batch with its loss (for live curves). */
  onBatch?: (batch: number, loss: number) => void;
  progress?: ProgressMode;
  log?: (line: string) => void;
  /** Profile the first batch with tf.profile and report its peakBytes (default false). */
  measurePeak?: boolean;
}

export interface ImageTrainResult {
  testAcc: number;
  epochs: number;
  msPerEpoch: number;
  peakBytes: number | null;
  history: ImageEpochRecord[];
}

const OPTION_NAMES = ["epochs", "batchSize", "lr", "schedule", "seed", "onEpoch", "onBatch", "progress", "log", "measurePeak"];
const MODES: ProgressMode[] = ["auto", "bar", "lines", "none"];

function positive(name: string, v: number, integer: boolean): void {
  if (!(v > 0) || (integer && !Number.isInteger(v))) throw new Error(`trainImageClassifier: ${name} is ${v}; allowed: a positive ${integer ? "integer" : "number"}`);
}

/** Test accuracy of `model` on `images`, predicted in batches. */
export function accuracy(model: ImageClassifier, images: Tensor4D, labels: Tensor1D): number {
  const predicted = model.predict(images);
  const truth = labels.dataSync();
  let hits = 0;
  for (let i = 0; i < predicted.length; i++) if (predicted[i] === truth[i]) hits++;
  return hits / predicted.length;
}

function reporter(opts: ImageTrainOptions, epochs: number, batches: number) {
  const mode = opts.progress ?? "auto";
  if (!MODES.includes(mode)) throw new Error(`trainImageClassifier: progress is "${mode}"; allowed: ${MODES.join(", ")}`);
  const log = opts.log ?? ((s: string) => console.log(s));
  const useBar = mode === "bar" || (mode === "auto" && process.stdout.isTTY === true);
  const line = (r: ImageEpochRecord) => `epoch ${r.epoch}/${epochs} loss ${r.loss.toFixed(4)} test ${r.testAcc.toFixed(4)} ${(r.ms / 1000).toFixed(1)} s`;
  if (useBar) {
    const bar = new cliProgress.SingleBar({ format: "[{bar}] batch {value}/{total} {info}", stream: process.stdout, hideCursor: true },
      cliProgress.Presets.shades_classic);
    bar.start(epochs * batches, 0, { info: "" });
    let done = 0;
    return {
      batch: (loss: number) => bar.update(++done, { info: `loss ${loss.toFixed(3)}` }),
      epoch: (r: ImageEpochRecord) => bar.update(done, { info: line(r) }),
      stop: () => bar.stop(),
    };
  }
  return { batch: () => {}, epoch: (r: ImageEpochRecord) => { if (mode !== "none") log(line(r)); }, stop: () => {} };
}

/** Trains `model` with Adam (default lr 1e-3, batches of 128, 5 epochs); the test accuracy after the last epoch. */
export async function trainImageClassifier(model: ImageClassifier, data: ImageData, opts: ImageTrainOptions = {}): Promise<ImageTrainResult> {
  const unknown = Object.keys(opts).filter((k) => !OPTION_NAMES.includes(k));
  if (unknown.length) throw new Error(`trainImageClassifier: unknown option "${unknown[0]}"; allowed: ${OPTION_NAMES.join(", ")}`);
  const epochs = opts.epochs ?? 5;
  const batchSize = opts.batchSize ?? 128;
  const lr = opts.lr ?? 1e-3;
  positive("epochs", epochs, true);
  positive("batchSize", batchSize, true);
  positive("lr", lr, false);
  const schedule = opts.schedule ?? "cosine";
  if (schedule !== "cosine" && schedule !== "constant") throw new Error(`trainImageClassifier: schedule is "${schedule}"; allowed: cosine, constant`);
  const n = data.trainImages.shape[0];
  const batches = Math.floor(n / batchSize);
  if (batches === 0) throw new Error(`trainImageClassifier: batchSize is ${batchSize}; allowed: at most the ${n} training images`);
  const optimizer = tf.train.adam(lr, 0.9, 0.999, 1e-8);
  const rng = new Rng(opts.seed ?? 0);
  const progress = reporter(opts, epochs, batches);
  const history: ImageEpochRecord[] = [];
  let peakBytes: number | null = null;
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const start = performance.now();
      const order = rng.fork(epoch).permutation(n);
      let sum = 0;
      for (let b = 0; b < batches; b++) {
        const done = ((epoch - 1) * batches + b) / (epochs * batches);
        (optimizer as unknown as { learningRate: number }).learningRate = schedule === "cosine" ? lr * 0.5 * (1 + Math.cos(Math.PI * done)) : lr;
        const step = () => {
          const loss = tf.tidy(() => {
            const idx = tf.tensor1d(order.subarray(b * batchSize, (b + 1) * batchSize), "int32");
            const images = tf.gather(data.trainImages, idx) as Tensor4D;
            const onehot = tf.oneHot(tf.gather(data.trainLabels, idx), data.classes);
            return optimizer.minimize(() => tf.losses.softmaxCrossEntropy(onehot, model.logits(images)) as Scalar, true, model.variables)!;
          });
          const value = loss.dataSync()[0];
          loss.dispose();
          return value;
        };
        let value = 0;
        if (opts.measurePeak && epoch === 1 && b === 0) peakBytes = (await tf.profile(() => { value = step(); })).peakBytes;
        else value = step();
        if (!Number.isFinite(value)) throw new Error(`trainImageClassifier: the loss is ${value} at epoch ${epoch}, batch ${b + 1}; lower lr (now ${lr})`);
        sum += value;
        opts.onBatch?.((epoch - 1) * batches + b, value);
        progress.batch(value);
        await new Promise((r) => setImmediate(r));
      }
      const ms = performance.now() - start;
      const record = { epoch, loss: sum / batches, testAcc: accuracy(model, data.testImages, data.testLabels), ms };
      history.push(record);
      progress.epoch(record);
      if (opts.onEpoch?.(record) === false) break;
    }
  } finally {
    progress.stop();
    optimizer.dispose();
  }
  const last = history[history.length - 1];
  return { testAcc: last.testAcc, epochs: history.length, msPerEpoch: history.reduce((a, r) => a + r.ms, 0) / history.length, peakBytes, history };
}
