// `npm run check:browser`: serve JupyterLab on 127.0.0.1, open every notebook (notebooks/*.ipynb as committed,
// with their outputs, and the smoke fixture executed first) in headless chromium, wait for plotly to draw,
// save a screenshot to out/screens/NAME.png. Fails when a notebook shows no rendered plot.
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildDist, executeNotebook, inspectOutputs, jupyterMissing, readNotebook, ROOT } from "../../src/cli/notebooks";
import { findChromium, missingChromiumMessage, withChromium } from "../../src/plot/browser";
import { freePort, labUrl, launchLab, waitForLab } from "../../src/setup/start-lab";

interface Result { notebook: string; ok: boolean; expected: number; rendered: number; seconds: number; note: string }

const PLOT_TIMEOUT_MS = 60000;

async function main(): Promise<number> {
  const t0 = Date.now();
  const missing = jupyterMissing();
  if (missing) throw new Error(missing);
  if (!findChromium()) throw new Error(missingChromiumMessage());

  // The smoke fixture is committed without outputs: execute it first.
  const build = buildDist();
  if (!fs.existsSync(path.join(ROOT, "dist", "index.js"))) throw new Error(`tsc did not produce dist/index.js:\n${build.log}`);
  const smoke = path.join(ROOT, "out", "browser", "smoke.ipynb");
  const run = await executeNotebook(path.join(ROOT, "test", "fixtures", "smoke.ipynb"), smoke);
  if (!run.ok) throw new Error(`the smoke notebook failed to execute:\n${run.log}`);
  console.log(`[check] smoke notebook executed in ${run.seconds.toFixed(1)} s`);

  const nbDir = path.join(ROOT, "notebooks");
  const notebooks = [
    ...(fs.existsSync(nbDir) ? fs.readdirSync(nbDir).filter((f) => f.endsWith(".ipynb")).sort().map((f) => path.join(nbDir, f)) : []),
    smoke,
  ];
  const screens = path.join(ROOT, "out", "screens");
  fs.mkdirSync(screens, { recursive: true });

  // JupyterLab 4 renders only the cells in view ("windowing"); a screenshot check needs every cell drawn,
  // and a fresh settings and workspace folder so that no earlier session's tabs come back.
  const labState = fs.mkdtempSync(path.join(os.tmpdir(), "nfde-lab-"));
  const settings = path.join(labState, "settings", "@jupyterlab", "notebook-extension");
  fs.mkdirSync(settings, { recursive: true });
  fs.writeFileSync(path.join(settings, "tracker.jupyterlab-settings"), JSON.stringify({ windowingMode: "none" }));
  const apputils = path.join(labState, "settings", "@jupyterlab", "apputils-extension");
  fs.mkdirSync(apputils, { recursive: true });
  fs.writeFileSync(path.join(apputils, "notification.jupyterlab-settings"), JSON.stringify({ fetchNews: "false" }));
  const lab = {
    rootDir: ROOT, port: await freePort(8890), token: randomBytes(12).toString("hex"), openBrowser: false, stdio: "pipe" as const,
    extraArgs: [`--LabApp.user_settings_dir=${path.join(labState, "settings")}`, `--LabApp.workspaces_dir=${path.join(labState, "workspaces")}`],
  };
  const server = launchLab(lab);
  let serverLog = "";
  server.stdout?.on("data", (b: Buffer) => { serverLog += b.toString(); });
  server.stderr?.on("data", (b: Buffer) => { serverLog += b.toString(); });
  const results: Result[] = [];
  try {
    await waitForLab(lab, 120000).catch((e: Error) => { throw new Error(`${e.message}\n${serverLog.split("\n").slice(-20).join("\n")}`); });
    console.log(`[check] JupyterLab up on port ${lab.port} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    await withChromium(async (browser) => {
      for (const file of notebooks) {
        const t1 = Date.now();
        const rel = path.relative(ROOT, file).split(path.sep).map(encodeURIComponent).join("/");
        const name = path.basename(file, ".ipynb");
        const expected = inspectOutputs(readNotebook(file)).plots;
        const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
        let note = "";
        try {
          await page.goto(`${labUrl(lab, `lab/workspaces/${encodeURIComponent(name)}/tree/${rel}`)}&reset`, { waitUntil: "domcontentloaded", timeout: 60000 });
          await page.waitForSelector(".jp-Notebook", { timeout: 60000 });
          await page.waitForSelector(".js-plotly-plot .main-svg", { timeout: PLOT_TIMEOUT_MS }).catch(() => { note = "no plot drew"; });
          if (expected > 1) {
            await page.waitForFunction(
              `[...document.querySelectorAll('.js-plotly-plot')].filter((e) => e.querySelector('.main-svg')).length >= ${expected}`,
              undefined, { timeout: 15000 },
            ).catch(() => undefined);
          }
          const rendered = (await page.evaluate(
            "[...document.querySelectorAll('.js-plotly-plot')].filter((e) => e.querySelector('.main-svg')).length",
          )) as number;
          await page.locator(".js-plotly-plot").first().scrollIntoViewIfNeeded({ timeout: 5000 }).catch(() => undefined);
          await page.screenshot({ path: path.join(screens, `${name}.png`) });
          if (expected === 0) note = "the notebook holds no plotly output (commit it executed)";
          results.push({ notebook: path.relative(ROOT, file), ok: rendered > 0, expected, rendered, seconds: (Date.now() - t1) / 1000, note });
        } catch (e) {
          results.push({ notebook: path.relative(ROOT, file), ok: false, expected, rendered: 0, seconds: (Date.now() - t1) / 1000, note: (e as Error).message.split("\n")[0] });
        } finally {
          await page.close();
        }
      }
    });
  } finally {
    server.kill("SIGTERM");
    fs.rmSync(labState, { recursive: true, force: true });
    await new Promise((r) => (server.exitCode !== null ? r(null) : server.once("exit", r)));
  }
  for (const r of results) {
    console.log(`[check] ${r.ok ? "ok  " : "FAIL"} ${r.notebook.padEnd(40)} ${r.rendered}/${r.expected} plots drawn  ${r.seconds.toFixed(1)} s${r.note ? `  (${r.note})` : ""}`);
  }
  const failed = results.filter((r) => !r.ok).length;
  console.log(`[check] ${results.length - failed}/${results.length} notebooks show plots; screenshots in ${screens}; ${((Date.now() - t0) / 1000).toFixed(1)} s in all`);
  return failed === 0 ? 0 : 1;
}

main().then((code) => { process.exitCode = code; }, (e: Error) => {
  console.error(`[check] ${e.message}`);
  process.exitCode = 1;
});
