export { fdeintAdjoint } from "./fdeint-adjoint";
