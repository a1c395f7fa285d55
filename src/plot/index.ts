// Plots for notebooks and reports: figure builders, inline display (tslab), standalone HTML and PNG export.
export type { Axis, AxisType, Figure, Layout, Numbers, Trace } from "./figure";
export { barChart, heatmap, lineChart, logLogPlot, scatterByCategory, tableFigure } from "./figures";
export type { BarOptions, BarSeries, ChartOptions, HeatmapOptions, LineOptions, Row, ScatterOptions, Series } from "./figures";
export { inNotebook, show, showTable, tableHtml, PLOTLY_MIME } from "./display";
export { figuresToHtml, toPng, writeHtml } from "./export";
export type { PngOptions } from "./export";
export { findChromium } from "./browser";
export {
  accuracyCurvesFigure, convergenceFigure, embeddingFigure, energyOverTimeFigure, epochCurveFigure, gradientErrorFigure,
  memoryKernelFigure, perBetaBarsFigure, solutionsVsExactFigure, trajectoriesFigure,
} from "./notebook-figures";
export type { ConvergenceRow, SolutionCurve } from "./notebook-figures";
export { confusionCounts, confusionMatrixFigure, digitGridFigure } from "./image-figures";
export type { DigitGridOptions } from "./image-figures";
