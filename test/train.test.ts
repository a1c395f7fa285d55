import { test } from "node:test";
import assert from "node:assert/strict";
import { tf } from "../src/backend";
import { FGrandL, sparseFeatures } from "../src/models";
import { trainNodeClassifier, type NodeData, type EpochRecord } from "../src/train";
import { Rng } from "../src/util/rng";
import { GRADIENTS } from "../src/solvers";
import { parseMnistArgs } from "../src/cli/train-mnist";
import { parseTrainArgs, runTrain } from "../src/cli/train";

// A small two-community graph whose features hint at the community.
function toyData(n = 60, F = 12, C = 2): { edges: { src: number[]; dst: number[] }; data: NodeData; dispose(): void } {
  const r = new Rng(2);
  const label = (i: number) => (i < n / 2 ? 0 : 1);
  const src: number[] = [], dst: number[] = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) {
    if (r.next() < (label(i) === label(j) ? 0.15 : 0.01)) { src.push(i, j); dst.push(j, i); }
  }
  const dense = new Float32Array(n * F);
  for (let i = 0; i < n; i++) for (let k = 0; k < F; k++) {
    if (r.next() < 0.3) dense[i * F + k] = (k % C === label(i) ? 1 : 0.2) * r.next();
  }
  const features = sparseFeatures(dense, n, F);
  const idx = (from: number, step: number) => tf.tensor1d(Array.from({ length: n }, (_, i) => i).filter((i) => i % 3 === from), "int32");
  const data: NodeData = {
    features, numClasses: C, labels: tf.tensor1d(Array.from({ length: n }, (_, i) => label(i)), "int32"),
    trainIdx: idx(0, 3), valIdx: idx(1, 3), testIdx: idx(2, 3),
  };
  return { edges: { src, dst }, data, dispose: () => { features.dispose(); tf.dispose([data.labels, data.trainIdx, data.valIdx, data.testIdx]); } };
}

for (const gradient of GRADIENTS) {
  test(`training leaks no tensors over epochs (${gradient}, Adam with weight decay and dropout)`, async () => {
    const toy = toyData();
    const before = tf.memory().numTensors;
    const m = new FGrandL(toy.edges, 60, { numFeatures: 12, numClasses: 2, hidden: 8, dropout: 0.2, seed: 4, solver: { tEnd: 2, stepSize: 0.5, gradient } });
    const counts: number[] = [];
    const r = await trainNodeClassifier(m, toy.data, { epochs: 12, lr: 0.02, weightDecay: 5e-3, progress: "none", onEpoch: () => { counts.push(tf.memory().numTensors); } });
    assert.equal(r.epochs, 12);
    assert.ok(counts.slice(1).every((c) => c === counts[1]), `tensor counts over epochs: ${counts.join(" ")}`);
    m.dispose();
    assert.equal(tf.memory().numTensors, before, "all tensors freed after dispose()");
    toy.dispose();
  });
}

test("training is deterministic per seed, stops early on patience, and Adamax learns the toy graph", async () => {
  const toy = toyData();
  const run = async (seed: number, opts: { optimizer?: "adam" | "adamax"; patience?: number; epochs?: number } = {}) => {
    const m = new FGrandL(toy.edges, 60, { numFeatures: 12, numClasses: 2, hidden: 8, dropout: 0.3, seed, solver: { tEnd: 2, stepSize: 0.5 } });
    const history: EpochRecord[] = [];
    const r = await trainNodeClassifier(m, toy.data, { epochs: opts.epochs ?? 8, lr: 0.05, seed, progress: "none", optimizer: opts.optimizer, patience: opts.patience, onEpoch: (e) => { history.push(e); } });
    m.dispose();
    return { r, losses: history.map((e) => e.loss) };
  };
  const a = await run(1), b = await run(1), c = await run(2);
  assert.deepEqual(a.losses, b.losses);
  assert.notDeepEqual(a.losses, c.losses);
  const stopped = await run(1, { patience: 3, epochs: 200 });
  assert.ok(stopped.r.epochs < 200 && stopped.r.epochs - stopped.r.bestEpoch === 3, `stopped after ${stopped.r.epochs}, best ${stopped.r.bestEpoch}`);
  const adamax = await run(3, { optimizer: "adamax", epochs: 30 });
  assert.ok(adamax.r.testAcc >= 0.8, `Adamax test accuracy ${adamax.r.testAcc}`);
  toy.dispose();
});

test("trainNodeClassifier rejects bad options by name, value and what is allowed", async () => {
  const toy = toyData();
  const m = new FGrandL(toy.edges, 60, { numFeatures: 12, numClasses: 2, hidden: 4, solver: { tEnd: 1, stepSize: 0.5 } });
  await assert.rejects(trainNodeClassifier(m, toy.data, { epochs: 0 }), /epochs is 0; allowed: a positive integer/);
  await assert.rejects(trainNodeClassifier(m, toy.data, { lr: -1 }), /lr is -1; allowed: a positive number/);
  await assert.rejects(trainNodeClassifier(m, toy.data, { optimizer: "sgd" as never }), /optimizer is "sgd"; allowed: adam, adamax/);
  await assert.rejects(trainNodeClassifier(m, toy.data, { weightDecay: -0.1 }), /weightDecay is -0.1; allowed/);
  m.dispose();
  toy.dispose();
});

test("nfde train: arguments are parsed and bad ones are named with the allowed values", async () => {
  const a = parseTrainArgs(["cora", "--adjoint", "--seeds", "3", "--epochs=50", "--json", "--beta", "0.9"]);
  assert.equal(a.dataset, "cora");
  assert.equal(a.solver.gradient, "adjoint");
  assert.equal(a.seeds, 3);
  assert.equal(a.epochs, 50);
  assert.equal(a.json, true);
  assert.equal(a.solver.beta, 0.9);
  assert.equal(parseTrainArgs(["citeseer", "--adjoint=continuous"]).solver.gradient, "continuous-adjoint");
  assert.equal(parseTrainArgs(["cora", "--nonlinear"]).nonlinear, true);
  assert.equal(parseTrainArgs(["cora"]).nonlinear, false);
  assert.equal(parseTrainArgs(["cora", "--nonlinear", "--heads", "8"]).heads, 8);
  assert.equal(parseTrainArgs(["cora"]).heads, 4);
  // F-GRAND-nl takes its own Cora defaults; a flag given still wins; Citeseer has none of its own
  const nl = parseTrainArgs(["cora", "--nonlinear"]);
  assert.deepEqual([nl.hidden, nl.optimizer, nl.lr, nl.weightDecay, nl.dropout, nl.inputDropout, nl.solver.tEnd, nl.solver.stepSize],
    [128, "adamax", 0.0229, 5e-3, 0.5, 0.6, 40, 2]);
  assert.deepEqual([parseTrainArgs(["cora", "--nonlinear", "--time", "20", "--hidden", "64"]).solver.tEnd, parseTrainArgs(["cora", "--hidden", "64", "--nonlinear"]).hidden], [20, 64]);
  assert.equal(parseTrainArgs(["cora", "--attention"]).hidden, 64);
  assert.deepEqual(parseTrainArgs(["citeseer", "--nonlinear"]).solver, parseTrainArgs(["citeseer"]).solver);
  assert.throws(() => parseTrainArgs(["cora", "--nonlinear=1"]), /--nonlinear is "1"; allowed: no value/);
  // the flags of the solve fill `solver`, which goes to FGrandL as is
  assert.deepEqual(parseTrainArgs(["cora", "--time", "10", "--step=0.5", "--method", "l1", "--gradient", "continuous-adjoint"]).solver,
    { beta: 0.85, tEnd: 10, stepSize: 0.5, method: "l1", gradient: "continuous-adjoint" });
  assert.deepEqual(parseTrainArgs(["cora"]).solver, { beta: 0.85, tEnd: 20, stepSize: 2, method: "predictor", gradient: "direct" });
  const cases: [string[], RegExp][] = [
    [[], /data set is missing; allowed: cora, citeseer/],
    [["pubmed"], /data set is "pubmed"; allowed: cora, citeseer/],
    [["cora", "--seeds", "0"], /--seeds is "0"; allowed: a positive integer/],
    [["cora", "--seeds", "2.5"], /--seeds is "2.5"; allowed: a positive integer/],
    [["cora", "--heads", "0"], /--heads is "0"; allowed: a positive integer/],
    [["cora", "--epochs"], /--epochs needs a value; allowed: a positive integer/],
    [["cora", "--beta", "1.2"], /--beta is "1.2"; allowed: a number in \(0, 1\]/],
    [["cora", "--lr", "abc"], /--lr is "abc"; allowed: a positive number/],
    [["cora", "--adjoint=fast"], /--adjoint is "fast"; allowed: discrete or continuous/],
    [["cora", "--adjoint=toString"], /--adjoint is "toString"; allowed: discrete or continuous/],
    [["cora", "--gradient", "exact"], /--gradient is "exact"; allowed: direct, adjoint, continuous-adjoint/],
    [["cora", "--method", "rk4"], /--method is "rk4"; allowed: predictor, corrector, l1, gl, trapezoid/],
    [["cora", "--frobnicate"], /unknown option "--frobnicate"; allowed: .*--seeds/],
    [["cora", "citeseer"], /got 2 data sets/],
  ];
  for (const [args, re] of cases) assert.throws(() => parseTrainArgs(args), re, args.join(" "));
  const errors: string[] = [];
  const original = console.error;
  console.error = (s: string) => { errors.push(s); };
  try {
    assert.equal(await runTrain(["cora", "--seeds", "-1"]), 2);
  } finally {
    console.error = original;
  }
  assert.match(errors.join("\n"), /nfde train: --seeds is "-1"; allowed: a positive integer/);
});

test("nfde train mnist: flags fill the classifier's solve; a bad or misspelt flag names itself, its value and what is allowed", () => {
  const a = parseMnistArgs(["--adjoint", "--epochs", "3", "--beta=0.5", "--tEnd", "4", "--stepSize", "0.2", "--json", "--source", "idx"]);
  assert.deepEqual(a.solver, { beta: 0.5, tEnd: 4, stepSize: 0.2, method: "predictor", gradient: "adjoint" });
  assert.equal(a.epochs, 3);
  assert.equal(a.json, true);
  assert.equal(a.source, "idx");
  assert.equal(a.schedule, "cosine");
  assert.equal(parseMnistArgs(["--schedule", "constant"]).schedule, "constant");
  assert.deepEqual(parseMnistArgs([]).solver, { beta: 0.9, tEnd: 2, stepSize: 0.1, method: "predictor", gradient: "direct" });
  const cases: [string[], RegExp][] = [
    [["--epochs", "0"], /--epochs is "0"; allowed: a positive integer/],
    [["--beta", "2"], /--beta is "2"; allowed: a number in \(0, 1\]/],
    [["--tEnd"], /--tEnd needs a value; allowed: a positive number/],
    [["--source", "web"], /--source is "web"; allowed: embedded, idx/],
    [["--schedule", "step"], /--schedule is "step"; allowed: cosine, constant/],
    [["--method", "rk4"], /--method is "rk4"; allowed: predictor/],
    [["--adjoint=yes"], /--adjoint is "yes"; allowed: no value/],
    [["--epoch", "3"], /unknown option "--epoch"; allowed: --epochs/],
    [["cora"], /unexpected argument "cora" after mnist/],
  ];
  for (const [args, re] of cases) assert.throws(() => parseMnistArgs(args), re, args.join(" "));
});
