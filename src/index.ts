// The root surface of neural-fde: the solver API, the tfjs namespace it runs on, the backend, the special
// functions. Models, graphs, data, training, analysis, plots and the benchmark are subpaths
// ("neural-fde/models", "neural-fde/graph", "neural-fde/data", "neural-fde/train", "neural-fde/analysis",
// "neural-fde/plot", "neural-fde/bench").
export * as tf from "./tf";
export { backendInfo, ready } from "./backend";
export type { BackendInfo, BackendName } from "./backend";
export * from "./solvers";
export * from "./adjoint";
export * from "./special";
