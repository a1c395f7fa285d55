// nfde bench: direct vs adjoint memory and step time (issue 7), long horizons and the fast history (issue 12),
// full batch vs GraphSAINT mini-batches on growing graphs (graph-scale).
// Notebook 03 calls these functions.
export { CONFIGS, SUITES, suiteConfigs, selectConfigs, stepsOf } from "./configs";
export type { Suite } from "./configs";
export { runConfig } from "./harness";
export type { RunOptions } from "./harness";
export { runInChild, runSuite } from "./runner";
export type { ChildOptions, SuiteOptions } from "./runner";
export { referenceFor, provenance as peerProvenance, usePeers } from "./peers";
export type { ReferenceFigure } from "./peers";
export {
  resultRows, summaryRows, threadRows, threadVerdict, breakdownRows, formatTable, machineLine,
  peakMemoryFigure, stepTimeVsNFigure, memoryVsNFigure, breakdownFigure, benchFigures,
} from "./report";
export { horizonRows, growthRows, exactFastRows, logLogSlope, forwardGradientMs } from "./horizon-report";
export { kernelTable, kernelRows, kernelFailures, KERNEL_GRID } from "./kernel-table";
export type { KernelGrid, KernelFit, KernelFitFailure, KernelTableLine } from "./kernel-table";
export { BENCH_MODES } from "./types";
export { GRAPH_SCALE_CONFIGS, selectGraphScaleConfigs, isGraphScaleName } from "./graph-scale-configs";
export { estimateMemory, fitDecision, defaultBudgetMB, STATE_COPIES } from "./graph-scale-fit";
export type { MemoryEstimate, FitDecision } from "./graph-scale-fit";
export { runGraphScale } from "./graph-scale-harness";
export type { GraphScaleRunOptions } from "./graph-scale-harness";
export { runGraphScaleInChild, runGraphScaleSuite } from "./graph-scale-runner";
export type { GraphScaleChildOptions, GraphScaleSuiteOptions } from "./graph-scale-runner";
export { graphScaleRows, graphScaleNotes, isGraphScaleResult } from "./graph-scale-report";
export { GRAPH_SCALE_MODES } from "./graph-scale-types";
export type { GraphScaleConfig, GraphScaleMode, GraphScaleResult, GraphScaleStatus } from "./graph-scale-types";
export type {
  BenchConfig, BenchMode, BenchResult, BenchSolverOptions, FgrandBenchConfig, MlpBenchConfig, TanhBenchConfig, StepBreakdown,
} from "./types";
