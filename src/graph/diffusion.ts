import { tf } from "../backend";
import { spmm, type SparseGraph } from "./sparse-matmul";

type Tensor = ReturnType<typeof tf.tensor>;
type Tensor1D = ReturnType<typeof tf.tensor1d>;
type Tensor2D = ReturnType<typeof tf.tensor2d>;

/** The GRAND diffusion field (A - I) X (Chamberlain et al. 2021, eq. 3), used by F-GRAND-l as f(t, X). */
export function diffusion(graph: SparseGraph, X: Tensor, values?: Tensor1D): Tensor2D {
  return tf.tidy(() => tf.sub(spmm(graph, X, values), X) as Tensor2D);
}
