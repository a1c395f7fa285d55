// Inline display in a tslab notebook. Outside a notebook nothing is written but a one-line note.
import * as path from "node:path";
import { assertFigure, Figure, toPlainJson } from "./figure";
import { formatCell, Row, tableColumns } from "./figures";

export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

interface TslabDisplay {
  raw(contentType: string, b: unknown): unknown;
  html(s: string): void;
}

// The tslab kernel keeps its Jupyter connection in tslab/dist/jupyter.js: `lastWriteDisplayData` is set once
// the kernel serves requests. Looking it up in the require cache finds the tslab instance that actually runs
// this process (not merely one that is installed), and never loads tslab in plain Node.
function kernelDisplay(): TslabDisplay | undefined {
  const suffix = `${path.sep}tslab${path.sep}dist${path.sep}jupyter.js`;
  for (const [file, mod] of Object.entries(require.cache)) {
    if (!file.endsWith(suffix) || mod?.exports?.lastWriteDisplayData == null) continue;
    const pub = require(path.join(path.dirname(file), "public.js")) as { display?: TslabDisplay };
    if (pub.display) return pub.display;
  }
  return undefined;
}

/** True when running inside a tslab kernel that can display rich output. */
export function inNotebook(): boolean {
  return kernelDisplay() !== undefined;
}

let noted = false;
function noteOnce(what: string): void {
  if (noted) return;
  noted = true;
  console.error(`[neural-fde] ${what} not displayed: not running in a tslab notebook (use writeHtml or toPng to save figures)`);
}

/** Shows a figure inline (plotly mime type); outside a notebook prints one note per process. */
export function show(fig: Figure): void {
  assertFigure(fig);
  const display = kernelDisplay();
  if (!display) {
    noteOnce("figure");
    return;
  }
  // The mime bundle carries the figure as a JSON object (tslab passes non-binary values through).
  display.raw(PLOTLY_MIME, toPlainJson(fig));
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** An HTML table of rows (columns from the keys of all rows); numbers right-aligned, `digits` significant. */
export function tableHtml(rows: Row[], opts: { title?: string; digits?: number } = {}): string {
  if (!Array.isArray(rows)) throw new Error(`rows must be an array of objects; got ${String(rows)}`);
  const cols = tableColumns(rows);
  const head = cols.map((c) => `<th>${escapeHtml(c)}</th>`).join("");
  const body = rows
    .map((r) => "<tr>" + cols.map((c) => {
      const align = typeof r[c] === "number" ? ' style="text-align:right"' : "";
      return `<td${align}>${escapeHtml(formatCell(r[c], opts.digits ?? 4))}</td>`;
    }).join("") + "</tr>")
    .join("");
  const caption = opts.title !== undefined ? `<caption>${escapeHtml(opts.title)}</caption>` : "";
  return `<table class="nfde-table">${caption}<thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

/** Shows a small result table inline as text/html; outside a notebook prints one note per process. */
export function showTable(rows: Row[], opts: { title?: string; digits?: number } = {}): void {
  const html = tableHtml(rows, opts);
  const display = kernelDisplay();
  if (!display) {
    noteOnce("table");
    return;
  }
  display.html(html);
}
