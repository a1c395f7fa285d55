export { fdeint } from "./fdeint";
export { METHODS } from "./types";
export type { Method, VectorField, Vjp, FdeOptions, AdjointOptions } from "./types";
export { GRADIENTS, SOLVER_OPTION_NAMES } from "./options";
export type { Gradient, SolverOptions } from "./options";
