// The analysis layer: the solver's history weights, observed convergence order, PCA.
import { test } from "node:test";
import assert from "node:assert/strict";
import { historyWeights, observedOrder, pca, symmetricEigen } from "../src/analysis";
import { gamma } from "../src/special/gamma";

test("the predictor's history weights: h each at beta = 1, and they sum to (n h)^beta / Gamma(beta + 1)", () => {
  assert.deepEqual(Array.from(historyWeights("predictor", 1, 4, 0.1), (w) => Number(w.toFixed(12))), [0.1, 0.1, 0.1, 0.1]);
  for (const beta of [0.3, 0.7]) {
    const w = historyWeights("predictor", beta, 50, 0.02);
    const sum = w.reduce((s, v) => s + v, 0);
    assert.ok(Math.abs(sum - (50 * 0.02) ** beta / gamma(beta + 1)) < 1e-12, `beta ${beta}: sum ${sum}`);
  }
  assert.throws(() => historyWeights("predictor", 1.5, 4), /beta is 1.5; allowed: 0 < beta <= 1/);
});

test("observed order: the log-log slope of error against h", () => {
  const h = [0.1, 0.05, 0.025];
  assert.ok(Math.abs(observedOrder(h, h.map((x) => 3 * x ** 2)) - 2) < 1e-12);
  assert.throws(() => observedOrder([0.1], [1]), /same length >= 2/);
});

test("pca: principal axes of points along a line, eigenvalues of a known symmetric matrix", () => {
  const rows = Array.from({ length: 200 }, (_, i) => { const s = i / 20 - 5; return [s + 0.01 * Math.sin(7 * i), 2 * s + 0.01 * Math.cos(5 * i), 0.01 * Math.sin(3 * i)]; });
  const r = pca(rows, 2);
  const [c0] = r.components;
  const along = Math.abs(c0[0] + 2 * c0[1]) / Math.sqrt(5);
  assert.ok(along > 0.9999, `first component ${c0} is not along (1, 2, 0)`);
  assert.ok(r.explained[0] > 0.999 && r.explained[0] + r.explained[1] <= 1 + 1e-12);
  assert.equal(r.scores.length, 200);
  assert.equal(r.scores[0].length, 2);
  const { values } = symmetricEigen(Float64Array.from([2, 1, 0, 1, 2, 0, 0, 0, 5]), 3);
  assert.deepEqual(Array.from(values).map((v) => Number(v.toFixed(10))).sort(), [1, 3, 5]);
  assert.throws(() => pca(rows, 4), /k is 4; allowed: an integer in \[1, 3\]/);
});

test("history weights of the L1 scheme: c_m - c_(m+1) with c_m = (m+1)^(1-beta) - m^(1-beta)", () => {
  const beta = 0.4;
  const c = (m: number) => (m === 0 ? 1 : (m + 1) ** (1 - beta) - m ** (1 - beta));
  const w = historyWeights("l1", beta, 6);
  w.forEach((v, m) => assert.ok(Math.abs(v - (c(m) - c(m + 1))) < 1e-12, `lag ${m}: ${v}`));
  assert.throws(() => historyWeights("euler" as never, 0.5, 4), /method is "euler"; allowed: predictor, corrector, l1, gl, trapezoid/);
});
