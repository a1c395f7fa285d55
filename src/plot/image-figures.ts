// Figure builders of the image-classification notebook: a grid of digits and a confusion matrix. Plain data
// in (row-major square images, labels), plotly JSON out.
import type { Figure, Trace } from "./figure";
import { heatmap } from "./figures";

export interface DigitGridOptions {
  /** Digits per row (default 10). */
  columns?: number;
  /** One caption per image (e.g. "7", or "true 4 → 9"), drawn above it. */
  captions?: string[];
  title?: string;
}

/** Square greyscale images (values in [0, 1], `side` × `side` row-major each) tiled into one heatmap with a 2-pixel gap. */
export function digitGridFigure(images: ArrayLike<number>, count: number, side: number, opts: DigitGridOptions = {}): Figure {
  if (!Number.isInteger(count) || count <= 0) throw new Error(`digitGridFigure: count is ${count}; allowed: a positive integer`);
  if (images.length < count * side * side) {
    throw new Error(`digitGridFigure: ${images.length} values for ${count} images of ${side} × ${side}; allowed: at least ${count * side * side}`);
  }
  if (opts.captions && opts.captions.length !== count) throw new Error(`digitGridFigure: ${opts.captions.length} captions for ${count} images; allowed: one per image`);
  const columns = Math.min(opts.columns ?? 10, count);
  const rows = Math.ceil(count / columns);
  const cell = side + 2;
  const z: (number | null)[][] = Array.from({ length: rows * cell }, () => new Array(columns * cell).fill(null));
  for (let i = 0; i < count; i++) {
    const [r0, c0] = [Math.floor(i / columns) * cell, (i % columns) * cell];
    for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) z[r0 + y][c0 + x] = images[i * side * side + y * side + x];
  }
  const trace: Trace = { type: "heatmap", z, colorscale: "Greys", reversescale: false, zmin: 0, zmax: 1, showscale: false, hoverinfo: "skip" };
  const annotations = (opts.captions ?? []).map((text, i) => ({
    x: (i % columns) * cell + side / 2, y: Math.floor(i / columns) * cell - 0.5, text, showarrow: false, yanchor: "bottom", font: { size: 10 },
  }));
  const axis = { visible: false, constrain: "domain" };
  return {
    data: [trace],
    layout: {
      title: { text: opts.title ?? "Digits" }, annotations,
      xaxis: { ...axis }, yaxis: { ...axis, autorange: "reversed", scaleanchor: "x" },
      width: Math.max(300, columns * 44), height: 80 + rows * (opts.captions ? 58 : 46),
    },
  };
}

/** The confusion matrix of predictions: counts[true][predicted], rows true classes. */
export function confusionCounts(truth: ArrayLike<number>, predicted: ArrayLike<number>, classes: number): number[][] {
  if (truth.length !== predicted.length) throw new Error(`confusionCounts: ${truth.length} labels against ${predicted.length} predictions; allowed: as many`);
  const m = Array.from({ length: classes }, () => new Array(classes).fill(0));
  for (let i = 0; i < truth.length; i++) {
    const [t, p] = [truth[i], predicted[i]];
    if (!(t >= 0 && t < classes && p >= 0 && p < classes)) throw new Error(`confusionCounts: label ${t} / prediction ${p} at ${i}; allowed: 0..${classes - 1}`);
    m[t][p]++;
  }
  return m;
}

/** The confusion matrix as a heatmap: rows the true class, columns the predicted one, log-scaled colour. */
export function confusionMatrixFigure(truth: ArrayLike<number>, predicted: ArrayLike<number>, classes: number, title?: string): Figure {
  const counts = confusionCounts(truth, predicted, classes);
  const labels = Array.from({ length: classes }, (_, i) => String(i));
  const fig = heatmap(counts.map((r) => r.map((c) => Math.log10(1 + c))), {
    x: labels, y: labels, colorscale: "Blues", colorbarTitle: "log10(1 + count)", title: title ?? "Confusion matrix (rows: true digit, columns: predicted)",
    xLabel: "predicted", yLabel: "true",
  });
  fig.data[0].text = counts.map((r) => r.map(String));
  fig.data[0].texttemplate = "%{text}";
  fig.layout.yaxis = { ...fig.layout.yaxis, autorange: "reversed" };
  return fig;
}
