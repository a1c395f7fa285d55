import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readNotebook, runNotebook } from "../src/cli/notebooks";
import { ROOT } from "../src/setup/env";
import { prepareNotebookRun, skipWithoutJupyter } from "./helpers/jupyter";
import { findChromium } from "../src/plot/browser";
import { countRenderedPlots } from "../src/plot/export";
import { PLOTLY_MIME } from "../src/plot/display";

const fixture = path.join(ROOT, "test", "fixtures", "smoke.ipynb");
test("smoke notebook: executes headless with the tslab kernel, shows a plotly figure, no error", { skip: skipWithoutJupyter }, async (t) => {
  prepareNotebookRun();
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "nfde-smoke-"));
  try {
    const report = await runNotebook(fixture, outDir);
    assert.deepEqual(report.errors, [], `the smoke notebook failed: ${report.errors.join("\n")}`);
    assert.equal(report.ok, true);
    assert.equal(report.plots, 1);

    const nb = readNotebook(path.join(outDir, "smoke.ipynb"));
    const outputs = nb.cells.flatMap((c) => (c.outputs ?? []) as { output_type: string; data?: Record<string, unknown>; text?: string | string[] }[]);
    assert.equal(outputs.filter((o) => o.output_type === "error").length, 0);
    const plot = outputs.find((o) => o.data && PLOTLY_MIME in o.data);
    const fig = plot!.data![PLOTLY_MIME] as { data: { type: string; x: number[]; y: number[] }[]; layout: { title: { text: string } } };
    assert.equal(fig.data.length, 1);
    assert.equal(fig.data[0].type, "scatter");
    assert.equal(fig.data[0].x.length, 21);
    assert.ok(Math.abs(fig.data[0].y[20] - Math.exp(-2)) < 1e-5, `y(2) = ${fig.data[0].y[20]}, expected exp(-2)`);
    assert.equal(fig.layout.title.text, "smoke: exp(-t)");
    const text = outputs.map((o) => [o.text ?? ""].flat().join("")).join("");
    assert.match(text, /backend: (tensorflow|wasm|cpu)/);

    const htmlFile = path.join(outDir, "smoke.html");
    const html = fs.readFileSync(htmlFile, "utf8");
    assert.equal(html.split("window.Plotly = Plotly").length - 1, 1, "plotly.js must be inlined exactly once");
    assert.equal((html.match(/class="nfde-plot"/g) ?? []).length, 1);

    await t.test("its HTML draws the plot offline in chromium", { skip: findChromium() ? false : "chromium not installed" }, async () => {
      const { divs, rendered } = await countRenderedPlots(htmlFile);
      assert.equal(divs, 1);
      assert.equal(rendered, 1);
    });
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
  }
});
