// Shared preamble of the tests that execute notebooks with the tslab kernel.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { buildDist, jupyterMissing, ROOT } from "../../src/setup/env";

export const jupyterGap = jupyterMissing();
/** Without the Jupyter venv a developer may skip; CI must have it. */
export const skipWithoutJupyter = jupyterGap !== undefined && !process.env.CI ? `no Jupyter here (${jupyterGap})` : false;

/** Asserts Jupyter is there and builds dist/ (notebooks import the package from it). */
export function prepareNotebookRun(): void {
  assert.equal(jupyterGap, undefined, `CI needs the Jupyter venv with the tslab kernel: ${jupyterGap}`);
  const build = buildDist();
  assert.ok(fs.existsSync(path.join(ROOT, "dist", "index.js")), `tsc did not produce dist/index.js:\n${build.log}`);
}
