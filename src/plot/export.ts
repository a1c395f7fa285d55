// Standalone HTML (plotly.js inlined: works offline) and PNG through headless chromium.
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { assertFigure, Figure, toPlainJson } from "./figure";
import { withChromium } from "./browser";

// plotly.js-dist-min when installed (3.5 MB), else plotly.js-dist (same code, not minified).
const BUNDLES = ["plotly.js-dist-min/plotly.min.js", "plotly.js-dist/plotly.js"];
let bundleCache: { file: string; source: string } | undefined;

/** The plotly.js browser bundle's source, read from node_modules. */
export function plotlyBundle(): { file: string; source: string } {
  if (bundleCache) return bundleCache;
  for (const spec of BUNDLES) {
    let file: string;
    try {
      file = require.resolve(spec);
    } catch {
      continue;
    }
    // Escaped so that the bundle can sit inside a <script> element.
    bundleCache = { file, source: fs.readFileSync(file, "utf8").replace(/<\/script/gi, "<\\/script") };
    return bundleCache;
  }
  throw new Error(`no plotly.js bundle found (looked for ${BUNDLES.join(", ")}): run npm install`);
}

/** JSON for an inline <script>: no "</script>" or "<!--" can close it early. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

export function uniquePlotId(): string {
  return `nfde-plot-${randomBytes(6).toString("hex")}`;
}

/** A div and the script that draws `fig` into it; needs Plotly loaded earlier in the page. */
export function plotDivHtml(fig: Figure, id: string = uniquePlotId()): string {
  assertFigure(fig);
  const plain = toPlainJson(fig);
  const height = typeof plain.layout.height === "number" ? `${plain.layout.height}px` : "450px";
  return `<div id="${id}" class="nfde-plot" style="width:100%;height:${height}"></div>\n` +
    `<script>Plotly.newPlot(${scriptJson(id)}, ${scriptJson(plain.data)}, ${scriptJson(plain.layout)}, {"responsive": true});</script>`;
}

export function plotlyScriptTag(): string {
  return `<script type="text/javascript">${plotlyBundle().source}</script>`;
}

// MathJax 3's TeX-to-SVG bundle with every TeX extension: self-contained (no fonts or extensions to fetch).
const MATHJAX_BUNDLE = "mathjax/es5/tex-svg-full.js";
let mathjaxCache: { file: string; source: string } | undefined;

/** MathJax's browser bundle (tex-svg-full.js of the mathjax npm package), escaped for an inline <script>. */
export function mathjaxBundle(): { file: string; source: string } {
  if (mathjaxCache) return mathjaxCache;
  let file: string;
  try {
    file = require.resolve(MATHJAX_BUNDLE);
  } catch {
    throw new Error(`no MathJax bundle found (looked for ${MATHJAX_BUNDLE}): run npm install`);
  }
  mathjaxCache = { file, source: fs.readFileSync(file, "utf8").replace(/<\/script/gi, "<\\/script") };
  return mathjaxCache;
}

/** Jupyter's math delimiters: $...$ and \(...\) inline, $$...$$ and \[...\] displayed; AMS environments and numbering. */
export const MATHJAX_CONFIG = {
  tex: {
    inlineMath: [["$", "$"], ["\\(", "\\)"]],
    displayMath: [["$$", "$$"], ["\\[", "\\]"]],
    processEscapes: true,
    processEnvironments: true,
    tags: "ams",
  },
  svg: { fontCache: "global" },
  options: { ignoreHtmlClass: "tex2jax_ignore", processHtmlClass: "tex2jax_process" },
};

/** The MathJax configuration and the inlined MathJax bundle: math typesets offline, with no request. */
export function mathjaxScriptTags(): string {
  return `<script type="text/javascript">window.MathJax = ${scriptJson(MATHJAX_CONFIG)};</script>\n` +
    `<script type="text/javascript" id="nfde-mathjax">${mathjaxBundle().source}</script>`;
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** A standalone HTML page with every figure, plotly.js inlined once; each plot div has a unique id. */
export function figuresToHtml(figs: Figure[], title = "neural-fde figures"): string {
  if (!Array.isArray(figs)) throw new Error(`figs must be an array of figures; got ${String(figs)}`);
  figs.forEach((f, i) => assertFigure(f, `figs[${i}]`));
  const body = figs.map((f, i) => plotDivHtml(f, `${uniquePlotId()}-${i}`)).join("\n");
  return `<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n<title>${escapeHtml(title)}</title>\n` +
    `${plotlyScriptTag()}\n</head>\n<body>\n<h1>${escapeHtml(title)}</h1>\n${body}\n</body>\n</html>\n`;
}

/** Writes figuresToHtml(figs, title) to `file` (directories created). */
export function writeHtml(file: string, figs: Figure[], title?: string): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, figuresToHtml(figs, title));
}

export interface PngOptions {
  width?: number;
  height?: number;
  /** Pixel ratio (2 for sharp images). */
  scale?: number;
}

/** Renders `fig` to a PNG file with Plotly.toImage in headless chromium (needs /usr/bin/chromium). */
export async function toPng(fig: Figure, file: string, opts: PngOptions = {}): Promise<void> {
  assertFigure(fig);
  const width = opts.width ?? (typeof fig.layout.width === "number" ? fig.layout.width : 800);
  const height = opts.height ?? (typeof fig.layout.height === "number" ? fig.layout.height : 500);
  const scale = opts.scale ?? 1;
  for (const [name, v] of [["width", width], ["height", height], ["scale", scale]] as const) {
    if (!(Number.isFinite(v) && v > 0)) throw new Error(`${name} must be a positive number; got ${v}`);
  }
  const plain = toPlainJson(fig);
  const dataUrl = await withChromium(async (browser) => {
    const page = await browser.newPage();
    await page.setContent(`<!DOCTYPE html><html><head><meta charset="utf-8">${plotlyScriptTag()}</head><body><div id="p"></div></body></html>`);
    return page.evaluate(
      async ({ data, layout, width, height, scale }) => {
        const P = (globalThis as unknown as { Plotly: { newPlot: Function; toImage: Function } }).Plotly;
        const gd = await P.newPlot("p", data, layout, { staticPlot: true });
        return (await P.toImage(gd, { format: "png", width, height, scale })) as string;
      },
      { data: plain.data, layout: plain.layout, width, height, scale },
    );
  });
  const prefix = "data:image/png;base64,";
  if (!dataUrl.startsWith(prefix)) throw new Error(`Plotly.toImage returned no PNG (got ${dataUrl.slice(0, 40)}...)`);
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, Buffer.from(dataUrl.slice(prefix.length), "base64"));
}

/** Opens an HTML file in headless chromium and counts the plots plotly drew (.js-plotly-plot with an svg). */
export async function countRenderedPlots(htmlFile: string, timeoutMs = 30000): Promise<{ divs: number; rendered: number }> {
  return withChromium(async (browser) => {
    const page = await browser.newPage();
    await page.goto(`file://${path.resolve(htmlFile)}`, { waitUntil: "load", timeout: timeoutMs });
    const divs = await page.locator(".nfde-plot").count();
    const drawn = "[...document.querySelectorAll('.js-plotly-plot')].filter((e) => e.querySelector('.main-svg')).length";
    if (divs > 0) await page.waitForFunction(`${drawn} >= ${divs}`, undefined, { timeout: timeoutMs }).catch(() => undefined);
    const rendered = (await page.evaluate(drawn)) as number;
    return { divs, rendered };
  });
}
