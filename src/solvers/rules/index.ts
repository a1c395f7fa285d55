// The step rule of each method: the 'f' family (history of f_j) or the 'u' family (history of u_j = y_j − y0).
import type { Method } from "../types";
import { fHistory } from "./f-history";
import type { StepRule } from "./step-rule";
import { uHistory } from "./u-history";

export const STEP_RULES: Record<Method, StepRule> = {
  predictor: fHistory, corrector: fHistory, l1: uHistory, gl: uHistory, trapezoid: uHistory,
};
