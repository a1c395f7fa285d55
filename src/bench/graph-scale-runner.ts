// Runs the graph-scale rows, each in a fresh child process (as the step-timing suites do), and turns a row that
// cannot fit into a "did not fit" row instead of a crash: before the run when its estimated peak exceeds the
// memory budget, during it when the child's RSS passes the budget or its time limit (the child is killed), or
// after it when the child died of an allocation failure or was killed from outside (the kernel's OOM killer).
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { RESULT_MARK } from "./protocol";
import { GRAPH_SCALE_CONFIGS, resolveGraphScaleConfig } from "./graph-scale-configs";
import { defaultBudgetMB, fitDecision, formatMB } from "./graph-scale-fit";
import type { GraphScaleRunOptions } from "./graph-scale-harness";
import { checkGraphScaleMode, unmeasuredRow } from "./graph-scale-rows";
import { GRAPH_SCALE_MODES, type GraphScaleConfig, type GraphScaleMode, type GraphScaleResult } from "./graph-scale-types";
import { runRows, type RowSelection } from "./row-loop";

export interface GraphScaleChildOptions extends GraphScaleRunOptions {
  /** TF_NUM_INTRAOP_THREADS of the child (default: inherited). */
  threads?: number | string;
  /** Kill the child after this many ms (default: the configuration's timeoutMs). */
  timeoutMs?: number;
  /** How often the child's RSS is read against the budget (default 500 ms). */
  pollMs?: number;
  onStderr?: (text: string) => void;
}

function childCommand(): string[] {
  const isTs = __filename.endsWith(".ts");
  const entry = path.join(__dirname, isTs ? "child.ts" : "child.js");
  return isTs ? [require.resolve("tsx/cli"), entry] : [entry];
}

/** RSS of a process and all its descendants in MB (0 once it is gone). Linux /proc; elsewhere 0. */
function treeRssMB(pid: number): number {
  let kb = 0;
  const visit = (p: number) => {
    try {
      const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${p}/status`, "utf8"));
      if (m) kb += Number(m[1]);
      for (const task of fs.readdirSync(`/proc/${p}/task`)) {
        const kids = fs.readFileSync(`/proc/${p}/task/${task}/children`, "utf8").trim();
        if (kids) kids.split(/\s+/).map(Number).forEach(visit);
      }
    } catch { /* the process ended meanwhile */ }
  };
  visit(pid);
  return kb / 1024;
}

const duration = (ms: number) => (ms >= 120_000 ? `${(ms / 60_000).toFixed(0)} min` : `${(ms / 1000).toFixed(1)} s`);

const ALLOCATION_FAILURE = /out of memory|bad_alloc|Cannot allocate memory|allocation failed|OOM/i;

/** runGraphScale in a fresh child; a row that does not fit comes back as such, never as a rejection. */
export function runGraphScaleInChild(config: GraphScaleConfig | string, mode: GraphScaleMode, opts: GraphScaleChildOptions = {}): Promise<GraphScaleResult> {
  const c = resolveGraphScaleConfig(config);
  checkGraphScaleMode(c, mode);
  const { threads, timeoutMs = c.timeoutMs, pollMs = 500, onStderr, ...runOpts } = opts;
  const budgetMB = runOpts.budgetMB ?? defaultBudgetMB();
  const env = { ...process.env };
  if (threads !== undefined) {
    if (!/^[1-9]\d*$/.test(String(threads))) throw new Error(`threads is ${threads}; allowed: a positive integer`);
    env.NFDE_INTRAOP_THREADS = String(threads);
  }
  const estimateMB = fitDecision(c, mode, budgetMB).estimateMB;
  return new Promise((resolve, reject) => {
    // its own process group, so that a kill reaches tsx's inner node process too
    const child = spawn(process.execPath, [...childCommand(), JSON.stringify({ graphScale: true, config: c, mode, opts: { ...runOpts, budgetMB } })],
      { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let out = "", err = "", killedFor: string | null = null, peakMB = 0;
    const killGroup = (why: string) => {
      if (killedFor !== null) return;
      killedFor = why;
      try { process.kill(-child.pid!, "SIGKILL"); } catch { /* already gone */ }
    };
    // the child's own group does not receive the terminal's Ctrl-C: pass it on
    const onParentExit = () => killGroup("the bench exited");
    const onSignal = (sig: NodeJS.Signals) => { killGroup(`the bench got ${sig}`); process.exit(128 + (sig === "SIGINT" ? 2 : 15)); };
    const detach = () => { process.off("exit", onParentExit); process.off("SIGINT", onSignal); process.off("SIGTERM", onSignal); };
    process.on("exit", onParentExit);
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    child.stdout.on("data", (d) => { out += d; });
    child.stderr.on("data", (d) => { err += d; onStderr?.(String(d)); });
    const timer = setTimeout(() => killGroup(`no result within the time limit of ${duration(timeoutMs)}`), timeoutMs);
    const poll = setInterval(() => {
      const mb = treeRssMB(child.pid!);
      peakMB = Math.max(peakMB, mb);
      if (mb > budgetMB) killGroup(`RSS reached ${formatMB(mb)}, over the memory budget ${formatMB(budgetMB)}`);
    }, pollMs);
    child.on("error", (e) => { clearTimeout(timer); clearInterval(poll); detach(); reject(e); });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      clearInterval(poll);
      detach();
      const line = out.split("\n").find((l) => l.startsWith(RESULT_MARK));
      if (code === 0 && line) return resolve(JSON.parse(line.slice(RESULT_MARK.length)) as GraphScaleResult);
      const tail = err.trim().split("\n").slice(-3).join(" | ");
      const row = (status: "did-not-fit" | "failed", reason: string) =>
        resolve(unmeasuredRow(c, mode, status, reason, estimateMB, budgetMB, threads === undefined ? "default" : String(threads)));
      if (killedFor !== null) return row("did-not-fit", `killed: ${killedFor}`);
      if (signal === "SIGKILL") return row("did-not-fit", `killed by SIGKILL from outside at ${formatMB(peakMB)} RSS (the kernel's out-of-memory killer?)`);
      if (ALLOCATION_FAILURE.test(err)) return row("did-not-fit", `out of memory: ${tail}`);
      row("failed", `${signal ? `killed by ${signal}` : `exit code ${code}`}: ${tail}`);
    });
  });
}

export interface GraphScaleSuiteOptions extends Omit<GraphScaleChildOptions, "threads">, RowSelection<GraphScaleConfig, GraphScaleMode, GraphScaleResult> {
  /** Default: every graph-scale configuration. */
  configs?: (GraphScaleConfig | string)[];
  /** Default: all three modes. */
  modes?: GraphScaleMode[];
  /** Run in this process instead of children (RSS peaks then are not clean; no time or RSS limit). */
  inProcess?: boolean;
}

/** Every selected configuration × mode × thread count, one after the other; rows that cannot fit say why. */
export async function runGraphScaleSuite(opts: GraphScaleSuiteOptions = {}): Promise<GraphScaleResult[]> {
  const { configs, modes, threads, inProcess, onResult, ...childOpts } = opts;
  const list = (configs ?? [...GRAPH_SCALE_CONFIGS]).map(resolveGraphScaleConfig);
  modes?.forEach((m) => { if (!GRAPH_SCALE_MODES.includes(m)) throw new Error(`modes has "${m}"; allowed: ${GRAPH_SCALE_MODES.join(", ")}`); });
  const budgetMB = childOpts.budgetMB ?? defaultBudgetMB();
  return runRows(list, modes ?? GRAPH_SCALE_MODES, threads, async (c, mode, t) => {
    const fit = fitDecision(c, mode, budgetMB);
    if (!fit.fits) return unmeasuredRow(c, mode, "did-not-fit", fit.reason, fit.estimateMB, budgetMB, t === undefined ? "default" : String(t));
    if (inProcess) return (await import("./graph-scale-harness")).runGraphScale(c, mode, { ...childOpts, budgetMB });
    return runGraphScaleInChild(c, mode, { ...childOpts, budgetMB, threads: t });
  }, onResult);
}
