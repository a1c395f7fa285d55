// Mini-batch training of F-GRAND on GraphSAINT subgraphs (Zeng et al., ICLR 2020): each step samples a
// subgraph, runs the model on it (model.withGraph: the same variables on the subgraph's normalised Â) and
// takes one optimizer step on the normalised loss of its training nodes; the full graph is only read by the
// evaluation, untaped and in row chunks. { kind: "full" } is the full-batch baseline on the same loop.
import { tf } from "../backend";
import type { Scalar } from "@tensorflow/tfjs";
import { Rng } from "../util/rng";
import { nearest } from "../util/nearest";
import type { FGrandL } from "../models/fgrand";
import { FEATURE_FORMATS, nodeFeatures, type FeatureFormat, type NodeFeatures } from "../models/sparse-features";
import { attentionGraph, gcnScale } from "../graph/adjacency";
import { saintAdjacency, SUBGRAPH_AGGREGATIONS, type SubgraphAggregation } from "../graph/saint-adjacency";
import { SaintSampler, subgraphFeatures, type SaintSamplerOptions, type SaintSubgraph } from "../graph/saint-sampler";
import type { NodeDataset } from "../data/node-dataset";
import { fullGraphAccuracy } from "./full-graph-eval";
import { applyDecayedGradients, makeOptimizer, OPTIMIZERS, type OptimizerName } from "./optimizer";
import { defaultSubgraphsPerEpoch, resolveSampling, type SubgraphSampling } from "./subgraph-sampling";

export type { SubgraphSampling } from "./subgraph-sampling";

export interface MinibatchTrainOptions {
  /** Passes over the subgraph stream (default 100); an epoch is subgraphsPerEpoch steps. */
  epochs?: number;
  lr?: number;
  optimizer?: OptimizerName;
  /** L2 coefficient added to the gradients, as the full-batch trainer does (default 5e-4). */
  weightDecay?: number;
  /** Seed of the dropout masks and (unless sampler.seed is given) of the sampler (default 0). */
  seed?: number;
  /**
   * GraphSAINT's sampler (default: random walks, roots min(⌈n/10⌉, 2000), walkLength 2, preSamples enough for each node to
   * be pre-sampled about 50 times, at least 50: resolveSampling); { kind: "full" }: one full-graph step per epoch.
   */
  sampler?: SubgraphSampling;
  /**
   * How a subgraph's Â rescales the full graph's entries (constant-Â models; attention renormalises its softmax
   * over the subgraph's edges): "degree" (default) row v times d_v / d_v^sub, spectral radius 1 at any subgraph
   * size; "alpha" GraphSAINT's 1/α per edge, unbiased but unstable on small subgraphs (graph/saint-adjacency.ts).
   */
  aggregation?: SubgraphAggregation;
  /** Steps per epoch (default ⌈n / (roots·(walkLength+1))⌉, the node sampler ⌈n / budget⌉: about n nodes per epoch). */
  subgraphsPerEpoch?: number;
  /** Validation and test accuracy on the full graph every k epochs and after the last (default 1). */
  evalEvery?: number;
  /** Rows per chunk of the evaluation's encoder and decoder (default 16384). */
  evalChunkRows?: number;
  /** Hidden channels per solve of the evaluation (default 16; F-GRAND-nl solves all at once): its solver history is this wide. */
  evalChannels?: number;
  /** How the features become tensors (default "auto": dense unless sparse enough to gain, nodeFeatures). */
  featureFormat?: FeatureFormat;
  /** Stop after this many epochs without a better validation accuracy (default: never). */
  patience?: number;
  /** Profile the first step with tf.profile and report its peakBytes above the bytes live before it (default false). */
  measurePeak?: boolean;
  /** Called after every epoch; return false to stop. */
  onEpoch?: (r: MinibatchEpochRecord) => void | boolean;
  /** Called as each training pass and each evaluation begins (e.g. to read memory per phase). */
  onPhase?: (phase: "train" | "eval") => void;
  /** A line every logEvery epochs (default: no lines). */
  log?: (line: string) => void;
  logEvery?: number;
}

export interface MinibatchEpochRecord {
  epoch: number;
  /** Mean of the steps' losses (the normalised loss below); NaN when every step was skipped. */
  loss: number;
  /** Steps taken, and steps skipped because their subgraph held no training node. */
  steps: number;
  skipped: number;
  /** NaN in epochs without an evaluation. */
  valAcc: number;
  testAcc: number;
  bestValAcc: number;
  bestTestAcc: number;
  /** Milliseconds of the training pass (sampling included), and of the evaluation (0 without one). */
  ms: number;
  evalMs: number;
}

export interface MinibatchTrainResult {
  bestValAcc: number;
  /** Test accuracy at the evaluation with the best validation accuracy. */
  testAcc: number;
  bestEpoch: number;
  epochs: number;
  /** Mean training-pass milliseconds per epoch (evaluations excluded) and per evaluation. */
  msPerEpoch: number;
  msPerEval: number;
  subgraphsPerEpoch: number;
  /** Mean nodes and edges (self loops included) of the subgraphs trained on. */
  meanSubgraphNodes: number;
  meanSubgraphEdges: number;
  /** The sampler as run (null for full batch), and the subgraphs' aggregation (null for full batch). */
  sampler: SaintSamplerOptions | null;
  aggregation: SubgraphAggregation | null;
  peakBytes: number | null;
  history: MinibatchEpochRecord[];
}

const OPTION_NAMES = [
  "epochs", "lr", "optimizer", "weightDecay", "seed", "sampler", "aggregation", "subgraphsPerEpoch", "evalEvery", "evalChunkRows", "evalChannels", "featureFormat",
  "patience", "measurePeak", "onEpoch", "onPhase", "log", "logEvery",
] as const satisfies readonly (keyof MinibatchTrainOptions)[];
const allListed: Exclude<keyof MinibatchTrainOptions, (typeof OPTION_NAMES)[number]> extends never ? true : false = true;
void allListed;

const OWNER = "trainNodeClassifierMinibatch";

function fail(name: string, value: unknown, allowed: string): Error {
  const shown = typeof value === "number" ? String(value) : typeof value === "function" ? "a function" : JSON.stringify(value);
  return new Error(`${OWNER}: ${name} is ${shown}; allowed: ${allowed}`);
}

function checkOptions(o: MinibatchTrainOptions): void {
  if (o === null || typeof o !== "object") throw fail("options", o, "an object");
  for (const name of Object.keys(o)) {
    if (!(OPTION_NAMES as readonly string[]).includes(name)) {
      throw new Error(`${OWNER}: unknown option "${name}"; did you mean "${nearest(name, OPTION_NAMES)}"? (known: ${OPTION_NAMES.join(", ")})`);
    }
  }
  const s = o.sampler;
  const integer = (name: keyof MinibatchTrainOptions) => {
    const v = o[name];
    if (v !== undefined && !(Number.isInteger(v) && (v as number) > 0)) throw fail(name, v, "a positive integer");
  };
  (["epochs", "subgraphsPerEpoch", "evalEvery", "evalChunkRows", "evalChannels", "patience", "logEvery"] as const).forEach(integer);
  if (o.lr !== undefined && !(typeof o.lr === "number" && o.lr > 0 && Number.isFinite(o.lr))) throw fail("lr", o.lr, "a positive number");
  if (o.weightDecay !== undefined && !(typeof o.weightDecay === "number" && o.weightDecay >= 0 && Number.isFinite(o.weightDecay))) {
    throw fail("weightDecay", o.weightDecay, "a number >= 0");
  }
  if (o.optimizer !== undefined && !OPTIMIZERS.includes(o.optimizer)) throw fail("optimizer", o.optimizer, OPTIMIZERS.join(", "));
  if (o.seed !== undefined && !Number.isInteger(o.seed)) throw fail("seed", o.seed, "an integer");
  if (o.aggregation !== undefined && !SUBGRAPH_AGGREGATIONS.includes(o.aggregation)) {
    throw fail("aggregation", o.aggregation, SUBGRAPH_AGGREGATIONS.map((a) => `"${a}"`).join(", "));
  }
  if (o.aggregation !== undefined && s?.kind === "full") {
    throw new Error(`${OWNER}: aggregation is "${o.aggregation}" with sampler { kind: "full" }; allowed: only with a sampler of subgraphs`);
  }
  if (o.featureFormat !== undefined && !FEATURE_FORMATS.includes(o.featureFormat)) throw fail("featureFormat", o.featureFormat, FEATURE_FORMATS.join(", "));
  if (o.measurePeak !== undefined && typeof o.measurePeak !== "boolean") throw fail("measurePeak", o.measurePeak, "true, false");
  for (const name of ["onEpoch", "onPhase", "log"] as const) {
    if (o[name] !== undefined && typeof o[name] !== "function") throw fail(name, o[name], "a function");
  }
  if (s !== undefined && (s === null || typeof s !== "object" || Array.isArray(s))) {
    throw fail("sampler", s, `an object { kind: "random-walk" | "node" | "full", ... }`);
  }
  if (s?.kind === "full" && Object.keys(s).some((k) => k !== "kind")) {
    throw new Error(`${OWNER}: sampler { kind: "full" } takes no other option; got ${Object.keys(s).filter((k) => k !== "kind").join(", ")}`);
  }
  if (s?.kind === "full" && o.subgraphsPerEpoch !== undefined) {
    throw new Error(`${OWNER}: subgraphsPerEpoch is ${o.subgraphsPerEpoch} with sampler { kind: "full" }; allowed: only with a sampler of subgraphs (full batch takes one step per epoch)`);
  }
  if (s !== undefined && s.kind !== undefined && !["random-walk", "node", "full"].includes(s.kind)) {
    throw fail("sampler.kind", s.kind, `"random-walk", "node", "full"`);
  }
}

function checkData(model: FGrandL, d: NodeDataset): void {
  const n = d.numNodes, f = d.numFeatures;
  if (model.numNodes !== n) throw new Error(`${OWNER}: the model's graph has ${model.numNodes} nodes and the data set ${n}; allowed: the model built on the data set's graph`);
  if (model.options.numFeatures !== f) throw new Error(`${OWNER}: the model takes ${model.options.numFeatures} features and the data set has ${f}; allowed: equal`);
  if (model.options.numClasses < d.numClasses) throw new Error(`${OWNER}: the model has ${model.options.numClasses} classes and the data set ${d.numClasses}; allowed: at least the data set's`);
  if (d.features.length !== n * f) throw new Error(`${OWNER}: data.features has ${d.features.length} values; allowed: numNodes * numFeatures = ${n * f}`);
  if (d.labels.length !== n) throw new Error(`${OWNER}: data.labels has ${d.labels.length} entries; allowed: numNodes = ${n}`);
  if (![...d.trainIdx].some((v) => d.labels[v] >= 0)) throw new Error(`${OWNER}: data.trainIdx holds no labelled node; allowed: at least one`);
}

/** One step's operands: the graph view, its features, and the training rows with their loss weights. */
interface Batch {
  model: FGrandL;
  features: NodeFeatures;
  rows: Int32Array;
  labels: Int32Array;
  weights: Float32Array;
  nodes: number;
  edges: number;
  dispose(): void;
}

// GraphSAINT's loss normalisation (Zeng et al., ICLR 2020, §3.2, Proposition 3.2): a training node v of the
// subgraph weighs 1 / (λ_v |V_train|), λ_v = C_v / N the estimated probability that v is sampled, so that
// E[Σ_{v ∈ G_s ∩ V_train} CE_v / (λ_v |V_train|)] = (1 / |V_train|) Σ_{v ∈ V_train} CE_v, the full-batch loss
// (as GraphSAINT's code scales its norm_loss); full batch is λ_v = 1.
function subgraphBatch(model: FGrandL, d: NodeDataset, sub: SaintSubgraph, scale: Float32Array, aggregation: SubgraphAggregation,
  isTrain: Uint8Array, numTrain: number, format: FeatureFormat): Batch | null {
  const rows: number[] = [];
  for (let i = 0; i < sub.nodes.length; i++) if (isTrain[sub.nodes[i]]) rows.push(i);
  if (rows.length === 0) return null;
  const n = sub.nodes.length;
  const graph = model.options.attention ? attentionGraph(sub.edges, n) : saintAdjacency(sub, scale, aggregation);
  const view = model.withGraph(graph);
  const features = nodeFeatures(subgraphFeatures(d.features, d.numFeatures, sub.nodes), n, d.numFeatures, format, model.options.hidden);
  return {
    model: view, features, rows: Int32Array.from(rows), labels: Int32Array.from(rows, (i) => d.labels[sub.nodes[i]]),
    weights: Float32Array.from(rows, (i) => 1 / (sub.lossNorm[i] * numTrain)), nodes: n, edges: graph.numEdges,
    dispose: () => { features.dispose(); view.dispose(); },
  };
}

function batchLoss(b: Batch, numClasses: number, rng: Rng): Scalar {
  return tf.tidy(() => {
    const logits = tf.gather(b.model.logits(b.features, { training: true, rng }), tf.tensor1d(b.rows, "int32"));
    const perNode = tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d(b.labels, "int32"), numClasses), logits, undefined, 0, tf.Reduction.NONE);
    return tf.sum(tf.mul(perNode, tf.tensor1d(b.weights))) as Scalar;
  });
}

/**
 * Trains `model` (built on data's full graph) on subgraphs; the test accuracy is kept at the evaluation with
 * the best validation accuracy. The gradient is the model's own solver.gradient (e.g. "adjoint").
 * Deterministic given the seed and the model's initial weights.
 */
export async function trainNodeClassifierMinibatch(model: FGrandL, data: NodeDataset, opts: MinibatchTrainOptions = {}): Promise<MinibatchTrainResult> {
  checkOptions(opts);
  checkData(model, data);
  const n = data.numNodes;
  const epochs = opts.epochs ?? 100, lr = opts.lr ?? 0.01, wd = opts.weightDecay ?? 5e-4, seed = opts.seed ?? 0;
  const evalEvery = opts.evalEvery ?? 1, format = opts.featureFormat ?? "auto";
  const aggregation = opts.aggregation ?? "degree";
  const evalOpts = { chunkRows: opts.evalChunkRows ?? 16384, channels: opts.evalChannels ?? 16, format };
  const samplerOpts = resolveSampling(opts.sampler, n, seed);
  const sampler = samplerOpts ? new SaintSampler(n, data.edges, samplerOpts) : null;
  const steps = samplerOpts ? opts.subgraphsPerEpoch ?? defaultSubgraphsPerEpoch(samplerOpts, n) : 1;
  const isTrain = new Uint8Array(n);
  for (const v of data.trainIdx) if (data.labels[v] >= 0) isTrain[v] = 1;
  const trainRows = Int32Array.from([...data.trainIdx].filter((v) => isTrain[v]));
  const scale = sampler && !model.options.attention ? gcnScale(data.edges, n) : new Float32Array(0);
  const full = sampler ? null : nodeFeatures(data.features, n, data.numFeatures, format, model.options.hidden);
  const fullBatch = (): Batch => ({
    model, features: full!, rows: trainRows, labels: Int32Array.from(trainRows, (v) => data.labels[v]),
    weights: new Float32Array(trainRows.length).fill(1 / trainRows.length), nodes: n, edges: NaN, dispose: () => {},
  });
  const optimizer = makeOptimizer(opts.optimizer ?? "adam", lr);
  const decayIds = new Set(model.variables.map((v) => v.id));
  const dropoutRoot = new Rng(seed).fork(0x5eed);
  const history: MinibatchEpochRecord[] = [];
  let best = { val: -1, test: NaN, epoch: 0 };
  let peakBytes: number | null = null;
  let trainMs = 0, evalMs = 0, evals = 0, batches = 0, nodeSum = 0, edgeSum = 0;

  const step = (b: Batch, rng: Rng): number => {
    const { value, grads } = tf.variableGrads(() => batchLoss(b, model.options.numClasses, rng), model.variables);
    applyDecayedGradients(optimizer, model.variables, grads, wd, decayIds);
    const loss = value.dataSync()[0];
    tf.dispose([value, ...Object.values(grads)]);
    return loss;
  };

  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      opts.onPhase?.("train");
      const start = performance.now();
      const epochRng = dropoutRoot.fork(epoch);
      let lossSum = 0, taken = 0, skipped = 0;
      for (let s = 0; s < steps; s++) {
        const rng = epochRng.fork(s);
        const b = sampler ? subgraphBatch(model, data, sampler.sample(), scale, aggregation, isTrain, trainRows.length, format) : fullBatch();
        if (!b) { skipped++; continue; }
        try {
          let loss = NaN;
          if (opts.measurePeak && peakBytes === null) {
            const before = tf.memory().numBytes;
            peakBytes = (await tf.profile(() => { loss = step(b, rng); })).peakBytes - before;
          } else loss = step(b, rng);
          lossSum += loss;
          taken++;
          if (sampler) { batches++; nodeSum += b.nodes; edgeSum += b.edges; }
        } finally {
          b.dispose();
        }
      }
      const ms = performance.now() - start;
      trainMs += ms;
      let valAcc = NaN, testAcc = NaN, msEval = 0;
      if (epoch % evalEvery === 0 || epoch === epochs) {
        opts.onPhase?.("eval");
        const t0 = performance.now();
        [valAcc, testAcc] = fullGraphAccuracy(model, data, [data.valIdx, data.testIdx], evalOpts);
        msEval = performance.now() - t0;
        evalMs += msEval;
        evals++;
        if (valAcc > best.val) best = { val: valAcc, test: testAcc, epoch };
      }
      const record: MinibatchEpochRecord = {
        epoch, loss: taken ? lossSum / taken : NaN, steps: taken, skipped, valAcc, testAcc, bestValAcc: best.val, bestTestAcc: best.test, ms, evalMs: msEval,
      };
      history.push(record);
      if (opts.log && (epoch % (opts.logEvery ?? 1) === 0 || epoch === 1)) {
        opts.log(`epoch ${epoch}/${epochs} loss ${record.loss.toFixed(4)} val ${valAcc.toFixed(4)} test ${testAcc.toFixed(4)} ` +
          `(${taken} steps${skipped ? `, ${skipped} skipped` : ""}) ${ms.toFixed(0)} ms + eval ${msEval.toFixed(0)} ms`);
      }
      if (opts.onEpoch?.(record) === false) break;
      if (opts.patience !== undefined && best.epoch > 0 && epoch - best.epoch >= opts.patience) break;
      await new Promise((r) => setImmediate(r));
    }
  } finally {
    optimizer.dispose();
    full?.dispose();
  }
  return {
    bestValAcc: best.val, testAcc: best.test, bestEpoch: best.epoch, epochs: history.length,
    msPerEpoch: trainMs / Math.max(1, history.length), msPerEval: evals ? evalMs / evals : NaN, subgraphsPerEpoch: steps,
    meanSubgraphNodes: sampler ? nodeSum / Math.max(1, batches) : n,
    meanSubgraphEdges: sampler ? edgeSum / Math.max(1, batches) : NaN, sampler: samplerOpts, aggregation: samplerOpts ? aggregation : null, peakBytes, history,
  };
}
