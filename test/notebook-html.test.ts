// nfde notebooks' standalone HTML reads offline: math typeset by an inlined MathJax, executed cells numbered.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { notebookToHtml, numberExecutedCells, readNotebook } from "../src/cli/notebooks";
import { JUPYTER } from "../src/setup/env";
import { findChromium, missingChromiumMessage, withChromium } from "../src/plot/browser";
import { mathjaxBundle, plotlyBundle } from "../src/plot/export";

const ran = (start: number) => ({
  execution: {
    "iopub.status.busy": `2026-12-01T00:00:0${start}.000000Z`, "iopub.status.idle": `2026-12-01T00:00:0${start + 1}.000000Z`,
    "shell.execute_reply": `2026-12-01T00:00:0${start}.500000Z`,
  },
});

/** A tiny notebook as nbclient leaves it after a tslab run: execution_count null, metadata.execution set. */
const FIXTURE = {
  cells: [
    { cell_type: "markdown", metadata: {}, source: ["# Math\n", "\n", "Inline $0 < \\beta \\le 1$ and displayed:\n", "\n", "$$D^\\beta X(t) = f(t, X(t); \\theta)$$\n"] },
    { cell_type: "code", execution_count: null, metadata: ran(0), outputs: [{ name: "stdout", output_type: "stream", text: ["hello\n"] }], source: ["console.log(\"hello\")"] },
    {
      cell_type: "code", execution_count: null, metadata: ran(2), source: ["6 * 7"],
      outputs: [{ data: { "text/plain": ["42"] }, execution_count: null, metadata: {}, output_type: "execute_result" }],
    },
    { cell_type: "code", execution_count: null, metadata: {}, outputs: [], source: ["// not run"] },
  ],
  metadata: {
    kernelspec: { display_name: "TypeScript", language: "typescript", name: "tslab" },
    language_info: { name: "typescript", file_extension: ".ts", mimetype: "text/typescript", version: "3.7.2" },
  },
  nbformat: 4,
  nbformat_minor: 5,
};

const noNbconvert = !fs.existsSync(JUPYTER);
const skipNbconvert = noNbconvert && !process.env.CI ? `no ${path.relative(process.cwd(), JUPYTER)} (run npm run setup for the Jupyter venv)` : false;

test("numberExecutedCells numbers the cells nbclient ran, and their execute_result outputs", () => {
  const nb = JSON.parse(JSON.stringify(FIXTURE)) as ReturnType<typeof readNotebook>;
  assert.equal(numberExecutedCells(nb), 2);
  assert.deepEqual(nb.cells.map((c) => c.execution_count ?? null), [null, 1, 2, null]);
  assert.equal(nb.cells[2].outputs?.[0].execution_count, 2);
  assert.equal(numberExecutedCells(nb), 2, "idempotent");
});

test("notebookToHtml: no remote script, MathJax inlined, executed cells numbered, formulas typeset offline", { skip: skipNbconvert }, async (t) => {
  assert.ok(!noNbconvert, `CI needs ${JUPYTER} (nbconvert): run npm run setup`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nfde-html-"));
  try {
    const ipynb = path.join(dir, "math.ipynb"), html = path.join(dir, "math.html");
    fs.writeFileSync(ipynb, JSON.stringify(FIXTURE));
    notebookToHtml(ipynb, html);
    const page = fs.readFileSync(html, "utf8");
    const remote = page.match(/<script[^>]*\ssrc\s*=\s*["']?(https?:)?\/\/[^>]*>/gi) ?? [];
    assert.deepEqual(remote, [], "no script is loaded from the network");
    assert.ok(!/libs\/mathjax|MathJax\.Hub|text\/x-mathjax-config/i.test(page.replace(mathjaxBundle().source, "").replace(plotlyBundle().source, "")), "nbconvert's CDN MathJax and its config are gone");
    assert.ok(page.includes(mathjaxBundle().source.slice(0, 2000)), "the MathJax bundle is inlined");
    assert.ok(page.includes("$$D^\\beta X(t)"), "the formula is in the page for MathJax to typeset");
    const prompts = [...page.replace(/\u00a0|&nbsp;/g, " ").matchAll(/jp-InputPrompt[^>]*>\s*(In \[[^\]]*\]:)/g)].map((m) => m[1]);
    assert.deepEqual(prompts, ["In [1]:", "In [2]:", "In [ ]:"]);
    assert.match(page.replace(/\u00a0|&nbsp;/g, " "), /Out\[2\]:/);

    if (!findChromium()) {
      t.diagnostic(`browser check skipped: ${missingChromiumMessage()}`);
      return;
    }
    const seen = await withChromium(async (browser) => {
      const context = await browser.newContext();
      const requests: string[] = [];
      // Offline: only the file itself loads; any other request is recorded and refused.
      await context.route("**/*", (route) => {
        const url = route.request().url();
        if (url.startsWith("file:")) return route.continue();
        requests.push(url);
        return route.abort();
      });
      const p = await context.newPage();
      const errors: string[] = [];
      p.on("pageerror", (e) => errors.push(String(e)));
      await p.goto(`file://${html}`, { waitUntil: "load", timeout: 60000 });
      await p.waitForFunction("document.querySelectorAll('mjx-container svg').length >= 2", undefined, { timeout: 60000 }).catch(() => undefined);
      const state = await p.evaluate(`(() => {
        const md = document.querySelector('.jp-MarkdownOutput, .jp-RenderedMarkdown') || document.body;
        return { svgs: document.querySelectorAll('mjx-container svg').length,
                 display: document.querySelectorAll('mjx-container[display="true"] svg').length,
                 rawTex: md.innerText.includes('$$') || md.innerText.includes('\\\\beta') };
      })()`) as { svgs: number; display: number; rawTex: boolean };
      return { ...state, requests, errors };
    });
    assert.deepEqual(seen.requests, [], "the page requested nothing from the network");
    assert.deepEqual(seen.errors, [], "no script error in the page");
    assert.ok(seen.svgs >= 2, `MathJax typeset the inline and the displayed formula as SVG (${seen.svgs} svg)`);
    assert.ok(seen.display >= 1, "the $$...$$ formula is displayed math");
    assert.equal(seen.rawTex, false, "no raw TeX ($$, \\beta) is left in the rendered markdown");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
