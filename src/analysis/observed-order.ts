/** Least-squares slope of log(error) against log(h): the observed order of convergence. */
export function observedOrder(h: ArrayLike<number>, err: ArrayLike<number>): number {
  if (h.length !== err.length || h.length < 2) {
    throw new Error(`h and err must have the same length >= 2; got ${h.length} and ${err.length}`);
  }
  const x = Array.from(h, Math.log), y = Array.from(err, Math.log);
  const mx = x.reduce((s, v) => s + v, 0) / x.length, my = y.reduce((s, v) => s + v, 0) / y.length;
  let sxy = 0, sxx = 0;
  for (let i = 0; i < x.length; i++) { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) ** 2; }
  return sxy / sxx;
}
