import { tf } from "../backend";
import type { Tensor2D } from "@tensorflow/tfjs";
import { customOp } from "../tfjs-internals";

/** W @ concat(entries) as one op whose gradient saves no copy of the entries (the tape keeps them once). */
export const weightedSum: (W: Tensor2D, ...entries: Tensor2D[]) => Tensor2D = customOp<Tensor2D>(([W, ...entries], save) => {
  save([W, ...entries]);
  const data = entries.length === 1 ? entries[0] : tf.concat(entries, 0);
  return {
    value: tf.matMul(W, data) as Tensor2D,
    gradFunc: (dy, saved) => {
      const [w, ...es] = saved as Tensor2D[];
      const stacked = es.length === 1 ? es[0] : tf.concat(es, 0);
      const dData = tf.matMul(w, dy, true, false);
      const dEntries = es.length === 1 ? [dData] : tf.split(dData, es.map((e) => e.shape[0]), 0);
      return [tf.matMul(dy, stacked, false, true), ...dEntries];
    },
  };
});
