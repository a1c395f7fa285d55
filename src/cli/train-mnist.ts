// nfde train mnist: the convolutional FDE classifier on MNIST digits (the embedded 8,000 / 2,000 split by
// default), Adam on mini-batches, test accuracy after every epoch.
import { tf } from "../backend";
import { loadMnist, mnistTensors, type MnistSource } from "../data/mnist";
import { FdeImageClassifier } from "../models/image-classifier";
import { trainImageClassifier } from "../train/image-classifier";
import { METHODS, type Method } from "../solvers/types";
import { bad, parseNumber, runParsed, splitFlag, type NumberKind } from "./flags";

export interface MnistTrainArgs {
  epochs: number;
  batchSize: number;
  lr: number;
  schedule: "cosine" | "constant";
  channels: number;
  seed: number;
  source: MnistSource;
  json: boolean;
  solver: { beta: number; tEnd: number; stepSize: number; method: Method; gradient: "direct" | "adjoint" };
}

export const MNIST_TRAIN_DEFAULTS: Omit<MnistTrainArgs, "json"> = {
  epochs: 5, batchSize: 128, lr: 1e-3, schedule: "cosine", channels: 32, seed: 0, source: "embedded",
  solver: { beta: 0.9, tEnd: 2, stepSize: 0.1, method: "predictor", gradient: "direct" },
};

export const MNIST_USAGE = `usage: nfde train mnist [--adjoint] [--epochs E] [--beta B] [--tEnd T] [--stepSize H] [--method ${METHODS.join("|")}]
  [--channels C] [--batch B] [--lr LR] [--schedule cosine|constant] [--seed S] [--source embedded|idx] [--json]`;

const NUMERIC: Record<string, { kind: NumberKind; set: (a: MnistTrainArgs, v: number) => void }> = {
  "--epochs": { kind: "int", set: (a, v) => (a.epochs = v) },
  "--batch": { kind: "int", set: (a, v) => (a.batchSize = v) },
  "--channels": { kind: "int", set: (a, v) => (a.channels = v) },
  "--seed": { kind: "count", set: (a, v) => (a.seed = v) },
  "--lr": { kind: "pos", set: (a, v) => (a.lr = v) },
  "--beta": { kind: "beta", set: (a, v) => (a.solver.beta = v) },
  "--tEnd": { kind: "pos", set: (a, v) => (a.solver.tEnd = v) },
  "--stepSize": { kind: "pos", set: (a, v) => (a.solver.stepSize = v) },
};
const SWITCHES = ["--adjoint", "--json", "--method", "--schedule", "--source"];

/** Parses the arguments after `nfde train mnist`; an Error names the argument, the value and what is allowed. */
export function parseMnistArgs(argv: string[]): MnistTrainArgs {
  const a: MnistTrainArgs = { ...MNIST_TRAIN_DEFAULTS, solver: { ...MNIST_TRAIN_DEFAULTS.solver }, json: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = splitFlag(argv[i]);
    const value = () => inline ?? argv[++i];
    const numeric = NUMERIC[flag];
    if (numeric) numeric.set(a, parseNumber(flag, value(), numeric.kind)); else if (flag === "--adjoint" || flag === "--json") {
      if (inline !== undefined) throw bad(flag, inline, "no value (it is a switch)");
      if (flag === "--adjoint") a.solver.gradient = "adjoint";
      else a.json = true;
    } else if (flag === "--method") {
      const m = value();
      if (!METHODS.includes(m as Method)) throw bad("--method", String(m), METHODS.join(", "));
      a.solver.method = m as Method;
    } else if (flag === "--schedule") {
      const v = value();
      if (v !== "cosine" && v !== "constant") throw bad("--schedule", String(v), "cosine, constant");
      a.schedule = v;
    } else if (flag === "--source") {
      const s = value();
      if (s !== "embedded" && s !== "idx") throw bad("--source", String(s), "embedded, idx");
      a.source = s;
    } else if (flag.startsWith("-")) {
      throw new Error(`unknown option ${JSON.stringify(flag)}; allowed: ${[...Object.keys(NUMERIC), ...SWITCHES].join(", ")}`);
    } else {
      throw new Error(`unexpected argument ${JSON.stringify(flag)} after mnist; allowed: the options above`);
    }
  }
  return a;
}

export interface MnistRunResult {
  dataset: "mnist";
  source: MnistSource;
  gradient: string;
  beta: number;
  tEnd: number;
  stepSize: number;
  method: Method;
  channels: number;
  lr: number;
  schedule: "cosine" | "constant";
  epochs: number;
  testAcc: number;
  msPerEpoch: number;
  peakBytes: number | null;
  history: { epoch: number; loss: number; testAcc: number; ms: number }[];
}

export async function trainMnist(a: MnistTrainArgs, print: (line: string) => void = console.log): Promise<MnistRunResult> {
  const d = await loadMnist({ source: a.source });
  if (!a.json) print(`MNIST: ${d.description}`);
  const train = mnistTensors(d.train);
  const test = mnistTensors(d.test);
  const model = new FdeImageClassifier({ channels: a.channels, seed: a.seed, solver: a.solver });
  try {
    const r = await trainImageClassifier(model, { trainImages: train.images, trainLabels: train.labels, testImages: test.images, testLabels: test.labels, classes: 10 }, {
      epochs: a.epochs, batchSize: a.batchSize, lr: a.lr, schedule: a.schedule, seed: a.seed, progress: a.json ? "none" : "auto", measurePeak: true,
      onEpoch: a.json ? (e) => print(JSON.stringify({ dataset: "mnist", ...e })) : undefined,
    });
    const s = a.solver;
    const result: MnistRunResult = {
      dataset: "mnist", source: d.source, gradient: s.gradient, beta: s.beta, tEnd: s.tEnd, stepSize: s.stepSize, method: s.method,
      channels: a.channels, lr: a.lr, schedule: a.schedule, epochs: r.epochs, testAcc: r.testAcc, msPerEpoch: r.msPerEpoch, peakBytes: r.peakBytes, history: r.history,
    };
    print(a.json ? JSON.stringify({ summary: true, ...result }) : `mnist: test accuracy ${(100 * r.testAcc).toFixed(2)} % on ${d.test.count} digits after ` +
      `${r.epochs} epochs (${s.gradient === "adjoint" ? "discrete adjoint" : "direct"}, β ${s.beta}, T ${s.tEnd}, h ${s.stepSize}, ${s.method}), ` +
      `${(r.msPerEpoch / 1000).toFixed(1)} s/epoch, peak ${((r.peakBytes ?? 0) / 2 ** 20).toFixed(1)} MiB (first batch), ${tf.getBackend()}`);
    return result;
  } finally {
    model.dispose();
    tf.dispose([train.images, train.labels, test.images, test.labels]);
  }
}

export const runTrainMnist = (argv: string[]): Promise<number> => runParsed(argv, "nfde train mnist", MNIST_USAGE, parseMnistArgs, (a) => trainMnist(a));
