// The public surface of neural-fde (see README): solvers, adjoint, special functions, models, data, plots.
export * as tf from "./tf";
export { backendInfo, ready } from "./backend";
export type { BackendInfo, BackendName } from "./backend";
export * from "./plot";
export * from "./data";
export * from "./nn";
export * from "./special";
export * from "./solvers";
export * from "./adjoint";
export * from "./bench";
