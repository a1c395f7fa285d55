// `nfde notebooks [--quick] [--json] [--only NAME]`: execute every notebooks/*.ipynb headless with the tslab
// kernel (nbconvert from .venv) into out/NAME.ipynb, and write out/NAME.html, standalone with working plots.
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { PLOTLY_MIME } from "../plot/display";
import { mathjaxScriptTags, plotDivHtml, plotlyScriptTag, uniquePlotId } from "../plot/export";
import type { Figure } from "../plot/figure";
import { buildDist, ensurePackageLink, JUPYTER, jupyterMissing, ROOT } from "../setup/env";

export interface RunResult {
  ok: boolean;
  seconds: number;
  /** The last lines nbconvert printed (its traceback on failure). */
  log: string;
}

export interface NotebookReport {
  notebook: string;
  ok: boolean;
  seconds: number;
  plots: number;
  errors: string[];
}

interface Output {
  output_type: string;
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
  [key: string]: unknown;
}
interface Notebook {
  cells: { cell_type: string; outputs?: Output[]; [key: string]: unknown }[];
  [key: string]: unknown;
}

function tail(s: string, lines = 15): string {
  return s.trim().split("\n").slice(-lines).join("\n");
}

// nbclient's CellExecutionError names the cell and its error; tslab's compile errors appear only there.
function failureText(log: string): string {
  const at = log.indexOf("An error occurred while executing the following cell");
  return at >= 0 ? log.slice(at).trim().slice(0, 4000) : tail(log);
}

/** Executes `input` headless with the tslab kernel into `output` (an .ipynb path). */
export function executeNotebook(input: string, output: string, opts: { quick?: boolean; timeoutSec?: number } = {}): Promise<RunResult> {
  if (!input.endsWith(".ipynb") || !fs.existsSync(input)) throw new Error(`input must be an existing .ipynb file; got ${input}`);
  if (!output.endsWith(".ipynb")) throw new Error(`output must end in .ipynb; got ${output}`);
  fs.mkdirSync(path.dirname(path.resolve(output)), { recursive: true });
  ensurePackageLink();
  const args = ["nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.kernel_name=tslab",
    `--ExecutePreprocessor.timeout=${opts.timeoutSec ?? 1800}`, "--output-dir", path.dirname(path.resolve(output)),
    "--output", path.basename(output, ".ipynb"), path.resolve(input)];
  const env: NodeJS.ProcessEnv = { ...process.env, TF_CPP_MIN_LOG_LEVEL: process.env.TF_CPP_MIN_LOG_LEVEL ?? "2" };
  if (opts.quick) env.NFDE_QUICK = "1";
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(JUPYTER, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    child.stdout.on("data", (b: Buffer) => { log += b.toString(); });
    child.stderr.on("data", (b: Buffer) => { log += b.toString(); });
    child.on("error", (e) => { log += String(e); });
    child.on("close", (code) => resolve({ ok: code === 0 && fs.existsSync(output), seconds: (Date.now() - t0) / 1000, log: failureText(log) }));
  });
}

export function readNotebook(file: string): Notebook {
  return JSON.parse(fs.readFileSync(file, "utf8")) as Notebook;
}

function outputsOf(nb: Notebook): Output[] {
  return nb.cells.flatMap((c) => (c.cell_type === "code" ? c.outputs ?? [] : []));
}

/** Counts plotly outputs and collects error outputs ("Ename: evalue") of an executed notebook. */
export function inspectOutputs(nb: Notebook): { plots: number; errors: string[] } {
  const outs = outputsOf(nb);
  const plots = outs.filter((o) => o.data !== undefined && PLOTLY_MIME in o.data).length;
  const errors = outs.filter((o) => o.output_type === "error").map((o) => `${o.ename ?? "Error"}: ${o.evalue ?? ""}`);
  return { plots, errors };
}

/** Whether nbclient ran a code cell (it records metadata.execution["iopub.status.idle"] when the kernel is done). */
function wasExecuted(cell: Notebook["cells"][number]): boolean {
  const meta = cell.metadata as { execution?: Record<string, unknown> } | undefined;
  return cell.cell_type === "code" && typeof meta?.execution?.["iopub.status.idle"] === "string";
}

/**
 * Numbers the executed code cells 1..n (tslab leaves execution_count empty, so every prompt read "In [ ]:"),
 * with their execute_result outputs; cells that did not run stay unnumbered. Returns how many were numbered.
 */
export function numberExecutedCells(nb: Notebook): number {
  let n = 0;
  for (const cell of nb.cells) {
    if (!wasExecuted(cell)) continue;
    cell.execution_count = ++n;
    for (const o of cell.outputs ?? []) if (o.output_type === "execute_result") o.execution_count = n;
  }
  return n;
}

/** nbconvert's MathJax: a CDN script and its configuration, between the template's own comments. */
const NBCONVERT_MATHJAX = /<!-- Load mathjax -->[\s\S]*?<!-- End of mathjax configuration -->/g;
const REMOTE_MATHJAX = /<script[^>]*\ssrc="https?:\/\/[^"]*mathjax[^"]*"[^>]*>\s*<\/script>|<script type="text\/x-mathjax-config">[\s\S]*?<\/script>/gi;

/**
 * Writes a standalone HTML page of an executed notebook that reads offline: plotly outputs drawn by an
 * inlined plotly.js, formulas typeset by an inlined MathJax (in place of nbconvert's CDN MathJax), and
 * executed cells numbered In [1]:, In [2]:, ...
 */
export function notebookToHtml(executed: string, htmlFile: string): void {
  const nb = readNotebook(executed);
  numberExecutedCells(nb);
  // nbconvert's HTML exporter ignores the plotly mime type: give each plotly output a text/html rendering.
  for (const o of outputsOf(nb)) {
    if (o.data && PLOTLY_MIME in o.data) o.data["text/html"] = plotDivHtml(o.data[PLOTLY_MIME] as Figure, uniquePlotId());
  }
  const tmp = path.join(path.dirname(path.resolve(htmlFile)), `.${path.basename(htmlFile, ".html")}.for-html.ipynb`);
  fs.mkdirSync(path.dirname(tmp), { recursive: true });
  fs.writeFileSync(tmp, JSON.stringify(nb));
  try {
    const r = spawnSync(JUPYTER, ["nbconvert", "--to", "html", "--output-dir", path.dirname(path.resolve(htmlFile)),
      "--output", path.basename(htmlFile, ".html"), tmp], { encoding: "utf8", cwd: ROOT });
    if (r.status !== 0) throw new Error(`nbconvert --to html failed for ${executed}: ${tail(`${r.stderr ?? ""}${r.error ?? ""}`, 5)}`);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  let html = fs.readFileSync(htmlFile, "utf8");
  // require.js from a CDN is not needed; nbconvert's CDN MathJax gives way to the local one; plotly.js goes in once.
  html = html.replace(/<script[^>]*\ssrc="https?:\/\/[^"]*require[^"]*"[^>]*>\s*<\/script>/g, "");
  html = html.replace(NBCONVERT_MATHJAX, "").replace(REMOTE_MATHJAX, "");
  const head = html.indexOf("</head>");
  if (head < 0) throw new Error(`${htmlFile}: nbconvert wrote no </head>`);
  html = html.slice(0, head) + plotlyScriptTag() + "\n" + mathjaxScriptTags() + "\n" + html.slice(head);
  fs.writeFileSync(htmlFile, html);
}

/** Executes one notebook into outDir (NAME.ipynb and NAME.html) and reports on it. */
export async function runNotebook(input: string, outDir: string, opts: { quick?: boolean } = {}): Promise<NotebookReport> {
  const name = path.basename(input, ".ipynb");
  const executed = path.join(outDir, `${name}.ipynb`);
  fs.rmSync(executed, { force: true });
  const run = await executeNotebook(input, executed, opts);
  const report: NotebookReport = { notebook: name, ok: run.ok, seconds: Math.round(run.seconds * 10) / 10, plots: 0, errors: [] };
  if (fs.existsSync(executed)) {
    const nb = readNotebook(executed);
    // out/NAME.ipynb too shows In [1]:, In [2]:, ... for the cells that ran.
    if (numberExecutedCells(nb) > 0) fs.writeFileSync(executed, JSON.stringify(nb, null, 1) + "\n");
    Object.assign(report, inspectOutputs(nb));
  }
  if (!run.ok && report.errors.length === 0) report.errors.push(run.log || "nbconvert failed without output");
  if (report.errors.length > 0) report.ok = false;
  if (fs.existsSync(executed)) {
    try {
      notebookToHtml(executed, path.join(outDir, `${name}.html`));
    } catch (e) {
      report.ok = false;
      report.errors.push((e as Error).message);
    }
  }
  return report;
}

interface Args { quick: boolean; json: boolean; only?: string }

function parseArgs(args: string[]): Args {
  const a: Args = { quick: false, json: false };
  for (let i = 0; i < args.length; i++) {
    const s = args[i];
    if (s === "--quick") a.quick = true;
    else if (s === "--json") a.json = true;
    else if (s === "--only") {
      if (i + 1 >= args.length) throw new Error("--only needs a notebook name (e.g. --only 01-intro)");
      a.only = args[++i].replace(/\.ipynb$/, "");
    } else if (s.startsWith("--only=")) a.only = s.slice(7).replace(/\.ipynb$/, "");
    else throw new Error(`unknown argument ${JSON.stringify(s)}; allowed: --quick, --json, --only NAME`);
  }
  return a;
}

/** The `nfde notebooks` command; resolves to the process exit code. */
export async function runNotebooks(args: string[]): Promise<number> {
  let a: Args;
  try {
    a = parseArgs(args);
  } catch (e) {
    console.error(`nfde notebooks: ${(e as Error).message}`);
    return 2;
  }
  const say = (msg: string) => { if (!a.json) console.log(msg); };
  const missing = jupyterMissing();
  if (missing) {
    console.error(`nfde notebooks: ${missing}`);
    return 1;
  }
  const nbDir = path.join(ROOT, "notebooks");
  let names = fs.existsSync(nbDir) ? fs.readdirSync(nbDir).filter((f) => f.endsWith(".ipynb")).sort() : [];
  if (a.only !== undefined) {
    const wanted = `${a.only}.ipynb`;
    if (!names.includes(wanted)) {
      console.error(`nfde notebooks: --only ${a.only}: no notebooks/${wanted}; allowed: ${names.map((n) => n.replace(/\.ipynb$/, "")).join(", ") || "(none)"}`);
      return 2;
    }
    names = [wanted];
  }
  if (names.length === 0) {
    say(`no notebooks in ${nbDir}`);
    return 0;
  }
  const build = buildDist();
  if (!build.ok) {
    // tsc still emits on type errors; notebooks may run, and the errors are shown.
    console.error(`nfde notebooks: warning: tsc reported errors (dist/ may be stale):\n${build.log}`);
    if (!fs.existsSync(path.join(ROOT, "dist", "index.js"))) return 1;
  }
  const outDir = path.join(ROOT, "out");
  let failed = 0;
  for (const n of names) {
    const r = await runNotebook(path.join(nbDir, n), outDir, { quick: a.quick });
    if (!r.ok) failed++;
    if (a.json) console.log(JSON.stringify(r));
    else {
      const status = r.ok ? "ok  " : "FAIL";
      console.log(`${status} ${r.notebook.padEnd(32)} ${r.seconds.toFixed(1).padStart(7)} s  ${r.plots} plots` +
        (r.ok ? `  -> out/${r.notebook}.html` : `\n     ${r.errors.join("\n     ")}`));
    }
  }
  say(`${names.length - failed}/${names.length} notebooks ran${a.quick ? " (quick)" : ""}; outputs in ${outDir}`);
  return failed === 0 ? 0 : 1;
}
