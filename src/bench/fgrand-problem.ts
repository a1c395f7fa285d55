// B1: F-GRAND-l on a Planetoid graph with a constant Â (GCN normalisation) — encoder Linear(F→H),
// D^β X = f(X) = σ(a)(ÂX − X) + b·X0 from X(0) = X0, ReLU, Linear(H→C), cross-entropy on the train nodes,
// dropout 0. The field is the model's own (nn/fgrand.ts: grandField, with its hand-written VJP).
import { tf } from "../backend";
import type { Scalar, Tensor2D } from "@tensorflow/tfjs";
import { loadPlanetoidSync } from "../data";
import { gcnNormalizedAdjacency } from "../nn/graph";
import { grandField, grandFieldParams, type GrandFieldParts } from "../nn/fgrand";
import { solveIn, type FieldTimers, type Problem } from "./problem";
import type { FgrandBenchConfig } from "./types";

export function fgrandProblem(c: FgrandBenchConfig, seed = 7): Problem {
  const data = loadPlanetoidSync(c.dataset);
  const graph = gcnNormalizedAdjacency(data.edges, data.numNodes);
  const F = data.numFeatures, H = c.hidden, C = data.numClasses;
  const features = tf.tensor2d(data.features, [data.numNodes, F]);
  const trainIdx = tf.tensor1d(data.trainIdx, "int32");
  const trainLabels = tf.tidy(() => tf.oneHot(tf.gather(tf.tensor1d(data.labels, "int32"), trainIdx), C));
  const glorot = (a: number, b: number, s: number) => {
    const lim = Math.sqrt(6 / (a + b));
    return tf.tidy(() => tf.randomUniform([a, b], -lim, lim, "float32", s));
  };
  const tag = `bench-${c.name}-${Date.now()}-${Math.random()}`;
  const enc = tf.variable(glorot(F, H, seed), true, `${tag}/enc`);
  const encB = tf.variable(tf.zeros([H]), true, `${tag}/encB`);
  const dec = tf.variable(glorot(H, C, seed + 1), true, `${tag}/dec`);
  const decB = tf.variable(tf.zeros([C]), true, `${tag}/decB`);
  const a = tf.variable(tf.scalar(0), true, `${tag}/alpha`) as unknown as Scalar & ReturnType<typeof tf.variable>;
  const b = tf.variable(tf.scalar(1), true, `${tag}/beta`) as unknown as Scalar & ReturnType<typeof tf.variable>;
  const timers: FieldTimers = { fieldMs: 0, vjpMs: 0 };
  return {
    variables: [enc, encB, dec, decB, a, b],
    timers,
    loss: (mode) => tf.tidy(() => {
      const X0 = tf.add(tf.matMul(features, enc), encB) as Tensor2D;
      const source = tf.clone(X0) as Tensor2D; // the source term reads X0 through its own tensor
      const parts: GrandFieldParts = { graph, a, b, source };
      const XT = solveIn(mode, grandField(parts), X0, grandFieldParams(parts), c, timers);
      const logits = tf.add(tf.matMul(tf.gather(tf.relu(XT), trainIdx), dec), decB);
      return tf.losses.softmaxCrossEntropy(trainLabels, logits) as Scalar;
    }),
    dispose: () => { graph.dispose(); tf.dispose([features, trainIdx, trainLabels, enc, encB, dec, decB, a, b]); },
  };
}
