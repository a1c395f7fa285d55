// Figure builders of the tutorial notebooks (notebooks/0*.ipynb): memory kernel, convergence, fits,
// training curves, oversmoothing, embeddings, gradient errors. Plain data in, plotly JSON out.
import type { Figure, Trace } from "./figure";
import { barChart, lineChart, logLogPlot, scatterByCategory, type Series } from "./figures";

/** Plotly's default colour cycle: traces that belong together (numeric and exact) share a colour. */
const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

function colour(trace: Trace, i: number): void {
  const c = PALETTE[i % PALETTE.length];
  trace.line = { ...((trace.line as object | undefined) ?? {}), color: c };
  trace.marker = { ...((trace.marker as object | undefined) ?? {}), color: c };
}

/** The weight of f at lag m relative to the newest one (w_m / w_0), log-log, one line per β: the solver's weights. */
export function memoryKernelFigure(curves: { beta: number; weights: ArrayLike<number> }[]): Figure {
  if (curves.length === 0) throw new Error("curves is []; allowed: a non-empty list of { beta, weights }");
  const series: Series[] = curves.map(({ beta, weights }) => {
    const w = Array.from(weights);
    return { name: `β = ${beta}`, x: w.map((_, m) => m + 1), y: w.map((v) => v / w[0]) };
  });
  return logLogPlot(series, {
    title: "Memory kernel: weight of f at lag m, relative to the newest step", xLabel: "lag m + 1 (steps back)",
    yLabel: "w_m / w_0", markers: false,
  });
}

/** Numerical solutions (markers) against exact ones (lines) in the same colour, one pair per curve. */
export interface SolutionCurve {
  label: string;
  t: ArrayLike<number>;
  y: ArrayLike<number>;
  exactT: ArrayLike<number>;
  exact: ArrayLike<number>;
}

export function solutionsVsExactFigure(curves: SolutionCurve[], opts: { title?: string; yLabel?: string } = {}): Figure {
  if (curves.length === 0) throw new Error("curves is []; allowed: a non-empty list of solution curves");
  const series: Series[] = curves.flatMap((c) => [
    { name: `${c.label} exact`, x: c.exactT, y: c.exact },
    { name: `${c.label} solver`, x: c.t, y: c.y, markers: true },
  ]);
  const fig = lineChart(series, { title: opts.title, xLabel: "t", yLabel: opts.yLabel ?? "y(t)" });
  fig.data.forEach((tr, i) => {
    colour(tr, Math.floor(i / 2));
    if (i % 2 === 1) { tr.mode = "markers"; tr.marker = { ...(tr.marker as object), size: 5 }; }
  });
  return fig;
}

export interface ConvergenceRow { method: string; h: number; error: number }

/** Error against step size, log-log, one line per method; the legend carries the observed order when given. */
export function convergenceFigure(rows: ConvergenceRow[], opts: { title?: string; orders?: Record<string, number> } = {}): Figure {
  const methods = [...new Set(rows.map((r) => r.method))];
  if (methods.length === 0) throw new Error("rows is []; allowed: rows { method, h, error }");
  const series = methods.map((m) => {
    const rs = rows.filter((r) => r.method === m).sort((a, b) => a.h - b.h);
    const order = opts.orders?.[m];
    return { name: order === undefined ? m : `${m} (order ${order.toFixed(2)})`, x: rs.map((r) => r.h), y: rs.map((r) => r.error) };
  });
  return logLogPlot(series, { title: opts.title ?? "Convergence", xLabel: "step size h", yLabel: "|y_N − y(1)|" });
}

/** Any per-epoch quantity; `reference` draws a dashed horizontal line (e.g. the true β). */
export function epochCurveFigure(
  epochs: ArrayLike<number>, curves: { name: string; values: ArrayLike<number> }[],
  opts: { title?: string; yLabel?: string; logY?: boolean; reference?: { name: string; value: number } } = {},
): Figure {
  const series: Series[] = curves.map((c) => ({ name: c.name, x: epochs, y: c.values }));
  if (opts.reference) {
    const e = Array.from(epochs);
    series.push({ name: opts.reference.name, x: [e[0], e[e.length - 1]], y: [opts.reference.value, opts.reference.value], dash: "dash" });
  }
  return lineChart(series, { title: opts.title, xLabel: "epoch", yLabel: opts.yLabel, logY: opts.logY });
}

/**
 * Observed (markers), true (dashed) and fitted (solid) trajectories of a 2-D system, per initial state:
 * arrays are [times][trajectory][component]; `components` names the two components (e.g. prey, predator).
 */
export function trajectoriesFigure(
  times: number[], observed: number[][][], truth: number[][][], fitted: number[][][],
  opts: { components?: [string, string]; title?: string; fittedTimes?: number[] } = {},
): Figure {
  const names = opts.components ?? ["x", "y"];
  const ft = opts.fittedTimes ?? times;
  if (observed.length !== times.length || truth.length !== times.length || fitted.length !== ft.length) {
    throw new Error(`observed (${observed.length}), truth (${truth.length}) need one entry per time (${times.length}); fitted (${fitted.length}) one per fittedTimes (${ft.length})`);
  }
  const data: Trace[] = [];
  const B = observed[0].length;
  for (let i = 0; i < B; i++) {
    for (let c = 0; c < 2; c++) {
      const tag = `traj ${i + 1} ${names[c]}`;
      const k = i * 2 + c;
      const group = { legendgroup: tag };
      const tr: Trace[] = [
        { type: "scatter", mode: "markers", name: `${tag} data`, x: times, y: observed.map((r) => r[i][c]), marker: { size: 4, opacity: 0.6 }, ...group, showlegend: false },
        { type: "scatter", mode: "lines", name: `${tag} true`, x: times, y: truth.map((r) => r[i][c]), line: { dash: "dash" }, ...group, showlegend: false },
        { type: "scatter", mode: "lines", name: tag, x: ft, y: fitted.map((r) => r[i][c]), ...group },
      ];
      tr.forEach((t) => { colour(t, k); data.push(t); });
    }
  }
  return {
    data,
    layout: {
      title: { text: opts.title ?? "Fitted (solid) vs true (dashed) trajectories and the noisy data (dots)" },
      xaxis: { title: { text: "t" } }, yaxis: { title: { text: "population" } },
    },
  };
}

/** Train / validation / test accuracy per epoch. */
export function accuracyCurvesFigure(history: { epoch: number; trainAcc: number; valAcc: number; testAcc: number }[], title?: string): Figure {
  if (history.length === 0) throw new Error("history is []; allowed: per-epoch records { epoch, trainAcc, valAcc, testAcc }");
  const e = history.map((r) => r.epoch);
  return epochCurveFigure(e, [
    { name: "train", values: history.map((r) => r.trainAcc) },
    { name: "validation", values: history.map((r) => r.valAcc) },
    { name: "test", values: history.map((r) => r.testAcc) },
  ], { title: title ?? "Accuracy per epoch", yLabel: "accuracy" });
}

/** A quantity per β (bars): e.g. test accuracy of the β sweep. */
export function perBetaBarsFigure(betas: number[], series: { name: string; values: number[] }[], opts: { title?: string; yLabel?: string } = {}): Figure {
  return barChart(betas.map((b) => `β = ${b}`), series, { title: opts.title, yLabel: opts.yLabel });
}

/** Dirichlet energy of X(t) against t, one line per β (log y: oversmoothing drives it towards 0). */
export function energyOverTimeFigure(curves: { beta: number; t: number[]; energy: number[] }[], title?: string): Figure {
  if (curves.length === 0) throw new Error("curves is []; allowed: { beta, t, energy } per order");
  return lineChart(curves.map((c) => ({ name: `β = ${c.beta}`, x: c.t, y: c.energy })), {
    title: title ?? "Dirichlet energy of X(t): how fast the features smooth out", xLabel: "t", yLabel: "E(X(t)) (log)", logY: true, markers: true,
  });
}

/** A 2-D projection (e.g. the first two principal components) coloured by class. */
export function embeddingFigure(points: number[][], labels: ArrayLike<number>, opts: { title?: string; classNames?: string[]; explained?: number[] } = {}): Figure {
  const names = opts.classNames;
  const lab = Array.from(labels, (l) => (names ? names[l] ?? String(l) : `class ${l}`));
  const ev = opts.explained;
  const axisLabel = (i: number) => `PC${i + 1}${ev ? ` (${(100 * ev[i]).toFixed(1)} % of variance)` : ""}`;
  return scatterByCategory(points.map((p) => p[0]), points.map((p) => p[1]), lab, {
    title: opts.title ?? "Final embeddings, 2-D PCA, coloured by class", xLabel: axisLabel(0), yLabel: axisLabel(1), markerSize: 4, opacity: 0.7,
  });
}

/** Relative gradient error of each adjoint against direct autodiff, per β (log y). */
export function gradientErrorFigure(rows: { beta: number; [adjoint: string]: number }[], adjoints: string[], title?: string): Figure {
  if (rows.length === 0) throw new Error("rows is []; allowed: { beta, <adjoint>: error } per order");
  const floor = 1e-12; // an exact zero cannot be drawn on a log axis
  return lineChart(adjoints.map((a) => ({ name: `${a} adjoint`, x: rows.map((r) => r.beta), y: rows.map((r) => Math.max(r[a], floor)) })), {
    title: title ?? "Gradient error of the adjoints against direct autodiff", xLabel: "β", yLabel: "‖g − g_direct‖ / ‖g_direct‖ (log)", logY: true, markers: true,
  });
}
