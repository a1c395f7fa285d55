// W @ concat(entries), the product every history sum is made of. Under the tape it is one op whose gradient
// keeps no copy of the entries (the tape keeps them once); with constant weights it keeps no entries at all.
import { tf } from "../backend";
import type { Tensor2D } from "@tensorflow/tfjs";
import { customOp } from "../tfjs-internals";
import { concat, matMul } from "../native-ops";

export const stacked = (entries: Tensor2D[]) => (entries.length === 1 ? entries[0] : (concat(entries, 0) as Tensor2D));

/** The cotangents of the entries of W @ concat(entries), one per entry. */
function entryGradients(W: Tensor2D, dy: Tensor2D, entries: Tensor2D[]): Tensor2D[] {
  const dData = tf.matMul(W, dy, true, false) as Tensor2D;
  return entries.length === 1 ? [dData] : (tf.split(dData, entries.map((e) => e.shape[0]), 0) as Tensor2D[]);
}

/** Weights that carry a gradient (a learned β): the backward needs the entries too. */
const learnedWeightedSum: (W: Tensor2D, ...entries: Tensor2D[]) => Tensor2D = customOp<Tensor2D>(([W, ...entries], save) => {
  save([W, ...entries]);
  return {
    value: tf.matMul(W, stacked(entries as Tensor2D[])) as Tensor2D,
    gradFunc: (dy, saved) => {
      const [w, ...es] = saved as Tensor2D[];
      return [tf.matMul(dy, stacked(es), false, true), ...entryGradients(w, dy, es)];
    },
  };
});

/** Weights without a gradient: the backward is one product and a split. */
function constantWeightedSum(W: Tensor2D, entries: Tensor2D[]): Tensor2D {
  return customOp<Tensor2D>((es, save) => {
    save([W]);
    return {
      value: tf.matMul(W, stacked(es as Tensor2D[])) as Tensor2D,
      gradFunc: (dy, [w]) => entryGradients(w as Tensor2D, dy, es as Tensor2D[]),
    };
  })(...entries);
}

/** W @ concat(entries); `taped`: under the tape, `learned`: W carries a gradient. */
export function weightedSum(W: Tensor2D, entries: Tensor2D[], taped: boolean, learned: boolean): Tensor2D {
  if (!taped) {
    const data = stacked(entries);
    const sum = matMul(W, data) as Tensor2D;
    if (data !== entries[0]) data.dispose(); // the concatenation is a copy: gone before the next one is made
    return sum;
  }
  return learned ? learnedWeightedSum(W, ...entries) : constantWeightedSum(W, entries);
}
