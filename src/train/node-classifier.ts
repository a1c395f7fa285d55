// Training loop for node classification: Adam / Adamax, L2 weight decay (added to the gradients as torch's
// weight_decay does), early stopping on validation accuracy, seeded dropout, per-epoch callback, progress.
import { tf } from "../backend";
import type { Tensor1D, Tensor2D, Variable, Scalar } from "@tensorflow/tfjs";
import * as cliProgress from "cli-progress";
import { Rng } from "../util/rng";
import type { ForwardOptions } from "../models/fgrand";
import { sparseFeatures, type SparseFeatures } from "../models/sparse-features";
import type { Planetoid } from "../data/planetoid";
import { applyDecayedGradients, makeOptimizer, OPTIMIZERS, type OptimizerName } from "./optimizer";

export type { OptimizerName } from "./optimizer";

export interface NodeClassifier {
  variables: Variable[];
  logits(x: SparseFeatures, f: ForwardOptions): Tensor2D;
}

export interface NodeData {
  features: SparseFeatures;
  labels: Tensor1D;
  numClasses: number;
  trainIdx: Tensor1D;
  valIdx: Tensor1D;
  testIdx: Tensor1D;
}

export interface EpochRecord {
  epoch: number;
  loss: number;
  trainAcc: number;
  valAcc: number;
  testAcc: number;
  /** Best validation accuracy so far and the test accuracy at that epoch. */
  bestValAcc: number;
  bestTestAcc: number;
  ms: number;
}

export type ProgressMode = "auto" | "bar" | "lines" | "none";

export interface TrainOptions {
  epochs?: number;
  lr?: number;
  optimizer?: OptimizerName;
  /** L2 coefficient (torch weight_decay: wd·p is added to each gradient). Default 5e-4. */
  weightDecay?: number;
  /** The variables weight decay applies to (default: all of model.variables). */
  decayOn?: Variable[];
  /** Stop after this many epochs without a better validation accuracy (default: never). */
  patience?: number;
  /** Seed of the dropout masks (default 0). */
  seed?: number;
  /** Called after every epoch; return false to stop. */
  onEpoch?: (r: EpochRecord) => void | boolean;
  /** 'auto' (default): a cli-progress bar when stdout is a TTY, else a line every `logEvery` epochs. */
  progress?: ProgressMode;
  logEvery?: number;
  /** Where lines go (default console.log). */
  log?: (line: string) => void;
  /** Profile epoch 1's training step with tf.profile and report its peakBytes (default false). */
  measurePeak?: boolean;
}

export interface TrainResult {
  bestValAcc: number;
  /** Test accuracy at the epoch of the best validation accuracy. */
  testAcc: number;
  bestEpoch: number;
  epochs: number;
  msPerEpoch: number;
  peakBytes: number | null;
  history: EpochRecord[];
}

const MODES: ProgressMode[] = ["auto", "bar", "lines", "none"];

function positive(name: string, v: number, integer: boolean): void {
  if (!(v > 0) || (integer && !Number.isInteger(v))) {
    throw new Error(`train: ${name} is ${v}; allowed: a positive ${integer ? "integer" : "number"}`);
  }
}

/** The training loss: softmax cross-entropy of the training nodes' logits in training mode (dropout from rng). */
export function trainingLoss(model: NodeClassifier, d: NodeData, rng?: Rng): Scalar {
  const logits = tf.gather(model.logits(d.features, { training: true, rng }), d.trainIdx);
  const onehot = tf.oneHot(tf.gather(d.labels, d.trainIdx), d.numClasses);
  return tf.losses.softmaxCrossEntropy(onehot, logits) as Scalar;
}

/** Train, validation and test accuracy in eval mode (no dropout), read in one go. */
function accuracies(model: NodeClassifier, d: NodeData): [number, number, number] {
  const acc = tf.tidy(() => {
    const hit = tf.cast(tf.equal(tf.argMax(model.logits(d.features, { training: false }), 1), d.labels), "float32");
    return tf.stack([d.trainIdx, d.valIdx, d.testIdx].map((idx) => tf.mean(tf.gather(hit, idx))));
  });
  const v = acc.dataSync();
  acc.dispose();
  return [v[0], v[1], v[2]];
}

function reporter(opts: TrainOptions, epochs: number) {
  const mode = opts.progress ?? "auto";
  if (!MODES.includes(mode)) throw new Error(`train: progress is "${mode}"; allowed: ${MODES.join(", ")}`);
  const log = opts.log ?? ((s: string) => console.log(s));
  const every = opts.logEvery ?? 10;
  const useBar = mode === "bar" || (mode === "auto" && process.stdout.isTTY === true);
  const fmt = (r: EpochRecord) => `loss ${r.loss.toFixed(4)} val ${r.valAcc.toFixed(4)} test ${r.testAcc.toFixed(4)} best val ${r.bestValAcc.toFixed(4)} (test ${r.bestTestAcc.toFixed(4)})`;
  if (useBar) {
    const bar = new cliProgress.SingleBar({ format: "epoch {value}/{total} [{bar}] {info}", stream: process.stdout, hideCursor: true },
      cliProgress.Presets.shades_classic);
    bar.start(epochs, 0, { info: "" });
    return { update: (r: EpochRecord) => bar.update(r.epoch, { info: fmt(r) }), stop: () => bar.stop() };
  }
  if (mode === "none") return { update: () => {}, stop: () => {} };
  return {
    update: (r: EpochRecord) => { if (r.epoch % every === 0 || r.epoch === 1) log(`epoch ${r.epoch}/${epochs} ${fmt(r)} ${r.ms.toFixed(0)} ms`); },
    stop: () => {},
  };
}

/** Trains `model` on the training nodes; keeps the test accuracy at the best validation epoch. */
export async function trainNodeClassifier(model: NodeClassifier, data: NodeData, opts: TrainOptions = {}): Promise<TrainResult> {
  const epochs = opts.epochs ?? 200;
  const lr = opts.lr ?? 0.01;
  const wd = opts.weightDecay ?? 5e-4;
  const name = opts.optimizer ?? "adam";
  positive("epochs", epochs, true);
  positive("lr", lr, false);
  if (opts.patience !== undefined) positive("patience", opts.patience, true);
  if (!(wd >= 0)) throw new Error(`train: weightDecay is ${wd}; allowed: a number >= 0`);
  if (!OPTIMIZERS.includes(name)) throw new Error(`train: optimizer is "${name}"; allowed: ${OPTIMIZERS.join(", ")}`);
  const optimizer = makeOptimizer(name, lr);
  const decayIds = new Set((opts.decayOn ?? model.variables).map((v) => v.id));
  const rng = new Rng(opts.seed ?? 0);
  const progress = reporter(opts, epochs);
  const history: EpochRecord[] = [];
  let best = { val: -1, test: 0, epoch: 0 };
  let peakBytes: number | null = null;
  let total = 0;
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const start = performance.now();
      const epochRng = rng.fork(epoch);
      let loss = 0;
      const step = () => {
        const { value, grads } = tf.variableGrads(() => trainingLoss(model, data, epochRng), model.variables);
        applyDecayedGradients(optimizer, model.variables, grads, wd, decayIds);
        loss = value.dataSync()[0];
        tf.dispose([value, ...Object.values(grads)]);
      };
      if (opts.measurePeak && epoch === 1) peakBytes = (await tf.profile(step)).peakBytes;
      else step();
      const [trainAcc, valAcc, testAcc] = accuracies(model, data);
      if (valAcc > best.val) best = { val: valAcc, test: testAcc, epoch };
      const ms = performance.now() - start;
      total += ms;
      const record = { epoch, loss, trainAcc, valAcc, testAcc, bestValAcc: best.val, bestTestAcc: best.test, ms };
      history.push(record);
      progress.update(record);
      if (opts.onEpoch?.(record) === false) break;
      if (opts.patience !== undefined && epoch - best.epoch >= opts.patience) break;
      await new Promise((r) => setImmediate(r));
    }
  } finally {
    progress.stop();
    optimizer.dispose();
  }
  return {
    bestValAcc: best.val, testAcc: best.test, bestEpoch: best.epoch, epochs: history.length,
    msPerEpoch: total / Math.max(1, history.length), peakBytes, history,
  };
}

/** A Planetoid data set as training tensors (sparse features). Call dispose(). */
export function planetoidNodeData(d: Planetoid): NodeData & { dispose(): void } {
  const features = sparseFeatures(d.features, d.numNodes, d.numFeatures);
  const t = {
    labels: tf.tensor1d(d.labels, "int32"),
    trainIdx: tf.tensor1d(d.trainIdx, "int32"),
    valIdx: tf.tensor1d(d.valIdx, "int32"),
    testIdx: tf.tensor1d(d.testIdx, "int32"),
  };
  return { ...t, features, numClasses: d.numClasses, dispose: () => { tf.dispose(Object.values(t)); features.dispose(); } };
}
