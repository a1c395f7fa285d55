// Figure builders: plain `{ data, layout }` JSON for plotly, no DOM and no plotly.js import.
import { Axis, AxisType, Figure, Layout, Numbers, Trace } from "./figure";

export interface Series {
  name: string;
  x: Numbers;
  y: Numbers;
  /** Line dash style, e.g. "dash", "dot". */
  dash?: string;
  /** Overrides the chart-wide `markers` option for this series. */
  markers?: boolean;
}

export interface ChartOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  width?: number;
  height?: number;
}

export interface LineOptions extends ChartOptions {
  logX?: boolean;
  logY?: boolean;
  /** Draw a marker at every point (default false: lines only). */
  markers?: boolean;
}

export interface BarSeries {
  name: string;
  values: Numbers;
}

export interface BarOptions extends ChartOptions {
  logY?: boolean;
  /** "group" (default) puts the series side by side, "stack" on top of each other. */
  mode?: "group" | "stack";
}

export interface HeatmapOptions extends ChartOptions {
  /** Column labels (length = columns of z) and row labels (length = rows of z). */
  x?: (string | number)[];
  y?: (string | number)[];
  colorscale?: string;
  colorbarTitle?: string;
}

export interface ScatterOptions extends ChartOptions {
  markerSize?: number;
  opacity?: number;
}

function toArray(values: Numbers, argName: string): (number | null)[] {
  if (values === null || typeof values !== "object" || typeof values.length !== "number") {
    throw new Error(`${argName} must be an array of numbers; got ${String(values)}`);
  }
  const out: (number | null)[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== "number") throw new Error(`${argName}[${i}] must be a number; got ${JSON.stringify(v)}`);
    out[i] = Number.isFinite(v) ? v : null;
  }
  return out;
}

function axis(label: string | undefined, type: AxisType | undefined): Axis {
  const a: Axis = {};
  if (label !== undefined) a.title = { text: label };
  if (type !== undefined) a.type = type;
  return a;
}

function baseLayout(opts: ChartOptions, xType?: AxisType, yType?: AxisType): Layout {
  const layout: Layout = { xaxis: axis(opts.xLabel, xType), yaxis: axis(opts.yLabel, yType) };
  if (opts.title !== undefined) layout.title = { text: opts.title };
  if (opts.width !== undefined) layout.width = opts.width;
  if (opts.height !== undefined) layout.height = opts.height;
  return layout;
}

function requireNonEmpty(list: unknown[], argName: string): void {
  if (!Array.isArray(list) || list.length === 0) {
    throw new Error(`${argName} must be a non-empty array; got ${Array.isArray(list) ? "[]" : String(list)}`);
  }
}

function checkPositive(values: (number | null)[], argName: string, axisName: string): void {
  const bad = values.findIndex((v) => v !== null && v <= 0);
  if (bad >= 0) {
    throw new Error(`${argName}[${bad}] is ${values[bad]} but the ${axisName} axis is logarithmic: values must be > 0 (or NaN to leave a gap)`);
  }
}

/** One line per series; `logX` / `logY` make the axes logarithmic. */
export function lineChart(series: Series[], opts: LineOptions = {}): Figure {
  requireNonEmpty(series, "series");
  const data: Trace[] = series.map((s, i) => {
    const x = toArray(s.x, `series[${i}].x`);
    const y = toArray(s.y, `series[${i}].y`);
    if (x.length !== y.length) {
      throw new Error(`series[${i}] ("${s.name}"): x has ${x.length} values and y has ${y.length}; they must have the same length`);
    }
    if (opts.logX) checkPositive(x, `series[${i}].x`, "x");
    if (opts.logY) checkPositive(y, `series[${i}].y`, "y");
    const trace: Trace = { type: "scatter", mode: (s.markers ?? opts.markers) ? "lines+markers" : "lines", name: s.name, x, y };
    if (s.dash !== undefined) trace.line = { dash: s.dash };
    return trace;
  });
  return { data, layout: baseLayout(opts, opts.logX ? "log" : "linear", opts.logY ? "log" : "linear") };
}

/** Log-log plot with markers: for convergence orders and scaling laws (a power law is a straight line). */
export function logLogPlot(series: Series[], opts: ChartOptions & { markers?: boolean } = {}): Figure {
  return lineChart(series, { markers: true, ...opts, logX: true, logY: true });
}

/** Grouped (or stacked) bars: one bar per category for each series. */
export function barChart(categories: string[], series: BarSeries[], opts: BarOptions = {}): Figure {
  requireNonEmpty(categories, "categories");
  requireNonEmpty(series, "series");
  const data: Trace[] = series.map((s, i) => {
    const y = toArray(s.values, `series[${i}].values`);
    if (y.length !== categories.length) {
      throw new Error(`series[${i}] ("${s.name}") has ${y.length} values; it needs one per category (${categories.length})`);
    }
    if (opts.logY) checkPositive(y, `series[${i}].values`, "y");
    return { type: "bar", name: s.name, x: [...categories], y };
  });
  const layout = baseLayout(opts, "category", opts.logY ? "log" : "linear");
  layout.barmode = opts.mode ?? "group";
  return { data, layout };
}

/** Points coloured by category (e.g. a 2-D embedding coloured by class): one trace per category. */
export function scatterByCategory(x: Numbers, y: Numbers, labels: ArrayLike<string | number>, opts: ScatterOptions = {}): Figure {
  const xs = toArray(x, "x");
  const ys = toArray(y, "y");
  if (xs.length !== ys.length || labels.length !== xs.length) {
    throw new Error(`x, y and labels must have the same length; got ${xs.length}, ${ys.length} and ${labels.length}`);
  }
  const groups = new Map<string, { x: (number | null)[]; y: (number | null)[] }>();
  for (let i = 0; i < xs.length; i++) {
    const key = String(labels[i]);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { x: [], y: [] }));
    g.x.push(xs[i]);
    g.y.push(ys[i]);
  }
  const keys = [...groups.keys()].sort((a, b) => {
    const na = Number(a), nb = Number(b);
    return Number.isFinite(na) && Number.isFinite(nb) ? na - nb : a.localeCompare(b);
  });
  const data: Trace[] = keys.map((k) => ({
    type: "scatter",
    mode: "markers",
    name: k,
    x: groups.get(k)!.x,
    y: groups.get(k)!.y,
    marker: { size: opts.markerSize ?? 5, opacity: opts.opacity ?? 0.8 },
  }));
  return { data, layout: baseLayout(opts, "linear", "linear") };
}

/** A heatmap of a matrix z[row][column]. */
export function heatmap(z: Numbers[], opts: HeatmapOptions = {}): Figure {
  requireNonEmpty(z, "z");
  const rows = z.map((row, i) => toArray(row, `z[${i}]`));
  const cols = rows[0].length;
  const ragged = rows.findIndex((r) => r.length !== cols);
  if (ragged >= 0) throw new Error(`z must be rectangular: z[0] has ${cols} values, z[${ragged}] has ${rows[ragged].length}`);
  if (opts.x && opts.x.length !== cols) throw new Error(`x labels: got ${opts.x.length}, z has ${cols} columns`);
  if (opts.y && opts.y.length !== rows.length) throw new Error(`y labels: got ${opts.y.length}, z has ${rows.length} rows`);
  const trace: Trace = { type: "heatmap", z: rows, colorscale: opts.colorscale ?? "Viridis" };
  if (opts.x) trace.x = [...opts.x];
  if (opts.y) trace.y = [...opts.y];
  if (opts.colorbarTitle !== undefined) trace.colorbar = { title: { text: opts.colorbarTitle } };
  const layout = baseLayout(opts);
  delete layout.xaxis!.type;
  delete layout.yaxis!.type;
  return { data: [trace], layout };
}

export type Row = Record<string, string | number | boolean | null | undefined>;

/** A plotly table of rows (columns from the keys of all rows, in first-seen order). */
export function tableFigure(rows: Row[], opts: { title?: string; digits?: number } = {}): Figure {
  requireNonEmpty(rows, "rows");
  const columns = tableColumns(rows);
  const cells = columns.map((c) => rows.map((r) => formatCell(r[c], opts.digits ?? 4)));
  const layout: Layout = {};
  if (opts.title !== undefined) layout.title = { text: opts.title };
  return { data: [{ type: "table", header: { values: columns }, cells: { values: cells } }], layout };
}

export function tableColumns(rows: Row[]): string[] {
  const seen = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) seen.add(k);
  return [...seen];
}

/** Numbers with `digits` significant digits (integers as they are); empty for null/undefined. */
export function formatCell(v: Row[string], digits = 4): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : Number(v.toPrecision(digits)).toString();
  return String(v);
}
