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

const USAGE = `usage: nfde bench [--suite memory|scaling|horizon|all] [--configs B1,B2,B3-N160] [--modes direct,adjoint]
                  [--threads 1,2] [--repeats K] [--json] [--plot FILE.html] [--breakdown]
                  [--input RESULTS.jsonl]   (tables and figures from saved --json output, no run)
                  [--peers FILE.jsonl]      torchfde's figures to print beside ours (default: the newest set by
                                            date among the package's results/torchfde-*.jsonl)
       nfde bench --kernel-table [--json]   the fast history's K per method, β, N and tolerance (no solve)
  all = memory + scaling (the README's table); horizon = long solves (N up to 100000, exact and fast history),
  minutes per row`;

/** Wide enough for the longest horizon configuration name (H-tiny-N100000-fast-ckpt). */
const HORIZON_NAME_WIDTH = 24;

function list(value: string | undefined, name: string): string[] | undefined {
  if (value === undefined) return undefined;
  const items = value.split(",").map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new Error(`--${name} is "${value}"; allowed: a comma-separated list`);
  return items;
}

function readResults(file: string): BenchResult[] {
  if (!fs.existsSync(file)) throw new Error(`--input is "${file}"; allowed: an existing file of nfde bench --json lines`);
  return fs.readFileSync(file, "utf8").split("\n").filter((l) => l.trim().startsWith("{")).map((l) => JSON.parse(l) as BenchResult);
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
  const modes = list(values.modes, "modes") as BenchMode[] | undefined;
  modes?.forEach((m) => { if (!BENCH_MODES.includes(m)) throw new Error(`--modes has "${m}"; allowed: ${BENCH_MODES.join(", ")}`); });
  const threads = list(values.threads, "threads");
  const repeats = values.repeats === undefined ? undefined : Number(values.repeats);
  if (repeats !== undefined && !(Number.isInteger(repeats) && repeats >= 1)) throw new Error(`--repeats is "${values.repeats}"; allowed: an integer >= 1`);
  if (values.plot !== undefined && !values.plot.endsWith(".html")) throw new Error(`--plot is "${values.plot}"; allowed: a file name ending in .html`);

  const chosen = configs ? selectConfigs(configs) : suiteConfigs(suite);
  // Read before any run, so that a missing or malformed file fails at once; with --json, stdout holds result lines only.
  const peers = `peer figures: ${provenanceLine(usePeers(values.peers).provenance)}`;
  if (values.json) process.stderr.write(`${peers}\n`);
  const results: BenchResult[] = values.input !== undefined ? readResults(values.input) : await runSuite({
    configs: chosen, modes, threads, repeats,
    onResult: (r) => {
      if (values.json) console.log(JSON.stringify(r));
      else process.stderr.write(`  ${r.config} ${r.mode} threads ${r.threads}: ${r.stepMsMedian.toFixed(1)} ms, ${(r.peakBytes / 2 ** 20).toFixed(1)} MB` +
        `${typeof r.K === "number" ? `, K ${r.K}` : ""}${typeof r.exactRelDiff === "number" ? `, vs exact ${r.exactRelDiff.toExponential(1)}` : ""}\n`);
    },
  });
  if (!values.json) {
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
  if (values.plot) {
    const { writeHtml } = await import("../plot/export");
    writeHtml(values.plot, benchFigures(results), "nfde bench");
    if (!values.json) console.log(`\nfigures: ${values.plot}`);
  }
  return 0;
}
