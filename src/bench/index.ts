// nfde bench: direct vs adjoint memory and step time (issue 7), long horizons and the fast history (issue 12).
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
export type {
  BenchConfig, BenchMode, BenchResult, BenchSolverOptions, FgrandBenchConfig, MlpBenchConfig, TanhBenchConfig, StepBreakdown,
} from "./types";
