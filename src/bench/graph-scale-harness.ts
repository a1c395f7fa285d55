// Measures one graph-scale (configuration, mode) in this process: the CSBM graph and the model are set-up;
// then the mini-batch trainer runs the configuration's epochs (full batch: sampler "full"); the peak RSS above
// the RSS after set-up is read over the whole run and over the training passes before the first evaluation.
import { backendInfo } from "../backend";
import { csbm } from "../data/csbm";
import { FGrandL } from "../models/fgrand";
import { trainNodeClassifierMinibatch } from "../train/minibatch-node-classifier";
import { defaultBudgetMB, estimateMemory } from "./graph-scale-fit";
import { resolveGraphScaleConfig } from "./graph-scale-configs";
import { phaseRss } from "./rss";
import { checkGraphScaleMode, unmeasuredRow } from "./graph-scale-rows";
import type { GraphScaleConfig, GraphScaleMode, GraphScaleResult } from "./graph-scale-types";

export interface GraphScaleRunOptions {
  /** Epochs instead of the configuration's (e.g. a short smoke run). */
  epochs?: number;
  /** The budget the estimate is reported against (default: defaultBudgetMB()). */
  budgetMB?: number;
}

/** Runs one graph-scale configuration in one mode in this process (runGraphScaleInChild for a clean RSS). */
export async function runGraphScale(config: GraphScaleConfig | string, mode: GraphScaleMode, opts: GraphScaleRunOptions = {}): Promise<GraphScaleResult> {
  const c = resolveGraphScaleConfig(config);
  checkGraphScaleMode(c, mode);
  const epochs = opts.epochs ?? c.epochs;
  if (!(Number.isInteger(epochs) && epochs > 0)) throw new Error(`epochs is ${epochs}; allowed: a positive integer`);
  const t0 = performance.now();
  let setupMs = NaN, evaluated = false;
  const data = csbm(c.graph);
  const model = new FGrandL(data.edges, data.numNodes, {
    numFeatures: data.numFeatures, numClasses: data.numClasses, hidden: c.hidden, inputDropout: c.inputDropout, dropout: c.dropout,
    seed: 7, solver: { ...c.solver, gradient: mode === "direct" ? "direct" : "adjoint" },
  });
  const rss = phaseRss();
  try {
    const r = await trainNodeClassifierMinibatch(model, data, {
      epochs, lr: c.lr, seed: 0, evalEvery: c.evalEvery, measurePeak: true,
      sampler: mode === "minibatch-adjoint" ? { kind: "random-walk", ...c.sampler } : { kind: "full" },
      // Freed memory stays in the process (the allocator keeps it), so a training pass after an evaluation
      // starts from the evaluation's footprint: the training-only peak is read before the first evaluation.
      onPhase: (phase) => {
        if (Number.isNaN(setupMs)) setupMs = performance.now() - t0; // the sampler is built before the first pass
        if (phase === "eval") evaluated = true;
        rss.enter(evaluated ? "rest" : "train");
      },
    });
    const { baselineMB, peaksMB } = rss.finish();
    const last = r.history[r.history.length - 1];
    return {
      ...unmeasuredRow(c, mode, "did-not-fit", "", estimateMemory(c, mode).totalMB, opts.budgetMB ?? defaultBudgetMB()),
      status: "ok", reason: null, threads: backendInfo().intraOpThreads, edges: data.edges.src.length, baselineMB,
      rssPeakMB: Math.max(peaksMB.train ?? -Infinity, peaksMB.rest ?? -Infinity), rssTrainPeakMB: peaksMB.train ?? null, peakBytes: r.peakBytes,
      msPerEpoch: r.msPerEpoch, msPerEval: r.msPerEval, epochs: r.epochs, subgraphsPerEpoch: r.subgraphsPerEpoch,
      meanSubgraphNodes: r.meanSubgraphNodes, testAcc: r.testAcc, bestValAcc: r.bestValAcc, bestEpoch: r.bestEpoch,
      finalLoss: last?.loss ?? null, evals: r.history.filter((h) => !Number.isNaN(h.valAcc)).map((h) => ({ epoch: h.epoch, valAcc: h.valAcc, testAcc: h.testAcc })),
      setupMs, backend: backendInfo().name,
    };
  } finally {
    model.dispose();
  }
}
