export { fdeint } from "./fdeint";
export { METHODS } from "./types";
export type { Method, VectorField, FdeOptions, AdjointOptions } from "./types";
