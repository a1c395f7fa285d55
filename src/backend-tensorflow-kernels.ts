// tfjs-node runs every tf.matMul as TensorFlow's BatchMatMulV2. For two float32 matrices TensorFlow's own
// MatMul computes the same product 1.3-3x faster on these machines (a [1, 10] x [10, 16384] history sum:
// 34 against 93 µs; the B2 field's [256, 64] x [64, 256]: 97 against 129 µs), so rank-2 float32 products go
// to MatMul; batched or other dtypes stay on BatchMatMulV2. Gradients are registered by kernel name and
// are unchanged.
type TF = typeof import("@tensorflow/tfjs");

type TensorInfo = { dataId: object; shape: number[]; dtype: string };
type KernelArgs = { inputs: Record<string, TensorInfo>; attrs: Record<string, unknown>; backend: unknown };
type KernelFunc = Parameters<TF["registerKernel"]>[0]["kernelFunc"];
interface Native {
  binding: { TF_FLOAT: number; TF_ATTR_TYPE: number; TF_ATTR_BOOL: number };
  executeSingleOutput(name: string, attrs: unknown[], inputs: TensorInfo[]): TensorInfo;
}

const MARK = Symbol.for("neural-fde.matMul2d");

/** Route rank-2 float32 tf.matMul to TensorFlow's MatMul on the tensorflow backend (idempotent). */
export function registerTensorflowKernels(tf: TF): void {
  const batched = tf.getKernel("BatchMatMul", "tensorflow");
  if (!batched || (batched.kernelFunc as unknown as Record<symbol, boolean>)[MARK]) return;
  const viaBatch = batched.kernelFunc;
  const kernelFunc = ((args: KernelArgs) => {
    const { a, b } = args.inputs;
    if (a.shape.length !== 2 || b.shape.length !== 2 || a.dtype !== "float32" || b.dtype !== "float32") {
      return viaBatch(args as unknown as Parameters<KernelFunc>[0]);
    }
    const native = args.backend as Native;
    return native.executeSingleOutput("MatMul", [
      { name: "T", type: native.binding.TF_ATTR_TYPE, value: native.binding.TF_FLOAT },
      { name: "transpose_a", type: native.binding.TF_ATTR_BOOL, value: Boolean(args.attrs.transposeA) },
      { name: "transpose_b", type: native.binding.TF_ATTR_BOOL, value: Boolean(args.attrs.transposeB) },
    ], [a, b]);
  }) as unknown as KernelFunc;
  (kernelFunc as unknown as Record<symbol, boolean>)[MARK] = true;
  tf.unregisterKernel("BatchMatMul", "tensorflow");
  tf.registerKernel({ ...batched, kernelFunc });
}
