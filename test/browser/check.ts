// `npm run check:browser`: every notebook run as a user runs it. JupyterLab is started by the code `npm start`
// uses (launchLab / waitForLab of src/setup/start-lab.ts) with NFDE_QUICK=1 in its environment, on a copy of
// notebooks/ (and the smoke fixture) in out/browser-notebooks/, so that nothing JupyterLab saves reaches the
// committed files. Headless Debian chromium (playwright-core) opens each notebook in a fresh workspace, clicks
// Run → "Restart Kernel and Run All Cells…", accepts the dialog and waits until the kernel is idle and no input
// prompt shows [*]. A notebook passes when every code cell ran (its prompt shows a number), no cell failed (no
// execute_reply with status "error"/"abort", no "error" output, no error trace on stderr) and every plotly
// output in the notebook drew (as many .js-plotly-plot with a .main-svg as plotly outputs). A screenshot per
// notebook goes to out/screens/NAME.png; `--json FILE` writes the results (test/browser.test.ts reads it).
//   --only NAME[,NAME]  run only these notebooks (file names with or without .ipynb)
//   --add FILE[,FILE]   check these notebooks too (e.g. one that must fail, to test the check)
//   NFDE_BROWSER_TIMEOUT_S  per-notebook Run-All timeout (default 600)
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Browser, Page } from "playwright-core";
import { buildDist, jupyterMissing, ROOT } from "../../src/setup/env";
import { CHROMIUM_FLAGS, findChromium, missingChromiumMessage } from "../../src/plot/browser";
import { freePort, labUrl, launchLab, waitForLab } from "../../src/setup/start-lab";
import { skipWithoutPlanetoid } from "../helpers/data";

export interface CellReport {
  index: number;
  prompt: string;
  executionCount: number | null;
  error?: string;
}

export interface NotebookResult {
  notebook: string;
  status: "ok" | "fail" | "skip";
  /** Seconds from the click on "Restart Kernel and Run All Cells…" until the kernel was idle and no cell showed [*]. */
  seconds: number;
  /** Non-empty code cells, and how many of them show an execution number. */
  cells: { code: number; ran: number };
  /** Plotly outputs in the notebook model after the run, and how many drew (an svg in the page). */
  plots: { expected: number; drawn: number };
  /** What failed: cells without a number, cells with an error, plots missing, timeouts. */
  problems: string[];
  /** Cells that wrote to stderr without failing (reported, not failed). */
  stderrCells: number[];
  screenshot?: string;
  reason?: string;
  /** The kernel never came back after the restart (no reply, status neither idle nor busy): the lab's fault, retried once. */
  kernelLost?: boolean;
  /** The first attempt's problems when the notebook was retried. */
  retriedAfter?: string[];
}

export interface CheckResult {
  ok: boolean;
  labSeconds: number;
  totalSeconds: number;
  committedUnchanged: boolean;
  changedFiles: string[];
  notebooks: NotebookResult[];
}

const RUN_TIMEOUT_MS = Number(process.env.NFDE_BROWSER_TIMEOUT_S ?? 600) * 1000;
/** A restarted kernel that is neither idle nor busy and has answered nothing after this long is lost. */
const KERNEL_LOST_MS = 180000;
const NB_DIR = path.join(ROOT, "notebooks");
const SMOKE = path.join(ROOT, "test", "fixtures", "smoke.ipynb");
const COPY_DIR = path.join(ROOT, "out", "browser-notebooks");
const SCREENS = path.join(ROOT, "out", "screens");
// Flags of src/plot/browser.ts plus two that keep a headless run off the network.
const FLAGS = [...new Set([...CHROMIUM_FLAGS, "--disable-sync", "--disable-quic"])];

function log(s: string): void {
  console.log(`[check] ${s}`);
}

function sha256(file: string): string {
  return createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

/**
 * Planetoid data sets a notebook cannot run without: awaited as a statement (`await loadPlanetoid("cora");`).
 * A notebook that catches a missing data set (`await loadPlanetoid("cora").then(...)`, as notebook 03) runs.
 */
function planetoidNeeds(file: string): ("cora" | "citeseer")[] {
  const nb = JSON.parse(fs.readFileSync(file, "utf8")) as { cells: { source: string | string[] }[] };
  const src = nb.cells.map((c) => (Array.isArray(c.source) ? c.source.join("") : c.source)).join("\n");
  return [...new Set([...src.matchAll(/await loadPlanetoid\(\s*["'](cora|citeseer)["']\s*\)\s*;/g)].map((m) => m[1] as "cora" | "citeseer"))];
}

// Page-side scripts are strings: functions compiled by tsx may reference helpers that do not exist in the page.
const PANEL = `(() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  return w && w.content && w.sessionContext && w.model ? w : null; })()`;

const KERNEL_READY = `(() => { const w = ${PANEL};
  return !!w && w.sessionContext.isReady && !!w.sessionContext.session && !!w.sessionContext.session.kernel &&
    w.sessionContext.kernelDisplayStatus === "idle" && w.content.widgets.length > 0; })()`;

// Records every execute_reply the page receives (the kernel's own verdict on each cell), across restarts.
const HOOK = `(() => { const w = ${PANEL}; window.__nfde = { replies: [] };
  const attach = (k) => { if (!k || k.__nfdeHooked) return; k.__nfdeHooked = true;
    k.anyMessage.connect((_, a) => { const m = a.msg;
      if (a.direction === "recv" && m.header.msg_type === "execute_reply")
        window.__nfde.replies.push({ status: m.content.status, count: m.content.execution_count ?? null,
          ename: m.content.ename ?? null, evalue: m.content.evalue ?? null }); }); };
  attach(w.sessionContext.session.kernel);
  w.sessionContext.kernelChanged.connect((_, c) => attach(c.newValue));
  return true; })()`;

const PROGRESS = `(() => { const w = ${PANEL};
  const code = w.content.widgets.filter((c) => c.model.type === "code" && c.model.sharedModel.getSource().trim() !== "");
  const prompts = code.map((c) => (c.node.querySelector(".jp-InputPrompt") || {}).textContent || "");
  return { status: w.sessionContext.kernelDisplayStatus, busy: prompts.filter((p) => p.includes("*")).length,
    numbered: prompts.filter((p) => /\\[\\d+\\]/.test(p)).length, code: code.length,
    replies: window.__nfde.replies.length, failed: window.__nfde.replies.filter((r) => r.status !== "ok").length }; })()`;

const DRAWN = `(() => { const w = ${PANEL};
  return [...w.content.node.querySelectorAll(".js-plotly-plot")].filter((e) => e.querySelector(".main-svg")).length; })()`;

// The notebook as the model holds it now (what a save would write), reduced to what the check needs.
const REPORT = `(() => { const w = ${PANEL}; const PLOTLY = "application/vnd.plotly.v1+json";
  const nb = w.model.toJSON();
  const cells = nb.cells.map((c, i) => {
    const widget = w.content.widgets[i];
    const src = Array.isArray(c.source) ? c.source.join("") : c.source;
    const outs = (c.outputs || []).map((o) => ({ type: o.output_type, name: o.name || null,
      text: o.output_type === "stream" ? (Array.isArray(o.text) ? o.text.join("") : o.text).slice(0, 4000) : null,
      ename: o.ename || null, evalue: o.evalue || null, plotly: !!(o.data && o.data[PLOTLY]) }));
    return { index: i, type: c.cell_type, empty: src.trim() === "", count: c.execution_count ?? null,
      prompt: ((widget && widget.node.querySelector(".jp-InputPrompt")) || {}).textContent || "", outs };
  });
  return { cells, replies: window.__nfde.replies }; })()`;

interface PageReport {
  cells: { index: number; type: string; empty: boolean; count: number | null; prompt: string;
    outs: { type: string; name: string | null; text: string | null; ename: string | null; evalue: string | null; plotly: boolean }[] }[];
  replies: { status: string; count: number | null; ename: string | null; evalue: string | null }[];
}

// A traceback or a thrown error printed on stderr (tslab reports a failed cell there, not as an "error" output).
const ERROR_TEXT = /^(\s*at .+:\d+(:\d+)?\)?\s*$|\S*(Error|Exception)\b.*:|Uncaught\b|(\S+ )?\d+:\d+ - )/m;

async function openAndRunAll(browser: Browser, lab: Parameters<typeof labUrl>[0], file: string): Promise<NotebookResult> {
  const name = path.basename(file, ".ipynb");
  const result: NotebookResult = { notebook: path.basename(file), status: "fail", seconds: 0, cells: { code: 0, ran: 0 },
    plots: { expected: 0, drawn: 0 }, problems: [], stderrCells: [] };
  const page: Page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const workspace = `check-${name}-${Date.now().toString(36)}`;
  try {
    await page.goto(`${labUrl(lab, `lab/workspaces/${encodeURIComponent(workspace)}/tree/${encodeURIComponent(path.basename(file))}`)}&reset`,
      { waitUntil: "domcontentloaded", timeout: 60000 });
    await page.waitForSelector(".jp-Notebook", { timeout: 90000 });
    await page.waitForFunction(KERNEL_READY, undefined, { timeout: 120000, polling: 250 });
    await page.evaluate(HOOK);

    // What a user does: the Run menu, "Restart Kernel and Run All Cells…", then confirm the restart.
    await page.locator(".lm-MenuBar-item", { hasText: /^Run$/ }).click();
    const item = page.locator(".lm-Menu .lm-Menu-item", { hasText: /^Restart Kernel and Run All Cells/ }).first();
    await item.waitFor({ state: "visible", timeout: 10000 });
    await item.click();
    const accept = page.locator(".jp-Dialog .jp-Dialog-button.jp-mod-accept");
    await accept.waitFor({ state: "visible", timeout: 10000 });
    const t0 = Date.now();
    await accept.click();

    // Done when the kernel is idle, no prompt shows [*], and every code cell got its reply (or one failed,
    // which makes the kernel abort the rest) — three polls in a row, so that a gap between cells is not the end.
    let stable = 0;
    let last = "";
    for (;;) {
      const p = (await page.evaluate(PROGRESS)) as { status: string; busy: number; numbered: number; code: number; replies: number; failed: number };
      last = `kernel ${p.status}, ${p.numbered}/${p.code} cells numbered, ${p.busy} showing [*], ${p.replies} replies`;
      const done = p.status === "idle" && p.busy === 0 && (p.replies >= p.code || p.failed > 0);
      stable = done ? stable + 1 : 0;
      if (stable >= 3) break;
      if (p.replies === 0 && p.numbered === 0 && p.status !== "idle" && p.status !== "busy" && Date.now() - t0 > KERNEL_LOST_MS) {
        result.problems.push(`the kernel did not come back after the restart within ${KERNEL_LOST_MS / 1000} s (${last})`);
        result.kernelLost = true;
        break;
      }
      if (Date.now() - t0 > RUN_TIMEOUT_MS) {
        result.problems.push(`Run All did not finish within ${RUN_TIMEOUT_MS / 1000} s (${last})`);
        break;
      }
      await page.waitForTimeout(500);
    }
    result.seconds = (Date.now() - t0 - (stable >= 3 ? 1000 : 0)) / 1000;

    let report = (await page.evaluate(REPORT)) as PageReport;
    const expected = report.cells.reduce((n, c) => n + c.outs.filter((o) => o.plotly).length, 0);
    // The plotly renderer draws asynchronously after the output arrives.
    await page.waitForFunction(`${DRAWN} >= ${expected}`, undefined, { timeout: 60000, polling: 500 }).catch(() => undefined);
    const drawn = (await page.evaluate(DRAWN)) as number;
    report = (await page.evaluate(REPORT)) as PageReport;

    const code = report.cells.filter((c) => c.type === "code" && !c.empty);
    const cellReports: CellReport[] = [];
    for (const c of code) {
      const ran = /\[\d+\]/.test(c.prompt) && c.count !== null;
      const cr: CellReport = { index: c.index, prompt: c.prompt.trim(), executionCount: c.count };
      const reply = c.count !== null ? report.replies.find((r) => r.count === c.count) : undefined;
      const errOut = c.outs.find((o) => o.type === "error");
      const stderr = c.outs.filter((o) => o.type === "stream" && o.name === "stderr").map((o) => o.text ?? "").join("")
        .split("\n").filter((l) => !/node_modules[\\/]tslab[\\/]|\(node:vm:/.test(l)).join("\n");
      if (errOut) cr.error = `${errOut.ename}: ${errOut.evalue}`;
      else if (reply && reply.status !== "ok") cr.error = `kernel replied "${reply.status}"${reply.ename ? ` (${reply.ename}: ${reply.evalue})` : ""}${stderr ? `: ${stderr.trim()}` : ""}`;
      else if (ERROR_TEXT.test(stderr)) cr.error = `error on stderr: ${stderr.trim()}`;
      else if (stderr.trim()) result.stderrCells.push(c.index);
      if (!ran) result.problems.push(`cell ${c.index} did not run (prompt "${cr.prompt}")`);
      if (cr.error) result.problems.push(`cell ${c.index} failed: ${cr.error.slice(0, 1500)}`);
      if (ran) result.cells.ran++;
      cellReports.push(cr);
    }
    result.cells.code = code.length;
    const unmatched = report.replies.filter((r) => r.status !== "ok" && !code.some((c) => c.count !== null && c.count === r.count));
    for (const status of [...new Set(unmatched.map((r) => r.status))]) {
      const n = unmatched.filter((r) => r.status === status).length;
      result.problems.push(`${n} execute_repl${n === 1 ? "y" : "ies"} "${status}"${status === "abort" ? " (the kernel skipped the cells after a failure)" : ""}`);
    }
    result.plots = { expected, drawn };
    if (drawn !== expected) result.problems.push(`${drawn} of ${expected} plotly outputs drew`);

    // Screenshot where it matters: the first failed cell, else the first plot.
    const failedCell = cellReports.find((c) => c.error || !/\[\d+\]/.test(c.prompt));
    const target = failedCell ? page.locator(".jp-Notebook .jp-Cell").nth(failedCell.index) : page.locator(".js-plotly-plot").first();
    await target.scrollIntoViewIfNeeded({ timeout: 5000 }).catch(() => undefined);
    await page.waitForTimeout(300);
    result.screenshot = path.join(SCREENS, `${name}.png`);
    await page.screenshot({ path: result.screenshot });
    // Keep the executed copy (out/browser-notebooks/NAME.ipynb) for a look afterwards: save as a user would.
    await page.keyboard.press("Control+s").catch(() => undefined);
    await page.waitForTimeout(1000);
  } catch (e) {
    result.problems.push((e as Error).message.split("\n")[0]);
    await page.screenshot({ path: path.join(SCREENS, `${name}.png`) }).catch(() => undefined);
  } finally {
    await page.close();
  }
  result.status = result.problems.length === 0 ? "ok" : "fail";
  return result;
}

/** Shuts down the kernels of `notebook` (closing the page leaves them running, holding their memory). */
async function shutdownKernels(lab: Parameters<typeof labUrl>[0], notebook: string): Promise<void> {
  const api = (p: string): string => `http://${lab.ip ?? "127.0.0.1"}:${lab.port}/api/${p}`;
  const headers = { Authorization: `token ${lab.token}` };
  try {
    const sessions = (await (await fetch(api("sessions"), { headers })).json()) as { id: string; path: string }[];
    for (const s of sessions.filter((x) => x.path === notebook)) await fetch(api(`sessions/${s.id}`), { method: "DELETE", headers });
  } catch (e) {
    log(`could not shut down the kernel of ${notebook}: ${(e as Error).message}`);
  }
}

async function main(): Promise<number> {
  const t0 = Date.now();
  const args = process.argv.slice(2);
  const jsonAt = args.indexOf("--json");
  const jsonFile = jsonAt >= 0 ? path.resolve(args[jsonAt + 1] ?? "") : undefined;
  const onlyAt = args.indexOf("--only");
  const only = onlyAt >= 0 ? (args[onlyAt + 1] ?? "").split(",").map((s) => s.replace(/\.ipynb$/, "")).filter(Boolean) : undefined;

  const missing = jupyterMissing();
  if (missing) throw new Error(missing);
  const executablePath = findChromium();
  if (!executablePath) throw new Error(missingChromiumMessage());

  const committed = [
    ...(fs.existsSync(NB_DIR) ? fs.readdirSync(NB_DIR).filter((f) => f.endsWith(".ipynb")).sort().map((f) => path.join(NB_DIR, f)) : []),
    SMOKE,
  ].filter((f) => !only || only.includes(path.basename(f, ".ipynb")));
  const addAt = args.indexOf("--add");
  if (addAt >= 0) committed.push(...(args[addAt + 1] ?? "").split(",").filter(Boolean).map((f) => path.resolve(f)));
  if (committed.length === 0) throw new Error(`no notebook to check${only ? ` (--only ${only.join(",")})` : ""}`);
  const hashes = new Map(committed.map((f) => [f, sha256(f)]));

  // The notebooks import "neural-fde", which resolves to dist/ through node_modules/neural-fde.
  const build = buildDist();
  if (!build.ok || !fs.existsSync(path.join(ROOT, "dist", "index.js"))) throw new Error(`the TypeScript build (dist/) failed:\n${build.log}`);

  // A copy inside the repository: tslab resolves "neural-fde" through the node_modules above the notebook.
  fs.rmSync(COPY_DIR, { recursive: true, force: true });
  fs.mkdirSync(COPY_DIR, { recursive: true });
  for (const f of committed) fs.copyFileSync(f, path.join(COPY_DIR, path.basename(f)));
  fs.mkdirSync(SCREENS, { recursive: true });

  // JupyterLab 4 renders only the cells in view ("windowing"): turn it off so every cell is in the DOM, and use
  // a fresh settings and workspaces folder so that no earlier session's tabs or settings come back.
  const labState = fs.mkdtempSync(path.join(os.tmpdir(), "nfde-lab-"));
  const settings = (ext: string, file: string, value: object): void => {
    const dir = path.join(labState, "settings", "@jupyterlab", ext);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, file), JSON.stringify(value));
  };
  settings("notebook-extension", "tracker.jupyterlab-settings", { windowingMode: "none" });
  settings("apputils-extension", "notification.jupyterlab-settings", { fetchNews: "false", checkForUpdates: false });
  const lab = {
    rootDir: COPY_DIR, port: await freePort(8890), token: randomBytes(12).toString("hex"), openBrowser: false, stdio: "pipe" as const,
    env: { NFDE_QUICK: "1" },
    extraArgs: [
      `--LabApp.user_settings_dir=${path.join(labState, "settings")}`, `--LabApp.workspaces_dir=${path.join(labState, "workspaces")}`,
      // window.jupyterapp: the check reads the notebook model and the kernel's replies; it acts only through the UI.
      "--LabApp.expose_app_in_browser=True",
    ],
  };
  const server = launchLab(lab);
  let serverLog = "";
  server.stdout?.on("data", (b: Buffer) => { serverLog += b.toString(); });
  server.stderr?.on("data", (b: Buffer) => { serverLog += b.toString(); });
  const results: NotebookResult[] = [];
  let labSeconds = 0;
  try {
    await waitForLab(lab, 120000).catch((e: Error) => { throw new Error(`${e.message}\n${serverLog.split("\n").slice(-20).join("\n")}`); });
    labSeconds = (Date.now() - t0) / 1000;
    log(`JupyterLab up on port ${lab.port} after ${labSeconds.toFixed(1)} s, serving ${path.relative(ROOT, COPY_DIR)}/ with NFDE_QUICK=1`);
    const { chromium } = require("playwright-core") as typeof import("playwright-core");
    const browser = await chromium.launch({ executablePath, headless: true, args: FLAGS });
    try {
      for (const file of committed) {
        const copy = path.join(COPY_DIR, path.basename(file));
        const needs = planetoidNeeds(copy);
        // Outside CI a notebook whose data set is missing is skipped, saying which and where; under CI it runs (and fails).
        const reasons = needs.map((d) => skipWithoutPlanetoid(d)).filter((x): x is string => !!x);
        if (reasons.length > 0) {
          const reason = reasons.join("; ");
          results.push({ notebook: path.basename(file), status: "skip", seconds: 0, cells: { code: 0, ran: 0 }, plots: { expected: 0, drawn: 0 },
            problems: [], stderrCells: [], reason });
          log(`skip ${path.basename(file)}: ${reason}`);
          continue;
        }
        log(`running ${path.basename(file)} (Restart Kernel and Run All Cells…) …`);
        let r = await openAndRunAll(browser, lab, copy);
        await shutdownKernels(lab, path.basename(copy));
        if (r.kernelLost) {
          log(`     ${r.problems.join("; ")}: retrying once`);
          const first = r.problems;
          r = { ...(await openAndRunAll(browser, lab, copy)), retriedAfter: first };
          await shutdownKernels(lab, path.basename(copy));
        }
        results.push(r);
        log(`${r.status === "ok" ? "ok  " : "FAIL"} ${r.notebook.padEnd(32)} ${r.seconds.toFixed(1).padStart(6)} s  ` +
          `${r.cells.ran}/${r.cells.code} cells ran  ${r.plots.drawn}/${r.plots.expected} plots drawn` +
          `${r.stderrCells.length ? `  (stderr in cells ${r.stderrCells.join(", ")})` : ""}`);
        for (const p of r.problems) log(`     ${p.split("\n").join("\n[check]      ")}`);
        if (r.retriedAfter) log(`     (a second attempt: the first one's kernel was lost — ${r.retriedAfter.join("; ")})`);
      }
    } finally {
      await browser.close();
    }
  } finally {
    server.kill("SIGTERM");
    await new Promise((r) => (server.exitCode !== null || server.signalCode !== null ? r(null) : server.once("exit", r)));
    fs.rmSync(labState, { recursive: true, force: true });
  }

  const changedFiles = committed.filter((f) => !fs.existsSync(f) || sha256(f) !== hashes.get(f)).map((f) => path.relative(ROOT, f));
  if (changedFiles.length) log(`FAIL committed notebooks changed during the check: ${changedFiles.join(", ")}`);
  const failed = results.filter((r) => r.status === "fail").length;
  const skipped = results.filter((r) => r.status === "skip").length;
  const out: CheckResult = { ok: failed === 0 && changedFiles.length === 0, labSeconds, totalSeconds: (Date.now() - t0) / 1000,
    committedUnchanged: changedFiles.length === 0, changedFiles, notebooks: results };
  if (jsonFile) {
    fs.mkdirSync(path.dirname(jsonFile), { recursive: true });
    fs.writeFileSync(jsonFile, `${JSON.stringify(out, null, 2)}\n`);
  }
  log(`${results.length - failed - skipped}/${results.length} notebooks ran clean${skipped ? ` (${skipped} skipped)` : ""}; ` +
    `committed notebooks ${changedFiles.length ? "CHANGED" : "unchanged"}; screenshots in ${path.relative(ROOT, SCREENS)}/; ${out.totalSeconds.toFixed(1)} s in all`);
  return out.ok ? 0 : 1;
}

if (require.main === module) {
  main().then((code) => { process.exitCode = code; }, (e: Error) => {
    console.error(`[check] ${e.message}`);
    process.exitCode = 1;
  });
}
