// nfde bench: runs the benchmark suites in child processes and prints a table (or JSON lines).
import * as fs from "node:fs";
import { parseArgs } from "node:util";
import { SUITES, selectConfigs, suiteConfigs, type Suite } from "../bench/configs";
import { runSuite } from "../bench/runner";
import {
  benchFigures, breakdownRows, formatTable, machineLine, resultRows, summaryRows, threadRows, threadVerdict,
} from "../bench/report";
import { BENCH_MODES, type BenchMode, type BenchResult } from "../bench/types";
import { exactFastRows, growthRows, horizonRows, isHorizon } from "../bench/horizon-report";
import { KERNEL_GRID, kernelFailures, kernelRows, kernelTable } from "../bench/kernel-table";
import { provenanceLine, usePeers } from "../bench/peers";
import { GRAPH_SCALE_CONFIGS, isGraphScaleName, selectGraphScaleConfigs } from "../bench/graph-scale-configs";
import { runGraphScaleSuite } from "../bench/graph-scale-runner";
import { STATUS_TEXT, graphScaleNotes, graphScaleRows, isGraphScaleResult } from "../bench/graph-scale-report";
import { GRAPH_SCALE_MODES, type GraphScaleMode, type GraphScaleResult } from "../bench/graph-scale-types";

const USAGE = `usage: nfde bench [--suite memory|scaling|horizon|all|graph-scale] [--configs B1,B2,B3-N160] [--modes direct,adjoint]
                  [--threads 1,2] [--repeats K] [--json] [--plot FILE.html] [--breakdown]
                  [--epochs E] [--memory-budget MB]  (graph-scale: epochs per row instead of the configuration's;
                                            the memory a row may use, default 75% of this machine's)
                  [--input RESULTS.jsonl]   (tables and figures from saved --json output, no run)
                  [--peers FILE.jsonl]      torchfde's figures to print beside ours (default: the newest set by
                                            date among the package's results/torchfde-*.jsonl)
       nfde bench --kernel-table [--json]   the fast history's K per method, β, N and tolerance (no solve)
  all = memory + scaling (the README's table); horizon = long solves (N up to 100000, exact and fast history),
  minutes per row; graph-scale = F-GRAND-l trained on CSBM graphs of 10^4, 10^5, 10^6 nodes (G-CSBM-N10000, ...),
  modes direct, adjoint (full batch) and minibatch-adjoint (GraphSAINT): peak RSS, s/epoch, test accuracy;
  a row that cannot fit prints "did not fit: <reason>"`;

/** Wide enough for the longest horizon configuration name (H-tiny-N100000-fast-ckpt). */
const HORIZON_NAME_WIDTH = 24;

function list(value: string | undefined, name: string): string[] | undefined {
  if (value === undefined) return undefined;
  const items = value.split(",").map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new Error(`--${name} is "${value}"; allowed: a comma-separated list`);
  return items;
}

function readResults(file: string): (BenchResult | GraphScaleResult)[] {
  if (!fs.existsSync(file)) throw new Error(`--input is "${file}"; allowed: an existing file of nfde bench --json lines`);
  return fs.readFileSync(file, "utf8").split("\n").filter((l) => l.trim().startsWith("{")).map((l) => JSON.parse(l) as BenchResult | GraphScaleResult);
}

function printGraphScale(results: GraphScaleResult[]): void {
  console.log("\nGraph scale (RSS = peak RSS above the RSS after set-up over the run, full-graph evaluations included; train RSS = the same");
  console.log("over the training passes before the first evaluation; step peak = tf.profile's peak tensor bytes of one step;");
  console.log("s/epoch = training pass, evaluation excluded; test acc at the best validation accuracy):");
  console.log(formatTable(graphScaleRows(results)));
  for (const note of graphScaleNotes(results)) console.log(note);
}

function printKernelTable(json: boolean): number {
  const lines = kernelTable();
  if (json) {
    for (const l of lines) console.log(JSON.stringify(l));
    return 0;
  }
  const g = KERNEL_GRID;
  console.log(`nfde bench --kernel-table: h ${g.stepSize}; K = exponentials of the far lags' fit, err = its largest relative error ` +
    "over every far lag, ms = time to build the scheme's weights and the fit");
  for (const tolerance of g.tolerances) {
    console.log(`\ntolerance ${tolerance.toExponential(0)}:`);
    console.log(formatTable(kernelRows(lines.filter((l) => l.tolerance === tolerance))));
  }
  const failures = kernelFailures(lines);
  if (failures.length) console.log(`\nfits that threw:\n  ${failures.join("\n  ")}`);
  return 0;
}

export async function runBench(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args, allowPositionals: false,
    options: {
      suite: { type: "string", default: "memory" }, configs: { type: "string" }, modes: { type: "string" },
      threads: { type: "string" }, repeats: { type: "string" }, json: { type: "boolean", default: false },
      plot: { type: "string" }, input: { type: "string" }, breakdown: { type: "boolean", default: false }, help: { type: "boolean", short: "h" },
      "kernel-table": { type: "boolean", default: false }, peers: { type: "string" },
      epochs: { type: "string" }, "memory-budget": { type: "string" },
    },
  });
  if (values.help) { console.log(USAGE); return 0; }
  if (values["kernel-table"]) {
    const other = args.filter((a) => a.startsWith("--") && a !== "--kernel-table" && a !== "--json");
    if (other.length) throw new Error(`--kernel-table takes only --json; got ${other.join(" ")}`);
    return printKernelTable(values.json);
  }
  const suite = values.suite as Suite;
  if (!SUITES.includes(suite)) throw new Error(`--suite is "${suite}"; allowed: ${SUITES.join(", ")}`);
  const configs = list(values.configs, "configs");
  const allModes = [...BENCH_MODES, ...GRAPH_SCALE_MODES.filter((m) => !(BENCH_MODES as readonly string[]).includes(m))];
  const modes = list(values.modes, "modes");
  modes?.forEach((m) => { if (!(allModes as string[]).includes(m)) throw new Error(`--modes has "${m}"; allowed: ${allModes.join(", ")}`); });
  const threads = list(values.threads, "threads");
  const repeats = values.repeats === undefined ? undefined : Number(values.repeats);
  if (repeats !== undefined && !(Number.isInteger(repeats) && repeats >= 1)) throw new Error(`--repeats is "${values.repeats}"; allowed: an integer >= 1`);
  if (values.plot !== undefined && !values.plot.endsWith(".html")) throw new Error(`--plot is "${values.plot}"; allowed: a file name ending in .html`);
  const epochs = values.epochs === undefined ? undefined : Number(values.epochs);
  if (epochs !== undefined && !(Number.isInteger(epochs) && epochs >= 1)) throw new Error(`--epochs is "${values.epochs}"; allowed: an integer >= 1`);
  const budgetMB = values["memory-budget"] === undefined ? undefined : Number(values["memory-budget"]);
  if (budgetMB !== undefined && !(budgetMB > 0 && Number.isFinite(budgetMB))) throw new Error(`--memory-budget is "${values["memory-budget"]}"; allowed: a number of MB > 0`);

  // graph-scale rows (names "G-...") train for epochs in their own runner; the others time steps
  const graphNames = configs?.filter(isGraphScaleName) ?? [];
  const stepNames = configs?.filter((n) => !isGraphScaleName(n)) ?? [];
  const chosen = configs ? (stepNames.length ? selectConfigs(stepNames) : []) : suiteConfigs(suite);
  const graphChosen = configs ? (graphNames.length ? selectGraphScaleConfigs(graphNames) : []) : suite === "graph-scale" ? [...GRAPH_SCALE_CONFIGS] : [];
  const stepModes = modes?.filter((m): m is BenchMode => (BENCH_MODES as readonly string[]).includes(m));
  const graphModes = modes?.filter((m): m is GraphScaleMode => (GRAPH_SCALE_MODES as readonly string[]).includes(m));
  // Read before any run, so that a missing or malformed file fails at once; with --json, stdout holds result lines only.
  const peers = `peer figures: ${provenanceLine(usePeers(values.peers).provenance)}`;
  if (values.json && (chosen.length > 0 || graphChosen.length === 0)) process.stderr.write(`${peers}\n`);
  let results: BenchResult[], graphResults: GraphScaleResult[];
  if (values.input !== undefined) {
    const all = readResults(values.input);
    graphResults = all.filter(isGraphScaleResult);
    results = all.filter((r): r is BenchResult => !isGraphScaleResult(r));
  } else {
    results = chosen.length === 0 ? [] : await runSuite({
      configs: chosen, modes: stepModes, threads, repeats,
      onResult: (r) => {
        if (values.json) console.log(JSON.stringify(r));
        else process.stderr.write(`  ${r.config} ${r.mode} threads ${r.threads}: ${r.stepMsMedian.toFixed(1)} ms, ${(r.peakBytes / 2 ** 20).toFixed(1)} MB` +
          `${typeof r.K === "number" ? `, K ${r.K}` : ""}${typeof r.exactRelDiff === "number" ? `, vs exact ${r.exactRelDiff.toExponential(1)}` : ""}\n`);
      },
    });
    graphResults = graphChosen.length === 0 ? [] : await runGraphScaleSuite({
      configs: graphChosen, modes: graphModes, threads, epochs, budgetMB,
      onResult: (r) => {
        if (values.json) console.log(JSON.stringify(r));
        else process.stderr.write(`  ${r.config} ${r.mode}: ${r.status === "ok" ? `${((r.msPerEpoch ?? NaN) / 1000).toFixed(2)} s/epoch, ` +
          `RSS ${(r.rssPeakMB ?? NaN).toFixed(0)} MB, test acc ${(r.testAcc ?? NaN).toFixed(3)}` : `${STATUS_TEXT[r.status]}: ${r.reason}`}\n`);
      },
    });
  }
  if (!values.json && (results.length > 0 || graphResults.length === 0)) {
    const what = values.input ?? (configs ? configs.join(",") : `suite ${suite}`);
    console.log(`nfde bench (${what}) — ${machineLine(results)}`);
    console.log(peers);
    console.log("\nPer configuration and mode (ours beside torchfde's; ratios = ours / theirs):");
    console.log(formatTable(resultRows(results)));
    console.log("\nAdjoint vs direct:");
    console.log(formatTable(summaryRows(results)));
    const tr = threadRows(results);
    if (tr.length > 0) {
      console.log("\nThreads (median ms per step):");
      console.log(formatTable(tr));
      console.log(`geometric mean of time / best, per thread count: ${threadVerdict(results).map((v) => `${v.threads}: ${v.geoMeanRelative}`).join(", ")}`);
    }
    if (results.some(isHorizon)) {
      console.log("\nLong horizons (fwd+grad = median forward + gradient ms of a step, Adam left out; torchfde's time includes its first call;");
      console.log("vs exact = ‖y_fast(T) − y_exact(T)‖/‖y_exact(T)‖, value-only solves at the initial parameters):");
      console.log(formatTable(horizonRows(results), HORIZON_NAME_WIDTH));
      const growth = growthRows(results);
      if (growth.length) {
        console.log("\nGrowth of the fast history's time with N (slope p of t ∝ N^p, log-log):");
        console.log(formatTable(growth));
      }
      const ratios = exactFastRows(results);
      if (ratios.length) {
        console.log("\nExact / fast history at equal N:");
        console.log(formatTable(ratios));
      }
    }
    if (values.breakdown) {
      console.log("\nWhere the time goes (median ms; f = inside the vector field, rest = history sums and bookkeeping):");
      console.log(formatTable(breakdownRows(results)));
    }
  }
  if (!values.json && graphResults.length > 0) {
    const what = values.input ?? (configs ? graphNames.join(",") : `suite ${suite}`);
    const r = graphResults[0];
    console.log(`\nnfde bench (${what}) — ${r.date} | backend ${r.backend ?? "?"}, threads ${r.threads} | memory budget ${(r.budgetMB / 1024).toFixed(1)} GB`);
    printGraphScale(graphResults);
  }
  if (values.plot) {
    const { writeHtml } = await import("../plot/export");
    writeHtml(values.plot, benchFigures(results), "nfde bench");
    if (!values.json) console.log(`\nfigures: ${values.plot}`);
  }
  return graphResults.some((r) => r.status === "failed") ? 1 : 0;
}
