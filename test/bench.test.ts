// nfde bench at tiny sizes: every configuration kind runs once in each mode, so the command cannot rot.
// No wall times are asserted.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  CONFIGS, runConfig, runInChild, suiteConfigs, selectConfigs, resultRows, summaryRows, breakdownRows, formatTable,
  benchFigures, threadVerdict, stepsOf, horizonRows, growthRows, exactFastRows, logLogSlope, kernelTable, kernelFailures, kernelRows,
  type BenchConfig, type BenchResult, type FgrandBenchConfig, type KernelFit,
} from "../src/bench";
import { fgrandProblem } from "../src/bench/fgrand-problem";
import {
  PEERS_DIR, activePeers, loadPeers, longTinyReferenceMs, newestPeers, peerFiles, provenance, provenanceLine, referenceFor, usePeers,
} from "../src/bench/peers";
import { tf } from "../src/backend";
import { loadPlanetoidSync } from "../src/data";
import { FGrandL } from "../src/models";
import { planetoidNodeData, trainingLoss } from "../src/train";
import { runBench } from "../src/cli/bench";
import { readResults } from "../src/cli/results/format";
import { applySections, figureProblems, readmeSections, renderSections } from "../src/cli/results/sections";
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
  assert.deepEqual(suiteConfigs("horizon").map((c) => c.name), [
    "H-tiny-N1000", "H-tiny-N1000-fast", "H-tiny-N4000", "H-tiny-N4000-fast", "H-tiny-N20000-fast", "H-tiny-N20000-fast-ckpt",
    "H-tiny-N100000-fast", "H-tiny-N100000-fast-ckpt",
    "H-B2-N1280", "H-B2-N1280-fast", "H-B2-N5120", "H-B2-N5120-fast", "H-B2-N5120-fast-ckpt", "H-B2-N20480-fast", "H-B2-N20480-fast-ckpt",
  ]);
  assert.deepEqual(selectConfigs(["B2", "B3-N160"]).map((c) => c.name), ["B2", "B3-N160"]);
  assert.equal(selectConfigs(["H-tiny"]).length, 8);
  assert.equal(selectConfigs(["H-B2"]).length, 7);
  assert.deepEqual(selectConfigs(["H-tiny-N1000"]).map((c) => c.name), ["H-tiny-N1000"], "a full name is that configuration alone");
  assert.deepEqual(selectConfigs(["H-tiny-N1000-fast", "H-B2-N5120"]).map((c) => c.name), ["H-tiny-N1000-fast", "H-B2-N5120"]);
  assert.equal(selectConfigs(["B1"]).length, 2);
  assert.throws(() => selectConfigs(["B4"]), /"B4" matches no configuration; allowed: B1-H64/);
  assert.throws(() => suiteConfigs("fast" as never), /suite is "fast"; allowed: memory, scaling, horizon, all/);
});

test("bench: MLP configuration (B2/B3) at tiny size, both modes, plus a run in a child process", async () => {
  const rs = await both(tinyB2);
  const child = await runInChild(tinyB2, "adjoint", { repeats: 1, threads: 2 });
  checkResult(child, tinyB2, "adjoint");
  assert.equal(child.threads, "2");
  assert.match(child.nodeOptions ?? "", /--max-semi-space-size=2/, "the child runs with the bench's V8 flags");
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
  await assert.rejects(runBench(["--kernel-table", "--suite", "all"]), /--kernel-table takes only --json; got --suite/);
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
  const adjointOnly = await runConfig({ ...tiny, name: "H-tiny-profile-adjoint", profile: ["adjoint"] }, "direct", { repeats: 1, gradCheck: false });
  assert.ok(Number.isNaN(adjointOnly.peakBytes) && Number.isNaN(adjointOnly.kernels), "profile [adjoint]: direct's step is not profiled");
  assert.equal(r.stepMs.length, 1);
  assert.ok(Number.isFinite(r.rssPeakMB) && r.stepMsMedian > 0);
  const horizon = CONFIGS.find((c) => c.name === "H-tiny-N20000-fast")!;
  assert.deepEqual([stepsOf(horizon), horizon.modes, horizon.profile], [20000, ["adjoint"], false]);
});

test("bench: the long-horizon configurations of issue 12 (exact, fast, fast with checkpoints) carry their solver options and limits", () => {
  const get = (name: string) => {
    const c = CONFIGS.find((x) => x.name === name);
    assert.ok(c, `${name} is a configuration`);
    return c;
  };
  const tiny = { kind: "tanh", rows: 4, dim: 8, hidden: 8 };
  const solver = (n: number, h: number, extra = {}) => ({ beta: 0.6, tEnd: n * h, stepSize: h, method: "predictor", ...extra });
  const expect: [string, Record<string, unknown>][] = [
    ["H-tiny-N1000", { ...tiny, solver: solver(1000, 0.01), modes: undefined, profile: ["adjoint", "adjoint-taped"], repeats: 3, exactCheck: undefined }],
    ["H-tiny-N1000-fast", { ...tiny, solver: solver(1000, 0.01, { history: "fast" }), modes: undefined, profile: ["adjoint", "adjoint-taped"], exactCheck: true }],
    ["H-tiny-N4000", { ...tiny, solver: solver(4000, 0.01), modes: ["adjoint"], profile: false, repeats: 1, exactCheck: undefined }],
    ["H-tiny-N4000-fast", { solver: solver(4000, 0.01, { history: "fast" }), modes: ["adjoint"], profile: false, exactCheck: true }],
    ["H-tiny-N20000-fast-ckpt", { solver: solver(20000, 0.01, { history: "fast", checkpoints: "auto" }), modes: ["adjoint"], exactCheck: true }],
    ["H-tiny-N100000-fast", { solver: solver(100000, 0.01, { history: "fast" }), modes: ["adjoint"], profile: false, repeats: 1, exactCheck: undefined }],
    ["H-tiny-N100000-fast-ckpt", { solver: solver(100000, 0.01, { history: "fast", checkpoints: "auto" }), exactCheck: undefined }],
    ["H-B2-N1280", { kind: "mlp", rows: 256, dim: 64, hidden: 256, solver: solver(1280, 0.05), modes: ["adjoint"], profile: false, repeats: 1 }],
    ["H-B2-N5120-fast", { solver: solver(5120, 0.05, { history: "fast" }), modes: ["adjoint"], exactCheck: true }],
    ["H-B2-N5120-fast-ckpt", { solver: solver(5120, 0.05, { history: "fast", checkpoints: "auto" }), exactCheck: true }],
    ["H-B2-N20480-fast", { solver: solver(20480, 0.05, { history: "fast" }), modes: ["adjoint"], profile: false, repeats: 1, exactCheck: undefined }],
    ["H-B2-N20480-fast-ckpt", { solver: solver(20480, 0.05, { history: "fast", checkpoints: "auto" }), exactCheck: undefined }],
  ];
  for (const [name, fields] of expect) {
    const c = get(name) as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(fields)) assert.deepEqual(c[k], v, `${name}.${k}`);
  }
  assert.equal(CONFIGS.some((c) => c.name === "H-tiny-N20000"), false, "no exact row at N = 20000");
  // direct autodiff only at N <= 1000 on the small state, never profiled (its kernel list overflows tf.profile);
  // tf.profile only up to 2000 steps
  for (const c of CONFIGS.filter((x) => x.name.startsWith("H-"))) {
    if (stepsOf(c) > 1000) assert.deepEqual(c.modes, ["adjoint"], c.name);
    if (stepsOf(c) > 2000) assert.equal(c.profile, false, c.name);
    if (!c.modes || c.modes.includes("direct")) assert.ok(Array.isArray(c.profile) && !c.profile.includes("direct"), c.name);
    if (c.solver.checkpoints !== undefined) assert.equal(c.solver.history, "fast", c.name);
  }
});

test("bench: a small fast-history configuration reports K and its distance from the exact solution; an exact one reports null", async () => {
  const base: BenchConfig = {
    kind: "tanh", name: "H-tiny-fast-test", rows: 4, dim: 8, hidden: 8, lr: 1e-3,
    solver: { beta: 0.6, tEnd: 1, stepSize: 0.01, method: "predictor", history: "fast" }, exactCheck: true,
  };
  const r = await runConfig(base, "adjoint", { repeats: 1 });
  assert.deepEqual([r.history, r.tolerance, r.checkpoints], ["fast", 1e-6, null]);
  assert.ok(typeof r.K === "number" && r.K > 0, `K = ${r.K}`);
  assert.ok(typeof r.exactRelDiff === "number" && r.exactRelDiff <= 10 * 1e-6, `fast vs exact ${r.exactRelDiff}`);
  assert.ok(r.gradRelDiff <= 1e-4, `the fast history's adjoint vs direct autodiff through it: ${r.gradRelDiff}`);
  const exact = await runConfig({ ...base, name: "H-tiny-exact-test", solver: { ...base.solver, history: undefined }, exactCheck: undefined }, "adjoint", { repeats: 1, gradCheck: false });
  assert.deepEqual([exact.history, exact.tolerance, exact.checkpoints, exact.K, exact.exactRelDiff], ["exact", null, null, null, null]);
  await assert.rejects(runConfig({ ...base, solver: { ...base.solver, history: "exact" } }, "adjoint"),
    /H-tiny-fast-test: exactCheck is true with history 'exact'; allowed: exactCheck only with history 'fast'/);
});

/** A horizon result with only the figures the horizon report reads. */
function horizonResult(config: string, n: number, ms: number, extra: Partial<BenchResult> = {}): BenchResult {
  return {
    config, mode: "adjoint", n, hidden: 8, threads: "2", peakBytes: NaN, rssPeakMB: 10, stepMsMedian: ms, stepMsMin: ms, stepMsMax: ms, stepMs: [ms],
    gradRelDiff: NaN, kernels: NaN, topKernels: [], loss: 0, setupMs: 0, load1: 0, backend: "tensorflow", date: "2026-12-01T00:00:00Z",
    breakdown: { forwardMs: ms / 4, forwardFieldMs: 0, backwardMs: (3 * ms) / 4, backwardFieldMs: 0, backwardVjpMs: 0, updateMs: 1 },
    history: "exact", tolerance: null, checkpoints: null, K: null, exactRelDiff: null, ...extra,
  };
}

test("bench: the horizon report's slopes, exact/fast ratios and torchfde speed-ups (synthetic results)", () => {
  const fast: Partial<BenchResult> = { history: "fast", tolerance: 1e-6, K: 20, exactRelDiff: 2e-6 };
  const results = [
    horizonResult("H-tiny-N1000", 1000, 1000),
    horizonResult("H-tiny-N4000", 4000, 16000),
    ...[[1000, 100], [4000, 400], [20000, 4000]].map(([n, ms]) => horizonResult(`H-tiny-N${n}-fast`, n, ms, fast)),
    horizonResult("H-tiny-N20000-fast-ckpt", 20000, 8000, { history: "fast", tolerance: 1e-6, checkpoints: "auto", K: 20, exactRelDiff: 2e-6 }),
    horizonResult("H-B2-N1280-fast", 1280, 50, { history: "fast", tolerance: 1e-6, K: 22 }),
    horizonResult("H-B2-N5120-fast", 5120, 200, { history: "fast", tolerance: 1e-6, K: 25 }),
    horizonResult("B2", 40, 5), // not a horizon row
  ];
  usePeers(path.join(PEERS_DIR, "torchfde-2026-12-01.jsonl")); // its long/tiny N = 4000 adjoint: 109.267 s
  const rows = horizonRows(results);
  usePeers();
  assert.equal(rows.length, 8);
  const row = (config: string) => rows.find((r) => r.config === config)!;
  assert.equal(row("H-tiny-N4000")["torchfde ms"], 109267);
  assert.equal(row("H-tiny-N4000-fast")["torchfde / ours"], Number((109267 / 400).toPrecision(3)));
  assert.equal(row("H-tiny-N4000-fast")["diff / tol"], 2);
  assert.equal(row("H-tiny-N20000-fast-ckpt").checkpoints, "auto");
  assert.equal(row("H-B2-N1280-fast")["torchfde ms"], null, "torchfde's long-horizon figures are the small state's only");
  assert.equal(row("H-tiny-N1000").K, null);

  const growth = growthRows(results);
  const slope = (state: string, variant: string, from: number, to: number) =>
    growth.find((g) => g.state === state && g.variant === variant && g["N from"] === from && g["N to"] === to)?.slope;
  assert.equal(slope("H-tiny", "fast", 1000, 4000), 1);
  assert.equal(slope("H-tiny", "fast", 4000, 20000), Number((Math.log(10) / Math.log(5)).toPrecision(3)));
  assert.equal(slope("H-tiny", "fast", 1000, 20000), Number((Math.log(40) / Math.log(20)).toPrecision(3)), "first to last N");
  assert.equal(slope("H-B2", "fast", 1280, 5120), 1);
  assert.equal(growth.filter((g) => g.variant === "fast, checkpoints auto").length, 0, "one N: no slope");
  assert.equal(growth.filter((g) => g.variant === "exact").length, 0, "slopes of the fast rows only");
  assert.ok(Math.abs(logLogSlope(10, 1, 100, 100) - 2) < 1e-12);
  assert.throws(() => logLogSlope(10, 1, 10, 2), /logLogSlope: \(N, t\) = \(10, 1\) and \(10, 2\); allowed: positive values at two different N/);

  const ratios = exactFastRows(results);
  assert.deepEqual(ratios.map((r) => [r.state, r.N, r.variant, r["exact / fast"]]), [["H-tiny", 1000, "fast", 10], ["H-tiny", 4000, "fast", 40]]);
  assert.match(formatTable(rows, 24), /H-tiny-N20000-fast-ckpt/);
});

test("bench: the kernel table on a tiny grid gives K > 0 within the tolerance; a cell whose fit throws is named", () => {
  const lines = kernelTable({ methods: ["predictor"], betas: [0.6], steps: [1000], tolerances: [1e-6] });
  assert.equal(lines.length, 1);
  const [l] = lines as KernelFit[];
  assert.deepEqual([l.table, l.method, l.beta, l.n, l.h, l.tolerance], ["kernels", "predictor", 0.6, 1000, 0.01, 1e-6]);
  assert.ok(l.K > 0 && l.maxError <= 1e-6 && l.buildMs >= 0, JSON.stringify(l));
  assert.equal(kernelRows(lines)[0]["K N=1000"], l.K);
  assert.deepEqual(kernelFailures(lines), []);
  const failed = [{ ...l, K: undefined, error: "tolerance out of reach" }] as never[];
  assert.deepEqual(kernelFailures(failed), ["predictor: skipped, every fit threw: tolerance out of reach"]);
  assert.throws(() => kernelTable({ methods: ["euler" as never] }), /kernel table: method is "euler"; allowed: predictor, corrector/);
  assert.throws(() => kernelTable({ steps: [10] }), /kernel table: N is 10; allowed: whole numbers > 33/);
  assert.throws(() => kernelTable({ tolerances: [1e-9] }), /tolerance = 1e-9 is not allowed/);
});

test("README kernels section: rendered from the newest kernel-table run; a README without its markers is an error naming them", () => {
  const lines = readResults();
  const rendered = renderSections(lines);
  assert.match(rendered.kernels, /^\| method \| β \| N = 1000 \| N = 10000 \| N = 100000 \|$/m);
  assert.match(rendered.kernels, /^\| predictor \| 0\.5 \| \d+ \| \d+ \| \d+ \|$/m);
  const readme = "# x\n" + ["train", "bench", "threads", "horizon"].map((s) => `<!-- results:${s} -->\n<!-- /results:${s} -->\n`).join("");
  assert.throws(() => readmeSections(readme), /README.md has no <!-- results:kernels --> \.\.\. <!-- \/results:kernels --> section/);
  const marked = applySections(`${readme}<!-- results:kernels -->\n<!-- /results:kernels -->\n`, rendered);
  assert.equal(readmeSections(marked).kernels, rendered.kernels);
  assert.deepEqual(figureProblems(marked, lines).filter((p) => p.startsWith("kernels:")), []);
  assert.throws(() => readmeSections(`${readme}<!-- results:kernels -->\n`), /README.md has no <!-- results:kernels --> \.\.\. <!-- \/results:kernels --> section/);
});

// ---- torchfde's figures from results/torchfde-*.jsonl ------------------------------------------------------

/** The first line of `file` in the package's results/ whose output matches `config` and `mode`, parsed. */
function committedLine(file: string, config: string, mode: string): Record<string, any> {
  const lines = fs.readFileSync(path.join(PEERS_DIR, file), "utf8").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));
  const l = lines.find((x) => x.output.config === config && x.output.mode === mode);
  assert.ok(l, `${file} has ${config} ${mode}`);
  return l;
}

const tempDirs: string[] = [];
after(() => { for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true }); });
const tempDir = () => { const d = fs.mkdtempSync(path.join(os.tmpdir(), "nfde-peers-")); tempDirs.push(d); return d; };

function tempFile(name: string, text: string): string {
  const file = path.join(tempDir(), name);
  fs.writeFileSync(file, text);
  return file;
}

test("bench peers: the committed files load; figures and provenance are the 2026-12-01 file's", () => {
  const names = peerFiles().map((f) => path.basename(f));
  assert.ok(names.includes("torchfde-2026-12-01.jsonl") && names.includes("torchfde-issue7.jsonl"), names.join(", "));
  const dec = loadPeers(path.join(PEERS_DIR, "torchfde-2026-12-01.jsonl"));
  const b1 = committedLine("torchfde-2026-12-01.jsonl", "B1-H64", "adjoint").output;
  assert.deepEqual(referenceFor("B1-H64", "adjoint", dec), { stepMs: b1.stepMsMedian, rssMB: b1.rssPeakMB, liveMB: b1.liveMB });
  assert.deepEqual(referenceFor("B1-H64", "adjoint-taped", dec), referenceFor("B1-H64", "adjoint", dec), "adjoint-taped compares with torchfde's adjoint");
  assert.equal(referenceFor("B3-N160", "direct", dec)?.liveMB, null, "B3 has no live-memory figures");
  assert.equal(referenceFor("B4", "direct", dec), null);
  const tiny = committedLine("torchfde-2026-12-01.jsonl", "long/tiny", "adjoint");
  assert.equal(longTinyReferenceMs(tiny.output.n, "adjoint", dec), tiny.output.seconds * 1000);
  assert.equal(longTinyReferenceMs(4000, "direct", dec), null, "no direct figure at N = 4000");
  assert.deepEqual(provenance(dec), {
    tool: "torchfde", toolVersion: "8cd54347 (Dec 2025 head)", date: "2026-12-01",
    machine: "2 × AMD EPYC, PyTorch 2.13.0+cpu, 2 threads", file: "results/torchfde-2026-12-01.jsonl",
  });
  assert.equal(provenanceLine(provenance(dec)),
    "torchfde 8cd54347 (Dec 2025 head), 2026-12-01, 2 × AMD EPYC, PyTorch 2.13.0+cpu, 2 threads — results/torchfde-2026-12-01.jsonl");

  // the issue 7 set: its gradient-accuracy lines (output.figure) are skipped; no long-horizon figures
  const issue7 = loadPeers(path.join(PEERS_DIR, "torchfde-issue7.jsonl"));
  assert.equal(referenceFor("B1-H64", "adjoint", issue7)?.stepMs, committedLine("torchfde-issue7.jsonl", "B1-H64", "adjoint").output.stepMsMedian);
  assert.equal(issue7.figures.size, 18);
  assert.equal(longTinyReferenceMs(1000, "adjoint", issue7), null);
  assert.equal(provenance(issue7).date, "2026-11-27");
});

test("bench peers: the default is the newest set by date, and usePeers switches the reports' figures", () => {
  const dates = peerFiles().map((f) => loadPeers(f).provenance.date).sort();
  assert.equal(newestPeers().provenance.date, dates[dates.length - 1]);
  assert.equal(activePeers().provenance.date, dates[dates.length - 1]);
  // a newer set in another folder wins there, whatever the file names' order
  const dir = tempDir();
  const line = (date: string, stepMs: number) => JSON.stringify({
    kind: "reference", tool: "torchfde", toolVersion: "test", run: `${date}T00:00Z`, date, command: "test", source: "transcribed", provenance: "a test",
    machine: { cpu: "Test CPU", cores: 2, pytorch: "2.13.0+cpu", threads: "1" }, output: { config: "B2", mode: "direct", n: 40, stepMsMedian: stepMs, rssPeakMB: 1, liveMB: null },
  });
  fs.writeFileSync(path.join(dir, "torchfde-a.jsonl"), `${line("2031-05-01", 7)}\n`);
  fs.writeFileSync(path.join(dir, "torchfde-b.jsonl"), `${line("2030-01-01", 9)}\n`);
  fs.writeFileSync(path.join(dir, "other.jsonl"), "not a peer file\n");
  const newest = newestPeers(dir);
  assert.equal(newest.provenance.date, "2031-05-01");
  assert.equal(referenceFor("B2", "direct", newest)?.stepMs, 7);
  assert.equal(provenance(newest).machine, "2 × Test CPU, PyTorch 2.13.0+cpu, 1 thread");
  try {
    usePeers(path.join(dir, "torchfde-b.jsonl"));
    assert.equal(referenceFor("B2", "direct")?.stepMs, 9);
    assert.equal(resultRows([horizonResult("B2", 40, 18, { mode: "direct" })])[0]["time ratio"], 2);
  } finally {
    usePeers();
  }
  assert.equal(provenance().date, dates[dates.length - 1]);
});

test("bench peers: a missing or malformed file is an Error naming the file, the line and what was expected", () => {
  const good = fs.readFileSync(path.join(PEERS_DIR, "torchfde-2026-12-01.jsonl"), "utf8").split("\n").filter((l) => l.trim());
  const badJson = tempFile("torchfde-bad-json.jsonl", `${good[0]}\n${good[1]}\n{"kind": "reference", oops}\n`);
  assert.throws(() => loadPeers(badJson), (e: Error) => e.message.startsWith(`${badJson}:3: not JSON`) && /expected one JSON object per line/.test(e.message));
  const noConfig = JSON.parse(good[1]);
  delete noConfig.output.config;
  const missing = tempFile("torchfde-no-config.jsonl", `${good[0]}\n\n${JSON.stringify(noConfig)}\n`);
  assert.throws(() => loadPeers(missing), (e: Error) => e.message.startsWith(`${missing}:3: output.config is missing; expected a configuration name`));
  const noStep = JSON.parse(good[0]);
  delete noStep.output.stepMsMedian;
  assert.throws(() => loadPeers(tempFile("torchfde-x.jsonl", JSON.stringify(noStep))), /torchfde-x\.jsonl:1: output\.stepMsMedian is missing; expected a positive number of ms/);
  const otherDate = JSON.parse(good[1]);
  otherDate.date = "2026-12-02";
  assert.throws(() => loadPeers(tempFile("torchfde-y.jsonl", `${good[0]}\n${JSON.stringify(otherDate)}`)),
    /torchfde-y\.jsonl:2: date is "2026-12-02"; expected "2026-12-01" as on line 1 \(one set of figures per file\)/);
  assert.throws(() => loadPeers(tempFile("torchfde-z.jsonl", `${good[0]}\n${good[0]}\n`)), /torchfde-z\.jsonl:2: config and mode "B1-H64 direct" repeat an earlier line/);
  assert.throws(() => loadPeers(tempFile("torchfde-empty.jsonl", "\n")), /torchfde-empty\.jsonl: holds no figures/);
  assert.throws(() => loadPeers("/nonexistent/torchfde-none.jsonl"), /peer figures: \/nonexistent\/torchfde-none\.jsonl is not a file; expected a JSON-lines file/);
  assert.equal(provenance().file.startsWith("results/torchfde-"), true, "a failed load leaves the figures in use as they were");
});

test("bench peers: the report rows carry torchfde's columns from the file; nfde bench prints the provenance (stderr with --json)", async () => {
  const set = activePeers();
  const ref = referenceFor("B1-H64", "adjoint")!;
  assert.ok(ref && set.figures.size > 0);
  const r = { ...horizonResult("B1-H64", 40, 2 * ref.stepMs), peakBytes: 2 * 2 ** 20, rssPeakMB: ref.rssMB / 2, gradRelDiff: 1e-7, kernels: 10 };
  const [row] = resultRows([r]);
  assert.deepEqual([row["torch ms"], row["time ratio"], row["torch RSS MB"], row["RSS ratio"], row["torch live MB"]],
    [Number(ref.stepMs.toPrecision(3)), 2, ref.rssMB, 0.5, ref.liveMB]);
  const direct = referenceFor("B1-H64", "direct")!;
  const [sum] = summaryRows([{ ...r, mode: "direct" }, r]);
  assert.equal(sum["torch adj/dir time"], Number((ref.stepMs / direct.stepMs).toPrecision(3)));
  const [h] = horizonRows([horizonResult("H-tiny-N1000", 1000, 1000)]);
  assert.equal(h["torchfde ms"], Math.round(longTinyReferenceMs(1000, "adjoint")!));

  // nfde bench --input: one provenance line before the tables; with --json nothing on stdout, the line on stderr
  const input = tempFile("results.jsonl", `${JSON.stringify(r)}\n`);
  const capture = async (args: string[]) => {
    const out: string[] = [], err: string[] = [];
    const log = console.log, write = process.stderr.write;
    console.log = (...a: unknown[]) => { out.push(a.join(" ")); };
    process.stderr.write = ((s: string) => { err.push(String(s)); return true; }) as typeof process.stderr.write;
    try {
      await runBench(args);
    } finally {
      console.log = log;
      process.stderr.write = write;
      usePeers();
    }
    return { out: out.join("\n"), err: err.join("") };
  };
  const want = `peer figures: ${provenanceLine()}`;
  const text = await capture(["--input", input]);
  const lines = text.out.split("\n");
  assert.equal(lines[1], want, text.out);
  assert.ok(lines.findIndex((l) => l.startsWith("Per configuration")) > 1);
  const json = await capture(["--input", input, "--json"]);
  assert.equal(json.out, "");
  assert.equal(json.err, `${want}\n`);
  const issue7 = await capture(["--input", input, "--peers", path.join(PEERS_DIR, "torchfde-issue7.jsonl")]);
  assert.match(issue7.out, /^peer figures: torchfde Dec 2025 head, 2026-11-27, 2 × AMD EPYC, PyTorch 2\.13 CPU, 2 threads — results\/torchfde-issue7\.jsonl$/m);
  await assert.rejects(runBench(["--input", input, "--peers", "nope.jsonl"]), /peer figures: .*nope\.jsonl is not a file/);
});
