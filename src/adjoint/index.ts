export { fdeintAdjoint } from "./fdeint-adjoint";
export { solveFde } from "./solve-fde";
