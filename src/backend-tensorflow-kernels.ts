// tfjs-node runs every tf.matMul as TensorFlow's BatchMatMulV2. A product with one output row (the solvers'
// history sums, a [1, k] weight row times k stacked entries) runs 2.5-3.5x faster as TensorFlow's MatMul on
// these machines ([1, 10] x [10, 16384]: 34 against 93 µs), so those go to MatMul; every other product stays
// on BatchMatMulV2. Wider products were 1.3x faster as MatMul too, but routed there they corrupted the heap
// whenever V8's sampling profiler ran (the B2 benchmark under --cpu-prof: 4 crashes in 4 runs; with only
// one-row products routed, 15 clean runs). Gradients are registered by kernel name and are unchanged.
type TF = typeof import("@tensorflow/tfjs");

type TensorInfo = { dataId: object; shape: number[]; dtype: string };
type KernelArgs = { inputs: Record<string, TensorInfo>; attrs: Record<string, unknown>; backend: unknown };
type KernelFunc = Parameters<TF["registerKernel"]>[0]["kernelFunc"];
interface Native {
  binding: { TF_FLOAT: number; TF_ATTR_TYPE: number; TF_ATTR_BOOL: number };
  executeSingleOutput(name: string, attrs: unknown[], inputs: TensorInfo[]): TensorInfo;
}

const MARK = Symbol.for("neural-fde.matMulRow");

/** Route one-row float32 matrix products to TensorFlow's MatMul on the tensorflow backend (idempotent). */
export function registerTensorflowKernels(tf: TF): void {
  const batched = tf.getKernel("BatchMatMul", "tensorflow");
  if (!batched || (batched.kernelFunc as unknown as Record<symbol, boolean>)[MARK]) return;
  const viaBatch = batched.kernelFunc;
  const kernelFunc = ((args: KernelArgs) => {
    const { a, b } = args.inputs;
    const { transposeA, transposeB } = args.attrs;
    const oneRow = a.shape.length === 2 && (transposeA ? a.shape[1] : a.shape[0]) === 1;
    if (!oneRow || b.shape.length !== 2 || a.dtype !== "float32" || b.dtype !== "float32") {
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
