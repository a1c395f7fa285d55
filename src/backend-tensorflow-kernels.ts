// tfjs-node runs every tf.matMul as TensorFlow's BatchMatMulV2. A product of two matrices runs faster as
// TensorFlow's MatMul on these machines: the solvers' history sums ([1, 8] x [8, 693248]: 3.1-3.7 against
// 4.1-4.3 ms; [8, 16] x [16, 693248]: 24-29 against 30-31 ms) and the fields' products ([256, 256] x [256, 64]:
// 0.19 against 0.22-0.27 ms), so those go to MatMul; batched products stay on BatchMatMulV2. Gradients are
// registered by kernel name and are unchanged. (Under V8's sampling profiler, node --cpu-prof, tfjs-node
// corrupts its heap with or without this routing: a 15-line tfjs-only training loop crashed 3 of 3 runs.)
type TF = typeof import("@tensorflow/tfjs");

type TensorInfo = { dataId: object; shape: number[]; dtype: string };
type KernelArgs = { inputs: Record<string, TensorInfo>; attrs: Record<string, unknown>; backend: unknown };
type KernelFunc = Parameters<TF["registerKernel"]>[0]["kernelFunc"];
interface Native {
  binding: { TF_FLOAT: number; TF_ATTR_TYPE: number; TF_ATTR_BOOL: number };
  executeSingleOutput(name: string, attrs: unknown[], inputs: TensorInfo[]): TensorInfo;
}

const MARK = Symbol.for("neural-fde.matMul2d");

/** Route float32 matrix products (rank 2) to TensorFlow's MatMul on the tensorflow backend (idempotent). */
export function registerTensorflowKernels(tf: TF): void {
  const batched = tf.getKernel("BatchMatMul", "tensorflow");
  if (!batched || (batched.kernelFunc as unknown as Record<symbol, boolean>)[MARK]) return;
  const viaBatch = batched.kernelFunc;
  const kernelFunc = ((args: KernelArgs) => {
    const { a, b } = args.inputs;
    const { transposeA, transposeB } = args.attrs;
    if (a.shape.length !== 2 || b.shape.length !== 2 || a.dtype !== "float32" || b.dtype !== "float32") {
      return viaBatch(args as unknown as Parameters<KernelFunc>[0]);
    }
    const native = args.backend as Native;
    return native.executeSingleOutput("MatMul", [
      { name: "T", type: native.binding.TF_ATTR_TYPE, value: native.binding.TF_FLOAT },
      { name: "transpose_a", type: native.binding.TF_ATTR_BOOL, value: Boolean(transposeA) },
      { name: "transpose_b", type: native.binding.TF_ATTR_BOOL, value: Boolean(transposeB) },
    ], [a, b]);
  }) as unknown as KernelFunc;
  (kernelFunc as unknown as Record<symbol, boolean>)[MARK] = true;
  tf.unregisterKernel("BatchMatMul", "tensorflow");
  tf.registerKernel({ ...batched, kernelFunc });
}
