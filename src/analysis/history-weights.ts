// The history weights a solver applies, read from the solver's own weights (docs/design.md §2).
import { METHODS, type Method } from "../solvers/types";
import { schemeWeights } from "../solvers/weights";

/**
 * The weights of step n's history sum by lag: w[m] multiplies the history entry m steps back (f_{n-1-m} for
 * 'predictor' and 'corrector', u_{n-1-m} = y_{n-1-m} − y0 for 'l1', 'gl' and 'trapezoid'). For the predictor
 * w_m = h^β/Γ(β+1)[(m+1)^β − m^β], so at β = 1 every w_m = h.
 */
export function historyWeights(method: Method, beta: number, n: number, h = 1): Float64Array {
  if (!METHODS.includes(method)) throw new Error(`historyWeights: method is "${method}"; allowed: ${METHODS.join(", ")}`);
  if (!(beta > 0 && beta <= 1)) throw new Error(`historyWeights: beta is ${beta}; allowed: 0 < beta <= 1`);
  if (!Number.isInteger(n) || n < 1) throw new Error(`historyWeights: n is ${n}; allowed: a whole number of steps >= 1`);
  if (!(h > 0 && Number.isFinite(h))) throw new Error(`historyWeights: h is ${h}; allowed: a finite step > 0`);
  // W0[n, n − 1 − m] = w[m]: the first history sum's generating sequence, lags 0..n−1
  return schemeWeights(method, beta, n, h, n).value.history[0].sequence.slice(0, n);
}
