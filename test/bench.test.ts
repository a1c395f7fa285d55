// nfde bench at tiny sizes: every configuration kind runs once in each mode, so the command cannot rot.
// No wall times are asserted.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CONFIGS, runConfig, runInChild, suiteConfigs, selectConfigs, resultRows, summaryRows, breakdownRows, formatTable,
  benchFigures, threadVerdict, stepsOf, type BenchConfig, type BenchResult, type FgrandBenchConfig,
} from "../src/bench";
import { fgrandProblem } from "../src/bench/fgrand-problem";
import { tf } from "../src/backend";
import { loadPlanetoidSync } from "../src/data";
import { FGrandL } from "../src/models";
import { planetoidNodeData, trainingLoss } from "../src/train";
import { runBench } from "../src/cli/bench";
import { skipWithoutPlanetoid } from "./helpers/data";

const tinyB1: FgrandBenchConfig = {
  kind: "fgrand", name: "B1-tiny", dataset: "cora", hidden: 4, lr: 0.01, solver: { beta: 0.85, tEnd: 4, stepSize: 1, method: "predictor" },
};
const tinyB2: BenchConfig = {
  kind: "mlp", name: "B2-tiny", rows: 16, dim: 8, hidden: 16, lr: 1e-3, solver: { beta: 0.6, tEnd: 2, stepSize: 0.25, method: "predictor" },
};

function checkResult(r: BenchResult, c: BenchConfig, mode: string): void {
  assert.equal(r.config, c.name);
  assert.equal(r.mode, mode);
  assert.equal(r.n, Math.round(c.solver.tEnd / c.solver.stepSize));
  assert.equal(r.hidden, c.hidden);
  for (const k of ["peakBytes", "rssPeakMB", "stepMsMedian", "stepMsMin", "stepMsMax", "gradRelDiff", "kernels", "loss"] as const) {
    assert.equal(typeof r[k], "number", k);
    assert.ok(Number.isFinite(r[k]), `${k} = ${r[k]}`);
  }
  assert.ok(r.peakBytes > 0 && r.kernels > 0);
  assert.ok(r.stepMsMin <= r.stepMsMedian && r.stepMsMedian <= r.stepMsMax);
  assert.ok(r.stepMs.length >= 1);
  assert.ok(r.gradRelDiff <= 1e-4, `gradRelDiff ${r.gradRelDiff}`);
  assert.equal(typeof r.breakdown.forwardMs, "number");
}

async function both(c: BenchConfig): Promise<BenchResult[]> {
  const d = await runConfig(c, "direct", { repeats: 1 });
  const a = await runConfig(c, "adjoint", { repeats: 1 });
  checkResult(d, c, "direct");
  checkResult(a, c, "adjoint");
  assert.ok(a.peakBytes < d.peakBytes, `adjoint peak ${a.peakBytes} >= direct peak ${d.peakBytes}`);
  return [d, a];
}

test("bench: configurations and suites are the issue's", () => {
  assert.deepEqual(suiteConfigs("memory").map((c) => c.name), ["B1-H64", "B1-H256", "B2"]);
  assert.deepEqual(suiteConfigs("scaling").map((c) => c.name), ["B3-N10", "B3-N20", "B3-N40", "B3-N80", "B3-N160", "B3-N320"]);
  assert.deepEqual(suiteConfigs("all").map((c) => c.name), [...suiteConfigs("memory"), ...suiteConfigs("scaling")].map((c) => c.name));
  assert.deepEqual(suiteConfigs("horizon").map((c) => c.name), ["H-tiny-N1000", "H-tiny-N4000", "H-tiny-N20000", "H-B2-N1280", "H-B2-N5120"]);
  assert.deepEqual(selectConfigs(["B2", "B3-N160"]).map((c) => c.name), ["B2", "B3-N160"]);
  assert.equal(selectConfigs(["B1"]).length, 2);
  assert.throws(() => selectConfigs(["B4"]), /"B4" matches no configuration; allowed: B1-H64/);
  assert.throws(() => suiteConfigs("fast" as never), /suite is "fast"; allowed: memory, scaling, horizon, all/);
});

test("bench: MLP configuration (B2/B3) at tiny size, both modes, plus a run in a child process", async () => {
  const rs = await both(tinyB2);
  const child = await runInChild(tinyB2, "adjoint", { repeats: 1, threads: 2 });
  checkResult(child, tinyB2, "adjoint");
  assert.equal(child.threads, "2");
  assert.ok(child.rssPeakMB >= 0 && child.rssPeakMB < 1000);
  const rows = resultRows(rs);
  assert.equal(rows.length, 2);
  assert.equal(summaryRows(rs).length, 1);
  assert.equal(breakdownRows(rs).length, 2);
  assert.match(formatTable(rows), /B2-tiny/);
  assert.equal(threadVerdict([...rs, { ...rs[0], threads: "2" }]).length, 2);
  const figs = benchFigures([...rs, ...rs.map((r) => ({ ...r, config: "B3-N10" }))]);
  assert.equal(figs.length, 4);
});

test("bench: F-GRAND-l configuration (B1) on Cora at tiny size, both modes", { skip: skipWithoutPlanetoid("cora") }, async () => {
  await both(tinyB1);
});

test("bench: B1 measures the FGrandL users train (its variables, options and the trainer's loss)", { skip: skipWithoutPlanetoid("cora") }, () => {
  const before = tf.memory().numTensors;
  const p = fgrandProblem(tinyB1, 7);
  assert.ok(p.model instanceof FGrandL);
  assert.equal(p.variables, p.model.variables);
  assert.deepEqual({ ...p.model.options.solver }, { ...tinyB1.solver, gradient: "direct" });
  assert.equal(p.model.options.attention, false);
  assert.equal(p.model.options.hidden, tinyB1.hidden);
  // the same FGrandL built as a user would, trained by the trainer's loss
  const d = loadPlanetoidSync("cora");
  const data = planetoidNodeData(d);
  const plain = new FGrandL(d.edges, d.numNodes, {
    numFeatures: d.numFeatures, numClasses: d.numClasses, hidden: tinyB1.hidden, inputDropout: 0, dropout: 0, seed: 7, solver: tinyB1.solver,
  });
  const [ours, bench, benchAdjoint] = tf.tidy(() => [trainingLoss(plain, data), p.loss("direct"), p.loss("adjoint")].map((l) => l.dataSync()[0]));
  assert.equal(bench, ours);
  assert.ok(Math.abs(benchAdjoint - ours) <= 1e-6 * Math.abs(ours), `adjoint-mode loss ${benchAdjoint} against ${ours}`);
  plain.dispose();
  data.dispose();
  p.dispose();
  assert.equal(tf.memory().numTensors, before, "no tensors leaked");
});

test("bench: configurations nest their solve; adjoint-taped runs the adjoint without the hand-written VJP", async () => {
  const b1 = CONFIGS.find((c) => c.name === "B1-H64")!;
  assert.deepEqual(b1.solver, { beta: 0.85, tEnd: 40, stepSize: 1, method: "predictor" });
  assert.equal(stepsOf(b1), 40);
  assert.equal(stepsOf(CONFIGS.find((c) => c.name === "B3-N160")!), 160);
  const taped = await runConfig(tinyB2, "adjoint-taped", { repeats: 1 });
  checkResult(taped, tinyB2, "adjoint-taped");
  assert.equal(taped.breakdown.backwardVjpMs, 0, "no hand-written VJP is called");
  assert.ok(taped.breakdown.backwardFieldMs > 0, "the adjoint tapes f in the backward pass");
});

test("bench: bad arguments name the argument, the value and what is allowed", async () => {
  await assert.rejects(runConfig(tinyB2, "sideways" as never), /mode is "sideways"; allowed: direct, adjoint/);
  await assert.rejects(runConfig(tinyB2, "direct", { repeats: 0 }), /repeats is 0; allowed: an integer >= 1/);
  await assert.rejects(runConfig("B9", "direct"), /config is "B9"; allowed: B1-H64/);
  await assert.rejects(runBench(["--suite", "huge"]), /--suite is "huge"; allowed: memory, scaling, horizon, all/);
  await assert.rejects(runBench(["--modes", "direct,up"]), /--modes has "up"/);
  await assert.rejects(runBench(["--plot", "x.png"]), /--plot is "x.png"; allowed: a file name ending in .html/);
  assert.throws(() => runInChild(tinyB2, "direct", { threads: "two" }), /threads is two; allowed: a positive integer/);
});

test("bench: the long-horizon state (tanh(yW)) runs in both modes; a config limited to the adjoint refuses direct and may skip tf.profile", async () => {
  const tiny: BenchConfig = { kind: "tanh", name: "H-tiny-test", rows: 4, dim: 8, hidden: 8, lr: 1e-3, solver: { beta: 0.6, tEnd: 0.3, stepSize: 0.01, method: "predictor" } };
  const [, a] = await both(tiny);
  assert.ok(a.gradRelDiff <= 1e-5, `the hand-written VJP of tanh(yW): adjoint vs direct ${a.gradRelDiff}`);
  const long: BenchConfig = { ...tiny, name: "H-tiny-adjoint-only", modes: ["adjoint"], profile: false, repeats: 1 };
  await assert.rejects(runConfig(long, "direct"), /H-tiny-adjoint-only runs in mode adjoint only; mode "direct" does not fit \(N = 30\)/);
  const r = await runConfig(long, "adjoint");
  assert.ok(Number.isNaN(r.peakBytes) && Number.isNaN(r.kernels) && Number.isNaN(r.gradRelDiff), "profile false: no tf.profile, no direct gradient check");
  assert.equal(r.stepMs.length, 1);
  assert.ok(Number.isFinite(r.rssPeakMB) && r.stepMsMedian > 0);
  const horizon = CONFIGS.find((c) => c.name === "H-tiny-N20000")!;
  assert.deepEqual([stepsOf(horizon), horizon.modes, horizon.profile], [20000, ["adjoint"], false]);
});
