// nfde bench: runs the benchmark suites in child processes and prints a table (or JSON lines).
import * as fs from "node:fs";
import { parseArgs } from "node:util";
import { SUITES, selectConfigs, suiteConfigs, type Suite } from "../bench/configs";
import { runSuite } from "../bench/runner";
import {
  benchFigures, breakdownRows, formatTable, machineLine, resultRows, summaryRows, threadRows, threadVerdict,
} from "../bench/report";
import { BENCH_MODES, type BenchMode, type BenchResult } from "../bench/types";

const USAGE = `usage: nfde bench [--suite memory|scaling|horizon|all] [--configs B1,B2,B3-N160] [--modes direct,adjoint]
                  [--threads 1,2] [--repeats K] [--json] [--plot FILE.html] [--breakdown]
                  [--input RESULTS.jsonl]   (tables and figures from saved --json output, no run)
  all = memory + scaling (the README's table); horizon = long solves (N up to 20000), minutes per row`;

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

export async function runBench(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args, allowPositionals: false,
    options: {
      suite: { type: "string", default: "memory" }, configs: { type: "string" }, modes: { type: "string" },
      threads: { type: "string" }, repeats: { type: "string" }, json: { type: "boolean", default: false },
      plot: { type: "string" }, input: { type: "string" }, breakdown: { type: "boolean", default: false }, help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) { console.log(USAGE); return 0; }
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
  const results: BenchResult[] = values.input !== undefined ? readResults(values.input) : await runSuite({
    configs: chosen, modes, threads, repeats,
    onResult: (r) => {
      if (values.json) console.log(JSON.stringify(r));
      else process.stderr.write(`  ${r.config} ${r.mode} threads ${r.threads}: ${r.stepMsMedian.toFixed(1)} ms, ${(r.peakBytes / 2 ** 20).toFixed(1)} MB\n`);
    },
  });
  if (!values.json) {
    const what = values.input ?? (configs ? configs.join(",") : `suite ${suite}`);
    console.log(`nfde bench (${what}) — ${machineLine(results)}`);
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
