// nfde bench --suite graph-scale: its configurations, the fit decision that turns a row too large for the
// machine into a "did not fit" row (from the estimate, or from a child killed at its time or memory limit),
// one small measured row in a child, and the CLI's JSON lines and table. No large graph is generated here.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  GRAPH_SCALE_CONFIGS, SUITES, estimateMemory, fitDecision, graphScaleNotes, graphScaleRows, runGraphScaleInChild, runGraphScaleSuite,
  selectGraphScaleConfigs, suiteConfigs, type GraphScaleConfig, type GraphScaleResult,
} from "../src/bench";
import { runBench } from "../src/cli/bench";

const GB = 1024;
const BUDGET = 18 * GB; // 75% of a 24 GB machine, the default there
const TINY: GraphScaleConfig = {
  ...GRAPH_SCALE_CONFIGS[0], name: "G-tiny", graph: { ...GRAPH_SCALE_CONFIGS[0].graph, nodes: 600, trainPerClass: 10 }, epochs: 2, evalEvery: 1,
};

test("graph-scale: three CSBM sizes, each in direct, adjoint and minibatch-adjoint; the README's suite 'all' is unchanged", () => {
  assert.deepEqual(GRAPH_SCALE_CONFIGS.map((c) => c.name), ["G-CSBM-N10000", "G-CSBM-N100000", "G-CSBM-N1000000"]);
  for (const c of GRAPH_SCALE_CONFIGS) {
    const { nodes, ...g } = c.graph;
    assert.deepEqual(g, { classes: 5, avgDegree: 10, homophily: 0.8, features: 128, signal: 1, seed: 1, trainPerClass: nodes / 100 });
    assert.deepEqual([c.hidden, c.solver, c.epochs, c.modes], [64, { beta: 0.85, tEnd: 10, stepSize: 1, method: "predictor" }, 30, undefined]);
    assert.ok(c.timeoutMs > 0);
  }
  assert.ok(SUITES.includes("graph-scale"));
  assert.deepEqual(suiteConfigs("graph-scale"), [], "its rows are not step-timing configurations");
  assert.deepEqual(suiteConfigs("all").map((c) => c.name), [...suiteConfigs("memory"), ...suiteConfigs("scaling")].map((c) => c.name));
  assert.deepEqual(selectGraphScaleConfigs(["G-CSBM"]).map((c) => c.graph.nodes), [1e4, 1e5, 1e6]);
  assert.deepEqual(selectGraphScaleConfigs(["G-CSBM-N100000"]).map((c) => c.name), ["G-CSBM-N100000"]);
  assert.throws(() => selectGraphScaleConfigs(["G-PPI"]), /"G-PPI" matches no graph-scale configuration; allowed: G-CSBM-N10000/);
});

test("graph-scale: the fit decision skips 10^6-node direct autodiff (its tape) and runs everything else on an 18 GB budget", () => {
  const [n4, n5, n6] = GRAPH_SCALE_CONFIGS;
  for (const c of [n4, n5]) for (const mode of ["direct", "adjoint", "minibatch-adjoint"] as const) assert.equal(fitDecision(c, mode, BUDGET).fits, true, `${c.name} ${mode}`);
  const d = fitDecision(n6, "direct", BUDGET);
  assert.equal(d.fits, false);
  assert.match(d.fits ? "" : d.reason, /^estimated peak 5\d\.\d GB \(set-up 1\.\d GB \+ training step 5\d\.\d GB\) > memory budget 18\.0 GB$/);
  assert.equal(fitDecision(n6, "adjoint", BUDGET).fits, true);
  assert.equal(fitDecision(n6, "minibatch-adjoint", BUDGET).fits, true);
  // the estimate grows with the graph; the mini-batch step with the subgraph (roots min(n/10, 2000): at most 6000 nodes from 10^5 up)
  const e = (c: GraphScaleConfig, m: "direct" | "adjoint" | "minibatch-adjoint") => estimateMemory(c, m);
  assert.ok(Math.abs(e(n6, "direct").trainMB / e(n5, "direct").trainMB - 10) < 0.01);
  assert.ok(e(n6, "adjoint").trainMB < e(n6, "direct").trainMB / 3);
  assert.ok(Math.abs(e(n6, "minibatch-adjoint").trainMB / e(n6, "adjoint").trainMB - 0.006) < 1e-4);
  assert.equal(e(n6, "minibatch-adjoint").trainMB, e(n5, "minibatch-adjoint").trainMB);
  assert.ok(e(n6, "minibatch-adjoint").totalMB > e(n6, "minibatch-adjoint").evalMB, "the full-graph evaluation is counted");
});

test("graph-scale: a row over the budget becomes a 'did not fit' row, with no child started and no exception", async () => {
  const seen: GraphScaleResult[] = [];
  const rows = await runGraphScaleSuite({ configs: ["G-CSBM-N1000000"], budgetMB: BUDGET, modes: ["direct"], onResult: (r) => seen.push(r) });
  assert.equal(rows.length, 1);
  assert.deepEqual(seen, rows);
  const [r] = rows;
  assert.deepEqual([r.suite, r.config, r.mode, r.status, r.nodes, r.n, r.budgetMB], ["graph-scale", "G-CSBM-N1000000", "direct", "did-not-fit", 1e6, 10, BUDGET]);
  assert.ok(r.estimateMB > BUDGET);
  assert.equal(r.rssPeakMB, null);
  assert.equal(r.testAcc, null);
  assert.match(graphScaleNotes(rows)[0], /^G-CSBM-N1000000 direct: did not fit: estimated peak .* > memory budget 18\.0 GB$/);
  assert.equal(graphScaleRows(rows)[0].result, "did not fit");
  // every row at once on a budget nothing fits in
  const all = await runGraphScaleSuite({ budgetMB: 1 });
  assert.equal(all.length, 9);
  assert.ok(all.every((x) => x.status === "did-not-fit"));
});

test("graph-scale: a child past its time limit or over the memory budget is killed and reported as not fitting", async () => {
  const late = await runGraphScaleInChild(TINY, "adjoint", { timeoutMs: 300 });
  assert.equal(late.status, "did-not-fit");
  assert.match(late.reason ?? "", /^killed: no result within the time limit of 0\.3 s$/);
  const big = await runGraphScaleInChild(TINY, "adjoint", { budgetMB: 20, pollMs: 50 });
  assert.equal(big.status, "did-not-fit");
  assert.match(big.reason ?? "", /^killed: RSS reached \d+ MB, over the memory budget 20 MB$/);
});

test("graph-scale: a small row measured in a child reports RSS, time per epoch and accuracy", async () => {
  const r = await runGraphScaleInChild(TINY, "minibatch-adjoint", { budgetMB: BUDGET });
  assert.equal(r.status, "ok", r.reason ?? "");
  assert.equal(r.reason, null);
  for (const k of ["baselineMB", "rssPeakMB", "rssTrainPeakMB", "peakBytes", "msPerEpoch", "msPerEval", "testAcc", "bestValAcc", "setupMs"] as const) {
    assert.ok(typeof r[k] === "number" && Number.isFinite(r[k]), `${k} = ${r[k]}`);
  }
  assert.ok(r.rssPeakMB! >= r.rssTrainPeakMB!);
  assert.ok(r.testAcc! >= 0 && r.testAcc! <= 1);
  assert.deepEqual([r.epochs, r.evals?.length, r.subgraphsPerEpoch], [2, 2, 4]);
  assert.ok(r.meanSubgraphNodes! > 0 && r.meanSubgraphNodes! <= 600);
  assert.equal(r.edges, r.edges! - (r.edges! % 2), "symmetric edges");
});

test("graph-scale: nfde bench prints one JSON line per row, and a table with the reasons of the rows that did not fit", async () => {
  const lines: string[] = [];
  const log = console.log;
  console.log = (s: unknown) => { lines.push(String(s)); };
  try {
    assert.equal(await runBench(["--suite", "graph-scale", "--memory-budget", "1", "--json"]), 0);
    const rows = lines.map((l) => JSON.parse(l) as GraphScaleResult);
    assert.equal(rows.length, 9);
    assert.deepEqual(rows.map((x) => `${x.config} ${x.mode}`).slice(0, 3), ["G-CSBM-N10000 direct", "G-CSBM-N10000 adjoint", "G-CSBM-N10000 minibatch-adjoint"]);
    assert.ok(rows.every((x) => x.suite === "graph-scale" && x.status === "did-not-fit"));
    lines.length = 0;
    assert.equal(await runBench(["--configs", "G-CSBM-N1000000", "--modes", "direct,minibatch-adjoint", "--memory-budget", "1"]), 0);
    const text = lines.join("\n");
    assert.match(text, /Graph scale/);
    assert.match(text, /G-CSBM-N1000000 direct: did not fit: estimated peak/);
    assert.match(text, /G-CSBM-N1000000 minibatch-adjoint: did not fit: estimated peak/);
    assert.doesNotMatch(text, /Adjoint vs direct/, "no step-timing tables for graph-scale rows alone");
  } finally {
    console.log = log;
  }
  await assert.rejects(runBench(["--suite", "graph-scale", "--epochs", "0"]), /--epochs is "0"; allowed: an integer >= 1/);
  await assert.rejects(runBench(["--suite", "graph-scale", "--memory-budget", "lots"]), /--memory-budget is "lots"; allowed: a number of MB > 0/);
  await assert.rejects(runBench(["--configs", "G-X"]), /"G-X" matches no graph-scale configuration/);
  await assert.rejects(runBench(["--modes", "sideways"]), /--modes has "sideways"; allowed: direct, adjoint, adjoint-taped, minibatch-adjoint/);
});
