// The plotly figure as plain JSON: what the plotly mime renderer and Plotly.newPlot both accept.

export type AxisType = "linear" | "log" | "category";

export interface Axis {
  title?: { text: string };
  type?: AxisType;
  [key: string]: unknown;
}

export interface Trace {
  type: string;
  name?: string;
  [key: string]: unknown;
}

export interface Layout {
  title?: { text: string };
  xaxis?: Axis;
  yaxis?: Axis;
  [key: string]: unknown;
}

export interface Figure {
  data: Trace[];
  layout: Layout;
}

export type Numbers = ArrayLike<number>;

/** A copy of `value` that JSON can carry: typed arrays become arrays, NaN and ±Infinity become null. */
export function toPlainJson<T>(value: T): T {
  return JSON.parse(
    JSON.stringify(value, (_key, v: unknown) => {
      if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>);
      if (typeof v === "number" && !Number.isFinite(v)) return null;
      return v;
    }),
  ) as T;
}

/** Throws unless `value` looks like a figure: `{ data: Trace[], layout: object }`. */
export function assertFigure(value: unknown, argName = "fig"): asserts value is Figure {
  const f = value as Partial<Figure> | null;
  if (f === null || typeof f !== "object" || !Array.isArray(f.data) || typeof f.layout !== "object" || f.layout === null) {
    const shown = f === null || typeof f !== "object" ? String(f) : `object with keys [${Object.keys(f).join(", ")}]`;
    throw new Error(`${argName} must be a plotly figure { data: Trace[], layout: object }; got ${shown}`);
  }
}
