import { test } from "node:test";
import assert from "node:assert/strict";
import { tf } from "../src/backend";
import type { Tensor, Tensor1D, Tensor2D } from "@tensorflow/tfjs";
import { LV_TRUE, lotkaVolterraField, lvCoefficients } from "../src/models";
import { lotkaVolterraData } from "../src/data";
import { fitLotkaVolterra, lvTrajectory } from "../src/train";

test("the Lotka–Volterra field is x(a − c·y), −y(b − d·x) and its hand VJP equals the taped one", () => {
  tf.tidy(() => {
    const theta = tf.tensor1d([1.0, 0.5, 1.0, 0.3]);
    const { r, K } = lvCoefficients(theta);
    const f = lotkaVolterraField(r, K);
    const u = tf.tensor2d([[1.5, 0.7], [0.4, 2.0]]);
    const v = f(0, u).arraySync() as number[][];
    [[1.5, 0.7], [0.4, 2.0]].forEach(([x, y], i) => {
      assert.ok(Math.abs(v[i][0] - x * (1.0 - 1.0 * y)) < 1e-6);
      assert.ok(Math.abs(v[i][1] + y * (0.5 - 0.3 * x)) < 1e-6);
    });
    const c = tf.tensor2d([[0.3, -1.2], [0.8, 0.5]]);
    const hand = f.vjp!(0, u, c, [r, K], true);
    const g = tf.grads((U: Tensor, R: Tensor, KK: Tensor) => tf.sum(tf.mul(lotkaVolterraField(R as Tensor1D, KK as Tensor2D)(0, U), c)))([u, r, K]);
    [hand.y, ...hand.params].forEach((h, i) => {
      const diff = tf.max(tf.abs(tf.sub(h!, g[i]))).dataSync()[0];
      assert.ok(diff < 1e-5, `VJP part ${i}: max difference ${diff}`);
    });
  });
});

test("lotkaVolterraData: exact initial states, noise of the requested size, clear errors", () => {
  const d = lotkaVolterraData({ tEnd: 2, observeEvery: 0.5, stepSize: 0.05, noise: 0.05, seed: 3 });
  assert.deepEqual(d.times, [0, 0.5, 1, 1.5, 2]);
  assert.equal(d.clean.length, 5);
  assert.deepEqual(d.noisy[0], d.initial);
  assert.deepEqual(d.params, { a: LV_TRUE.a, b: LV_TRUE.b, c: LV_TRUE.c, d: LV_TRUE.d });
  const res = d.noisy.slice(1).flatMap((rows, k) => rows.flatMap((u, i) => u.map((v, j) => v - d.clean[k + 1][i][j])));
  const sd = Math.sqrt(res.reduce((s, e) => s + e * e, 0) / res.length);
  assert.ok(sd > 0.02 && sd < 0.1, `noise sd ${sd}`);
  assert.throws(() => lotkaVolterraData({ observeEvery: 0.013, stepSize: 0.01 }), /observeEvery is 0.013; allowed: a whole multiple of stepSize 0.01/);
  assert.throws(() => lotkaVolterraData({ noise: -1 }), /noise is -1; allowed/);
});

test("fitLotkaVolterra recovers β (through the adjoint) and the rates on a short run", async () => {
  const before = tf.memory().numTensors;
  const d = lotkaVolterraData({ tEnd: 4, observeEvery: 0.25, stepSize: 0.025 });
  const betas: number[] = [];
  const r = await fitLotkaVolterra(d, { epochs: 40, lr: 0.03, solver: { stepSize: 0.125 }, onEpoch: (e) => { betas.push(e.beta); } });
  const e = r.estimate;
  assert.equal(betas.length, 40);
  assert.ok(Math.abs(e.beta - LV_TRUE.beta) / LV_TRUE.beta < 0.05, `β ${e.beta}, true ${LV_TRUE.beta} (started at 0.9)`);
  for (const k of ["a", "b", "c", "d"] as const) {
    assert.ok(Math.abs(e[k] - LV_TRUE[k]) / LV_TRUE[k] < 0.15, `${k} ${e[k]}, true ${LV_TRUE[k]}`);
  }
  assert.ok(r.history[0].loss > 5 * r.loss, `loss ${r.history[0].loss} -> ${r.loss}`);
  const traj = lvTrajectory(e, d.initial, d.times, { stepSize: 0.125 });
  assert.equal(traj.length, d.times.length);
  assert.equal(tf.memory().numTensors, before, "no tensors leaked");
  await assert.rejects(fitLotkaVolterra(d, { solver: { stepSize: 0.1 } }), /stepSize is 0.1; allowed: a step that divides every observation time/);
});

test("fitLotkaVolterra and lvTrajectory: solver settings nested, misspelt or misplaced names are errors", async () => {
  const d = lotkaVolterraData({ tEnd: 1, observeEvery: 0.5, stepSize: 0.05 });
  const cases: [object, RegExp][] = [
    [{ stepSize: 0.1 }, /fitLotkaVolterra: unknown option "stepSize"; did you mean "solver\.stepSize"\?/],
    [{ epoch: 3 }, /fitLotkaVolterra: unknown option "epoch"; did you mean "epochs"\?/],
    [{ solver: { methd: "l1" } }, /fitLotkaVolterra: unknown option "solver\.methd"; did you mean "solver\.method"\?/],
    [{ solver: { beta: 0.5 } }, /fitLotkaVolterra: option "solver\.beta" is set by the parameters/],
    [{ solver: { tEnd: 2 } }, /fitLotkaVolterra: option "solver\.tEnd" is set by the data/],
    [{ solver: { method: "rk4" } }, /fitLotkaVolterra: solver\.method = rk4 is not allowed: predictor, corrector/],
  ];
  for (const [opts, re] of cases) await assert.rejects(fitLotkaVolterra(d, { epochs: 1, ...opts } as never), re, JSON.stringify(opts));
  assert.throws(() => lvTrajectory({ ...d.params, beta: 0.7 }, d.initial, d.times, { memmory: 3 } as never),
    /lvTrajectory: unknown option "solver\.memmory"; did you mean "solver\.memory"\?/);
});

test("fitLotkaVolterra: the nested solver settings are those used (direct autodiff gives the adjoint's fit)", async () => {
  const d = lotkaVolterraData({ tEnd: 2, observeEvery: 0.5, stepSize: 0.05 });
  const fit = (gradient: "direct" | "adjoint") => fitLotkaVolterra(d, { epochs: 3, solver: { stepSize: 0.25, method: "l1", gradient } });
  const [direct, adjoint] = [await fit("direct"), await fit("adjoint")];
  direct.history.forEach((e, i) => assert.ok(Math.abs(e.loss - adjoint.history[i].loss) <= 1e-5 * e.loss, `epoch ${i + 1}`));
  const corrector = await fitLotkaVolterra(d, { epochs: 1, solver: { stepSize: 0.25 } });
  assert.notEqual(corrector.history[0].loss, direct.history[0].loss, "the method is used");
});
