// Layers applied in turn as one op whose backward pass goes layer by layer, and optionally slice by slice of
// the batch. tfjs keeps the gradient of every intermediate tensor until a backward pass ends (and its tape
// every intermediate), so the backward of a deep stack holds about twice its activations. Here only each
// layer's input is kept; in the backward each layer's forward is recomputed on a tape of its own and each
// cotangent is freed once the layer below has its own. Layers that treat the samples of a batch
// independently (convolutions, group norm, ReLU; not batch norm) may also run `sliceSize` samples at a time:
// the variables' gradients are then sums over the slices, and at most one slice's layer tape lives at a time.
import { tf } from "../backend";
import type { Tensor, Variable } from "@tensorflow/tfjs";
import { customOp, nestedGradients } from "../tfjs-internals";

export interface Layer {
  apply(x: Tensor): Tensor;
  variables: Variable[];
}

export interface LayerwiseOptions {
  /** Samples per slice (default: the whole batch); only for layers that treat samples independently. */
  sliceSize?: number;
}

function slices(batch: number, size: number): [number, number][] {
  const out: [number, number][] = [];
  for (let s = 0; s < batch; s += size) out.push([s, Math.min(size, batch - s)]);
  return out;
}

const rows = (x: Tensor, [start, size]: [number, number]) =>
  start === 0 && size === x.shape[0] ? x : tf.slice(x, start, size);

/** x through `layers`; gradients for x and every layer's variables, equal to autodiff of the composition. */
export function layerwise(layers: Layer[], x: Tensor, opts: LayerwiseOptions = {}): Tensor {
  const size = opts.sliceSize ?? x.shape[0];
  if (!Number.isInteger(size) || size < 1) throw new Error(`layerwise: sliceSize is ${size}; allowed: a positive integer`);
  if (layers.length === 0) throw new Error("layerwise: layers is empty; allowed: one layer or more");
  const params = layers.flatMap((l) => l.variables);
  const parts = slices(x.shape[0], size);
  const op = customOp<Tensor>(([input], save) => {
    // per slice, the inputs of layers 1 .. L-1
    const kept: Tensor[] = [];
    const outs = parts.map((part) => tf.tidy(() => {
      let h = rows(input, part);
      layers.forEach((l, i) => {
        if (i > 0) kept.push(tf.keep(h));
        h = l.apply(h);
      });
      return h;
    }));
    const value = outs.length === 1 ? outs[0] : tf.concat(outs, 0);
    save(kept);
    tf.dispose(kept);
    const inner = layers.length - 1;
    return {
      value,
      gradFunc: (dy, saved) => tf.tidy(() => {
        const sums: (Tensor | null)[] = params.map(() => null);
        const dxs = parts.map((part, p) => {
          const xs = [rows(input, part), ...saved.slice(p * inner, (p + 1) * inner)];
          let g = rows(dy, part);
          let offset = params.length;
          for (let i = layers.length - 1; i >= 0; i--) {
            const wrt = [xs[i], ...layers[i].variables];
            offset -= layers[i].variables.length;
            const r = nestedGradients(() => layers[i].apply(xs[i]), wrt, g);
            r.value.dispose();
            if (g !== dy) g.dispose();
            const [gx, ...gv] = r.grads.map((d, k) => d ?? tf.zerosLike(wrt[k]));
            gv.forEach((d, k) => {
              const old = sums[offset + k];
              sums[offset + k] = old ? tf.add(old, d) : d;
              if (old) tf.dispose([old, d]);
            });
            g = gx;
          }
          return g;
        });
        return [dxs.length === 1 ? dxs[0] : tf.concat(dxs, 0), ...(sums as Tensor[])];
      }),
    };
  });
  return op(x, ...params);
}
