// The browser check as a person would look: JupyterLab serves the committed notebooks, headless chromium
// opens each one, and every notebook must show drawn plotly figures (test/browser/check.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { findChromium } from "../src/plot/browser";
import { jupyterMissing } from "../src/cli/notebooks";

const root = path.resolve(__dirname, "..");
const why = !findChromium() ? "Debian chromium is not installed (apt-get install -y chromium)" : jupyterMissing();

test("browser: every committed notebook shows its plots in JupyterLab (headless chromium)", { skip: why ?? false }, () => {
  const r = spawnSync(process.execPath, [path.join(root, "node_modules", "tsx", "dist", "cli.mjs"), path.join(root, "test", "browser", "check.ts")],
    { cwd: root, encoding: "utf8", timeout: 600000 });
  const lines = r.stdout.split("\n").filter((l) => l.startsWith("[check]"));
  console.log(lines.join("\n"));
  assert.equal(r.status, 0, `${lines.join("\n")}\n${r.stderr.slice(-2000)}`);
  assert.match(r.stdout, /\[check\] (\d+)\/\1 notebooks show plots/);
});
