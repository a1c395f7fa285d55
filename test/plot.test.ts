import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  barChart, figuresToHtml, heatmap, inNotebook, lineChart, logLogPlot, PLOTLY_MIME, scatterByCategory, show, showTable,
  tableFigure, tableHtml, confusionCounts, confusionMatrixFigure, digitGridFigure,
} from "../src/plot";

test("lineChart: one scatter trace per series, log axes on request, NaN becomes a gap", () => {
  const fig = lineChart(
    [{ name: "a", x: [1, 2, 3], y: [1, 4, 9] }, { name: "b", x: new Float32Array([1, 2, 3]), y: [2, NaN, 6], dash: "dash" }],
    { title: "T", xLabel: "t", yLabel: "y", logY: true, markers: true },
  );
  assert.equal(fig.data.length, 2);
  assert.deepEqual(fig.data.map((d) => [d.type, d.name, d.mode]), [["scatter", "a", "lines+markers"], ["scatter", "b", "lines+markers"]]);
  assert.deepEqual(fig.data[1].x, [1, 2, 3]);
  assert.deepEqual(fig.data[1].y, [2, null, 6]);
  assert.deepEqual(fig.data[1].line, { dash: "dash" });
  assert.deepEqual(fig.layout.title, { text: "T" });
  assert.deepEqual(fig.layout.xaxis, { title: { text: "t" }, type: "linear" });
  assert.deepEqual(fig.layout.yaxis, { title: { text: "y" }, type: "log" });
  assert.equal(lineChart([{ name: "a", x: [0], y: [0] }]).data[0].mode, "lines");
});

test("lineChart: mismatched lengths and non-positive values on a log axis are named in the error", () => {
  assert.throws(() => lineChart([{ name: "a", x: [1, 2], y: [1] }]), /series\[0\] \("a"\): x has 2 values and y has 1/);
  assert.throws(() => lineChart([{ name: "a", x: [1, 2], y: [1, 0] }], { logY: true }), /series\[0\]\.y\[1\] is 0 .*> 0/);
  assert.throws(() => lineChart([]), /series must be a non-empty array/);
});

test("logLogPlot: both axes logarithmic, markers on", () => {
  const fig = logLogPlot([{ name: "err", x: [0.1, 0.05, 0.025], y: [1e-2, 2.5e-3, 6.25e-4] }], { xLabel: "h" });
  assert.equal(fig.layout.xaxis!.type, "log");
  assert.equal(fig.layout.yaxis!.type, "log");
  assert.equal(fig.data[0].mode, "lines+markers");
  assert.deepEqual(fig.data[0].y, [1e-2, 2.5e-3, 6.25e-4]);
});

test("barChart: one bar trace per series over the categories, grouped by default", () => {
  const fig = barChart(["direct", "adjoint"], [{ name: "N=40", values: [112, 87] }, { name: "N=160", values: [891, 546] }], { yLabel: "ms", logY: true });
  assert.equal(fig.data.length, 2);
  assert.ok(fig.data.every((d) => d.type === "bar"));
  assert.deepEqual(fig.data[1].x, ["direct", "adjoint"]);
  assert.deepEqual(fig.data[1].y, [891, 546]);
  assert.equal(fig.layout.barmode, "group");
  assert.equal(fig.layout.yaxis!.type, "log");
  assert.equal(barChart(["a"], [{ name: "s", values: [1] }], { mode: "stack" }).layout.barmode, "stack");
  assert.throws(() => barChart(["a", "b"], [{ name: "s", values: [1] }]), /series\[0\] \("s"\) has 1 values; it needs one per category \(2\)/);
});

test("scatterByCategory: one marker trace per class, classes in numeric order, points kept with their class", () => {
  const fig = scatterByCategory([0, 1, 2, 3, 4], [5, 6, 7, 8, 9], [10, 2, 10, 2, 7]);
  assert.deepEqual(fig.data.map((d) => d.name), ["2", "7", "10"]);
  assert.ok(fig.data.every((d) => d.type === "scatter" && d.mode === "markers"));
  assert.deepEqual([fig.data[0].x, fig.data[0].y], [[1, 3], [6, 8]]);
  assert.deepEqual([fig.data[2].x, fig.data[2].y], [[0, 2], [5, 7]]);
  assert.throws(() => scatterByCategory([0], [1, 2], ["a"]), /same length; got 1, 2 and 1/);
});

test("heatmap: z kept row by row with labels; ragged input is rejected", () => {
  const fig = heatmap([[1, 2, 3], [4, 5, 6]], { x: ["a", "b", "c"], y: [0.5, 1], colorbarTitle: "err" });
  assert.equal(fig.data.length, 1);
  assert.equal(fig.data[0].type, "heatmap");
  assert.deepEqual(fig.data[0].z, [[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(fig.data[0].x, ["a", "b", "c"]);
  assert.deepEqual(fig.data[0].colorbar, { title: { text: "err" } });
  assert.throws(() => heatmap([[1, 2], [3]]), /z must be rectangular: z\[0\] has 2 values, z\[1\] has 1/);
  assert.throws(() => heatmap([[1, 2]], { x: ["a"] }), /x labels: got 1, z has 2 columns/);
});

test("tableFigure and tableHtml: columns from all rows, numbers rounded, HTML escaped", () => {
  const rows = [{ method: "predictor", error: 0.0123456, steps: 40 }, { method: "<l1>", order: 1.5 }];
  const fig = tableFigure(rows, { digits: 3 });
  assert.equal(fig.data[0].type, "table");
  assert.deepEqual(fig.data[0].header, { values: ["method", "error", "steps", "order"] });
  assert.deepEqual(fig.data[0].cells, { values: [["predictor", "<l1>"], ["0.0123", ""], ["40", ""], ["", "1.5"]] });
  const html = tableHtml(rows, { title: "Errors" });
  assert.match(html, /<caption>Errors<\/caption>/);
  assert.match(html, /<th>method<\/th><th>error<\/th><th>steps<\/th><th>order<\/th>/);
  assert.match(html, /&lt;l1&gt;/);
  assert.match(html, /<td style="text-align:right">0.01235<\/td>/);
});

test("figuresToHtml: plotly.js inlined once, one div per figure with unique ids, data embedded safely", () => {
  const figs = [
    lineChart([{ name: "</script><b>", x: [1], y: [2] }], { title: "first" }),
    barChart(["a"], [{ name: "s", values: [3] }]),
    heatmap([[1]]),
  ];
  const html = figuresToHtml(figs, "Report & <figures>");
  assert.equal(html.split("window.Plotly = Plotly").length - 1, 1, "the plotly.js bundle appears once");
  assert.ok(html.length > 3_000_000, `the bundle is inlined (page is ${html.length} bytes)`);
  assert.match(html, /<title>Report &amp; &lt;figures&gt;<\/title>/);
  const ids = [...html.matchAll(/<div id="([^"]+)" class="nfde-plot"/g)].map((m) => m[1]);
  assert.equal(ids.length, 3);
  assert.equal(new Set(ids).size, 3);
  for (const id of ids) assert.ok(html.includes(`Plotly.newPlot("${id}"`), `a newPlot call for ${id}`);
  assert.ok(!html.includes("</script><b>"), "figure strings cannot close the script element");
  assert.ok(html.includes("\\u003c/script>\\u003cb>"));
  assert.throws(() => figuresToHtml([{ data: [] } as never]), /figs\[0\] must be a plotly figure/);
});

test("show and showTable outside a notebook do not throw (one note on stderr)", () => {
  const fig = lineChart([{ name: "a", x: [1], y: [1] }]);
  assert.doesNotThrow(() => show(fig));
  assert.doesNotThrow(() => showTable([{ a: 1 }]));
  assert.throws(() => show({ layout: {} } as never), /fig must be a plotly figure/);
});

test("show inside a (simulated) tslab kernel sends the figure as a plotly mime bundle", () => {
  // A stand-in for tslab/dist: jupyter.js holds the kernel's writer, public.js the display that calls it.
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "nfde-tslab-")), "tslab", "dist");
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "jupyter.js"), "exports.lastWriteDisplayData = null;\n");
  fs.writeFileSync(path.join(dir, "public.js"), `const j = require("./jupyter");
exports.display = { raw: (t, b) => j.lastWriteDisplayData({ data: { [t]: b } }), html: (s) => j.lastWriteDisplayData({ data: { "text/html": s } }) };\n`);
  const jupyter = require(path.join(dir, "jupyter.js")) as { lastWriteDisplayData: unknown };
  const sent: { data: Record<string, unknown> }[] = [];
  try {
    assert.equal(inNotebook(), false, "a loaded but idle kernel module is not a notebook");
    jupyter.lastWriteDisplayData = (msg: { data: Record<string, unknown> }) => sent.push(msg);
    assert.equal(inNotebook(), true);
    show(lineChart([{ name: "a", x: new Float64Array([1, 2]), y: [3, Infinity] }], { title: "k" }));
    showTable([{ a: 1 }]);
    assert.equal(sent.length, 2);
    assert.deepEqual(sent[0].data[PLOTLY_MIME], {
      data: [{ type: "scatter", mode: "lines", name: "a", x: [1, 2], y: [3, null] }],
      layout: { title: { text: "k" }, xaxis: { type: "linear" }, yaxis: { type: "linear" } },
    });
    assert.match(sent[1].data["text/html"] as string, /^<table class="nfde-table">/);
  } finally {
    for (const f of ["jupyter.js", "public.js"]) delete require.cache[path.join(dir, f)];
  }
});

test("digit grid: images tiled with gaps, captions above them; wrong sizes name themselves", () => {
  const side = 3;
  const images = Float32Array.from({ length: 5 * 9 }, (_, i) => (i % 9) / 8);
  const fig = digitGridFigure(images, 5, side, { columns: 2, captions: ["a", "b", "c", "d", "e"] });
  const z = fig.data[0].z as (number | null)[][];
  assert.equal(z.length, 3 * (side + 2));
  assert.equal(z[0].length, 2 * (side + 2));
  assert.equal(z[0][0], 0);
  assert.equal(z[2][2], 1);
  assert.equal(z[0][side], null, "gap column");
  assert.equal(z[side + 2][side + 2 + 1], images[3 * 9 + 1], "image 3 at row 1, column 1");
  assert.equal((fig.layout.annotations as { text: string }[])[4].text, "e");
  assert.throws(() => digitGridFigure(images, 6, side), /45 values for 6 images of 3 × 3; allowed: at least 54/);
  assert.throws(() => digitGridFigure(images, 5, side, { captions: ["x"] }), /1 captions for 5 images/);
});

test("confusion matrix: counts per (true, predicted), the diagonal the hits; bad labels name themselves", () => {
  const counts = confusionCounts([0, 1, 1, 2, 2, 2], [0, 1, 2, 2, 2, 0], 3);
  assert.deepEqual(counts, [[1, 0, 0], [0, 1, 1], [1, 0, 2]]);
  const fig = confusionMatrixFigure([0, 1, 1, 2, 2, 2], [0, 1, 2, 2, 2, 0], 3);
  assert.deepEqual(fig.data[0].text, [["1", "0", "0"], ["0", "1", "1"], ["1", "0", "2"]]);
  assert.throws(() => confusionCounts([0, 3], [0, 1], 3), /label 3 \/ prediction 1 at 1; allowed: 0\.\.2/);
  assert.throws(() => confusionCounts([0], [0, 1], 3), /1 labels against 2 predictions/);
});
