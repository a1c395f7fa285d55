// Every notebook run as a user runs it (test/browser/check.ts): JupyterLab started by the code of `npm start`,
// headless Debian chromium opens each notebook, Run → "Restart Kernel and Run All Cells…" in quick mode; every
// code cell must run, none may fail, and every plotly output must draw. Under CI a missing chromium or Jupyter
// fails the test; elsewhere it skips and says what to install. Notebooks needing a data set that is not there
// are skipped by the check outside CI (it names the data set and NFDE_DATA_DIR).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { findChromium, missingChromiumMessage } from "../src/plot/browser";
import { jupyterMissing } from "../src/setup/env";
import type { CheckResult } from "./browser/check";

const root = path.resolve(__dirname, "..");
const missing = [
  findChromium() ? undefined : missingChromiumMessage(),
  jupyterMissing(),
].filter((m): m is string => !!m).join("; ");
const skip = missing && !process.env.CI ? missing : false;

test("browser: every notebook runs clean with Restart Kernel and Run All Cells in JupyterLab (headless chromium)", { skip }, async (t) => {
  if (missing) assert.fail(`the browser test cannot run under CI: ${missing}`);
  const json = path.join(root, "out", "browser", "result.json");
  fs.rmSync(json, { force: true });
  const r = spawnSync(process.execPath, [path.join(root, "node_modules", "tsx", "dist", "cli.mjs"), path.join(root, "test", "browser", "check.ts"), "--json", json],
    { cwd: root, encoding: "utf8", timeout: 60 * 60 * 1000 });
  const lines = (r.stdout ?? "").split("\n").filter((l) => l.startsWith("[check]"));
  for (const l of lines) t.diagnostic(l);
  assert.ok(fs.existsSync(json), `the check wrote no result (exit ${r.status}${r.signal ? `, ${r.signal}` : ""}):\n${lines.join("\n")}\n${(r.stderr ?? "").slice(-3000)}`);
  const result = JSON.parse(fs.readFileSync(json, "utf8")) as CheckResult;
  assert.ok(result.committedUnchanged, `the committed notebooks changed during the check: ${result.changedFiles.join(", ")}`);
  const names = result.notebooks.map((n) => n.notebook);
  assert.ok(names.includes("smoke.ipynb"), `the smoke notebook was not checked (${names.join(", ")})`);
  assert.ok(names.length >= 2, `no notebook of notebooks/ was checked (${names.join(", ")})`);
  for (const nb of result.notebooks) {
    await t.test(nb.notebook, { skip: nb.status === "skip" ? nb.reason : false }, () => {
      const detail = `${nb.notebook}: ${nb.problems.join("; ")}`;
      assert.ok(nb.cells.code > 0, `${nb.notebook}: no code cell found`);
      assert.equal(nb.cells.ran, nb.cells.code, `${nb.notebook}: ${nb.cells.ran} of ${nb.cells.code} code cells ran — ${detail}`);
      assert.equal(nb.plots.drawn, nb.plots.expected, `${nb.notebook}: ${nb.plots.drawn} of ${nb.plots.expected} plots drew — ${detail}`);
      assert.ok(nb.plots.expected > 0, `${nb.notebook}: the run produced no plotly output`);
      assert.deepEqual(nb.problems, [], detail);
      assert.equal(nb.status, "ok", detail);
    });
  }
  assert.equal(r.status, 0, `the check failed:\n${lines.join("\n")}\n${(r.stderr ?? "").slice(-2000)}`);
});
