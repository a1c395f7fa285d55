// readme-tables --record: runs `nfde train|bench ... --json` (or takes its output captured earlier) and writes
// the run's result lines, with the machine and the aggregate figures, into a result file.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ROOT, type Kind, type Machine, type ResultLine } from "./format";

function load1(): number {
  return Math.round(os.loadavg()[0] * 100) / 100;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** The machine as this process sees it (loads the backend: run in the environment of the measurement). */
function thisMachine(): Machine {
  const { backendInfo } = require("../../backend") as typeof import("../../backend");
  const { tensorflowVersion } = require("../../tfjs-internals") as typeof import("../../tfjs-internals");
  const info = backendInfo();
  const tensorflow = tensorflowVersion();
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? "?", cores: cpus.length, backend: info.name,
    ...(tensorflow ? { tensorflow } : {}), threads: info.intraOpThreads, node: process.version,
  };
}

/** Result lines for one run of `nfde ARGS` from its stdout lines (JSON lines only). */
export function recordLines(args: string[], stdout: string, meta: { started: string; machine: Machine }): ResultLine[] {
  const command = `nfde ${args.join(" ")}`;
  const outputs = stdout.split("\n").filter((l) => l.trim().startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);
  if (outputs.length === 0) throw new Error(`${command} printed no JSON line (does it have --json?)`);
  const kind: Kind = args[0] === "train" ? "train" : args[0] === "bench" ? "bench" : (() => { throw new Error(`cannot record "${args[0]}"; allowed: train, bench`); })();
  const base = { kind, run: meta.started, date: meta.started.slice(0, 10), command, machine: meta.machine };
  let parsed: Record<string, unknown> | undefined;
  const mnist = kind === "train" && args[1] === "mnist";
  if (mnist) {
    const { parseMnistArgs } = require("../train-mnist") as typeof import("../train-mnist");
    parsed = { ...parseMnistArgs(args.slice(2)) };
  } else if (kind === "train") {
    const { parseTrainArgs } = require("../train") as typeof import("../train");
    parsed = { ...parseTrainArgs(args.slice(1)) };
  }
  const lines: ResultLine[] = outputs.map((output) => ({
    ...base, source: "output", provenance: `printed by ${command}`, ...(parsed ? { args: parsed } : {}), output,
  }));
  // nfde train mnist prints its own summary line: no aggregate to compute
  if (kind === "train" && !mnist) {
    const seeds = outputs.filter((o) => typeof o.seed === "number");
    const summary = outputs.find((o) => o.summary === true);
    lines.push({
      ...base, source: "aggregate", provenance: `computed by readme-tables --record from the ${seeds.length} seed lines of this run`, args: parsed,
      output: {
        dataset: seeds[0]?.dataset, aggregate: true, seeds: seeds.length,
        meanTestAcc: summary?.meanTestAcc, stdTestAcc: summary?.stdTestAcc,
        msPerEpochMedian: median(seeds.map((o) => o.msPerEpoch as number)),
        peakBytesMedian: seeds.every((o) => typeof o.peakBytes === "number") ? median(seeds.map((o) => o.peakBytes as number)) : null,
      },
    });
  }
  return lines;
}

/** Replaces the lines of `lines[0].command` in `file` by `lines` (other commands' lines stay). */
export function writeRecorded(file: string, lines: ResultLine[]): void {
  const command = lines[0].command;
  const kept = fs.existsSync(file)
    ? fs.readFileSync(file, "utf8").split("\n").filter((l) => l.trim() !== "" && (JSON.parse(l) as ResultLine).command !== command)
    : [];
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, [...kept, ...lines.map((l) => { const { file: _f, line: _l, ...rest } = l; return JSON.stringify(rest); })].join("\n") + "\n");
}

function flag(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

export async function record(argv: string[]): Promise<number> {
  const file = flag(argv, "--record");
  const dash = argv.indexOf("--");
  if (!file || !file.endsWith(".jsonl") || dash < 0 || dash === argv.length - 1) {
    console.error("usage: readme-tables --record results/FILE.jsonl [--from OUT.jsonl --started ISO [--ended ISO] [--load A,B] [--nice N]] -- train|bench ARGS");
    return 2;
  }
  const args = argv.slice(dash + 1);
  const machine = thisMachine();
  const from = flag(argv, "--from");
  let stdout: string, started: string;
  if (from !== undefined) {
    stdout = fs.readFileSync(from, "utf8");
    started = flag(argv, "--started") ?? (() => { throw new Error("--from needs --started ISO (when the command started)"); })();
    const loads = flag(argv, "--load")?.split(",").map(Number);
    if (loads) machine.load1 = { start: loads[0], end: loads[1] };
  } else {
    started = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    const start = load1();
    stdout = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(ROOT, "dist", "cli", "main.js"), ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
      let out = "";
      child.stdout.on("data", (b: Buffer) => { out += b.toString(); });
      child.on("error", reject);
      child.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`nfde ${args.join(" ")} exited with ${code}`))));
    });
    machine.load1 = { start, end: load1() };
    const priority = os.getPriority(); // the child inherits it (nice -n 10 ...)
    if (priority !== 0) machine.nice = priority;
  }
  const nice = flag(argv, "--nice");
  if (nice !== undefined) machine.nice = Number(nice);
  const lines = recordLines(args, stdout, { started, machine });
  writeRecorded(file, lines);
  console.log(`${file}: ${lines.length} lines of ${lines[0].command}`);
  return 0;
}
