// nfde bench: direct vs adjoint memory and step time (issue 7). Notebook 03 calls these functions.
export { CONFIGS, B3_STEPS, SUITES, suiteConfigs, selectConfigs, resolveConfig, stepsOf } from "./configs";
export type { Suite } from "./configs";
export { runConfig, makeProblem, gradientRelDiff } from "./harness";
export type { RunOptions } from "./harness";
export { runInChild, runSuite } from "./runner";
export type { ChildOptions, SuiteOptions } from "./runner";
export { TORCHFDE_REFERENCE, referenceFor } from "./reference";
export type { ReferenceFigure } from "./reference";
export {
  resultRows, summaryRows, threadRows, threadVerdict, breakdownRows, formatTable, machineLine,
  peakMemoryFigure, stepTimeVsNFigure, memoryVsNFigure, breakdownFigure, benchFigures,
} from "./report";
export { BENCH_MODES } from "./types";
export type { BenchConfig, BenchMode, BenchResult, FgrandBenchConfig, MlpBenchConfig, StepBreakdown } from "./types";
