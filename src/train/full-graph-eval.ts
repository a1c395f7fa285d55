// Accuracy of a graph model on the whole graph it was built on, with no tape: features enter the encoder in
// row chunks (only a chunk of them is ever a tensor), the diffusion runs on the full graph a slice of hidden
// channels at a time (F-GRAND-l's channels diffuse independently), and the decoder
// reads only the rows of the nodes evaluated, in chunks too.
import { tf } from "../backend";
import type { Tensor2D } from "@tensorflow/tfjs";
import type { FGrandL } from "../models/fgrand";
import { nodeFeatures, type FeatureFormat } from "../models/sparse-features";
import type { NodeDataset } from "../data/node-dataset";
import { untaped } from "../tfjs-internals";

export interface FullGraphEvalOptions {
  /** Rows per encoder and decoder chunk. */
  chunkRows: number;
  format: FeatureFormat;
  /** Hidden channels per solve (FGrandL.integrateByChannels; default all): the solver's history is held for this many at a time. */
  channels?: number;
}

/** X(T) after the ReLU, [numNodes, hidden], in eval mode (no dropout), recording no gradients. */
function embedding(model: FGrandL, data: NodeDataset, o: FullGraphEvalOptions): Tensor2D {
  const { numNodes: n, numFeatures: f } = data;
  const X0 = tf.tidy(() => {
    const parts: Tensor2D[] = [];
    for (let start = 0; start < n; start += o.chunkRows) {
      const end = Math.min(n, start + o.chunkRows);
      const x = nodeFeatures(data.features.subarray(start * f, end * f), end - start, f, o.format, model.options.hidden);
      try {
        parts.push(model.encode(x, { training: false }));
      } finally {
        x.dispose();
      }
    }
    return parts.length === 1 ? parts[0] : tf.concat(parts);
  });
  try {
    return tf.tidy(() => tf.relu(model.integrateByChannels(X0, o.channels ?? model.options.hidden)));
  } finally {
    X0.dispose();
  }
}

/** The share of correctly classified nodes of each index set (nodes labelled -1 are left out; NaN if none is left). */
export function fullGraphAccuracy(model: FGrandL, data: NodeDataset, sets: Int32Array[], o: FullGraphEvalOptions): number[] {
  if (model.numNodes !== data.numNodes) {
    throw new Error(`fullGraphAccuracy: the model's graph has ${model.numNodes} nodes and the data set ${data.numNodes}; allowed: the model built on the data set's graph`);
  }
  return untaped(() => {
    const h = embedding(model, data, o);
    try {
      return sets.map((set) => {
        const idx = set.filter((v) => data.labels[v] >= 0);
        let hits = 0;
        for (let start = 0; start < idx.length; start += o.chunkRows) {
          const rows = idx.subarray(start, Math.min(idx.length, start + o.chunkRows));
          const predicted = tf.tidy(() => {
            const logits = tf.add(tf.matMul(tf.gather(h, tf.tensor1d(rows, "int32")), model.decoder.w), model.decoder.b);
            return tf.argMax(logits, 1);
          });
          const p = predicted.dataSync();
          predicted.dispose();
          for (let i = 0; i < rows.length; i++) if (p[i] === data.labels[rows[i]]) hits++;
        }
        return idx.length ? hits / idx.length : NaN;
      });
    } finally {
      h.dispose();
    }
  });
}
