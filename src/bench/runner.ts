// Runs each (configuration, mode[, thread count]) in a fresh Node process, so peaks are clean. Works from
// the TypeScript sources (through tsx) and from the compiled dist.
import { spawn } from "node:child_process";
import * as path from "node:path";
import { RESULT_MARK } from "./protocol";
import { resolveConfig, suiteConfigs, type Suite } from "./configs";
import type { RunOptions } from "./harness";
import type { BenchConfig, BenchMode, BenchResult } from "./types";
import { runRows, type RowSelection } from "./row-loop";

export interface ChildOptions extends RunOptions {
  /** TF_NUM_INTRAOP_THREADS of the child (default: inherited, i.e. the backend's default). */
  threads?: number | string;
  /** Kill the child after this many ms (default: no limit). */
  timeoutMs?: number;
  /** Called with each stderr chunk of the child (default: dropped, except on failure). */
  onStderr?: (text: string) => void;
}

function childCommand(): string[] {
  const isTs = __filename.endsWith(".ts");
  const entry = path.join(__dirname, isTs ? "child.ts" : "child.js");
  return isTs ? [require.resolve("tsx/cli"), entry] : [entry];
}

/**
 * V8 flags of the measuring children: the young generation's semi-spaces capped at 2 MB (default 16). Every
 * tfjs op leaves small JavaScript garbage; with the default, up to ~3 × 16 MB of it stays resident between
 * scavenges, which the peak RSS counted (README, "Peak RSS").
 */
export const CHILD_NODE_OPTIONS = "--max-semi-space-size=2";

/** runConfig in a fresh child process. */
export function runInChild(config: BenchConfig | string, mode: BenchMode, opts: ChildOptions = {}): Promise<BenchResult> {
  const c = resolveConfig(config);
  const { threads, timeoutMs, onStderr, ...runOpts } = opts;
  const env = { ...process.env };
  if (threads !== undefined) {
    if (!/^[1-9]\d*$/.test(String(threads))) throw new Error(`threads is ${threads}; allowed: a positive integer`);
    env.NFDE_INTRAOP_THREADS = String(threads);
  }
  env.NODE_OPTIONS = [env.NODE_OPTIONS, CHILD_NODE_OPTIONS].filter(Boolean).join(" ");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...childCommand(), JSON.stringify({ config: c, mode, opts: runOpts })],
      { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "", err = "";
    child.stdout.on("data", (d) => { out += d; });
    child.stderr.on("data", (d) => { err += d; onStderr?.(String(d)); });
    const timer = timeoutMs ? setTimeout(() => child.kill("SIGKILL"), timeoutMs) : null;
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (timer) clearTimeout(timer);
      const line = out.split("\n").find((l) => l.startsWith(RESULT_MARK));
      if (code === 0 && line) return resolve(JSON.parse(line.slice(RESULT_MARK.length)) as BenchResult);
      const why = signal ? `killed by ${signal}${timer ? ` (timeout ${timeoutMs} ms?)` : ""}` : `exit code ${code}`;
      reject(new Error(`bench child for ${c.name} (${mode}) failed: ${why}\n${err.split("\n").slice(-15).join("\n")}`));
    });
  });
}

export interface SuiteOptions extends Omit<ChildOptions, "threads">, RowSelection<BenchConfig, BenchMode, BenchResult> {
  /** Which configurations (default: the "memory" suite); ignored when `configs` is given. */
  suite?: Suite;
  /** Default ["direct", "adjoint"]. */
  modes?: BenchMode[];
}

/** Every selected configuration × mode × thread count, each in a fresh child, one after the other. */
export async function runSuite(opts: SuiteOptions = {}): Promise<BenchResult[]> {
  const { suite, configs, modes, threads, inProcess, onResult, ...childOpts } = opts;
  if (suite === "graph-scale" && !configs) throw new Error(`suite "graph-scale" trains for epochs rather than timing steps; run it with runGraphScaleSuite (graph-scale-runner.ts)`);
  const list = configs ? configs.map(resolveConfig) : suiteConfigs(suite ?? "memory");
  // a configuration lists the modes it fits in (direct's tape at long horizons does not)
  return runRows(list, modes ?? (["direct", "adjoint"] as BenchMode[]), threads, async (c, mode, t) => inProcess
    ? (await import("./harness")).runConfig(c, mode, childOpts)
    : runInChild(c, mode, { ...childOpts, threads: t }), onResult);
}
