// Kernels the wasm backend lacks. UnsortedSegmentSum (used by tf.unsortedSegmentSum and by the gradient of
// tf.gather) is a ScatterNd of x's rows into numSegments rows: ScatterNd adds rows that share an index.
type TF = typeof import("@tensorflow/tfjs");

type TensorInfo = { dataId: object; shape: number[]; dtype: string };
type KernelArgs = { inputs: Record<string, TensorInfo>; attrs: Record<string, unknown>; backend: unknown };

function checkSegmentIds(ids: Int32Array, numSegments: number): void {
  for (let i = 0; i < ids.length; i++) {
    if (!(ids[i] >= 0 && ids[i] < numSegments)) {
      throw new Error(`unsortedSegmentSum (wasm): segmentIds[${i}] is ${ids[i]}; allowed: 0..${numSegments - 1} (numSegments ${numSegments})`);
    }
  }
}

function unsortedSegmentSumKernel(tf: TF) {
  return ({ inputs, attrs, backend }: KernelArgs): TensorInfo => {
    const { x, segmentIds } = inputs;
    const numSegments = Number(attrs.numSegments);
    const k = segmentIds.shape.reduce((a, b) => a * b, 1);
    if (segmentIds.shape.some((d, i) => d !== x.shape[i])) {
      throw new Error(`unsortedSegmentSum (wasm): segmentIds has shape [${segmentIds.shape}]; allowed: a prefix of x's shape [${x.shape}]`);
    }
    const ids = (backend as { readSync(id: object): Int32Array }).readSync(segmentIds.dataId);
    checkSegmentIds(ids, numSegments);
    const rest = x.shape.slice(segmentIds.shape.length);
    const scatter = tf.getKernel("ScatterNd", "wasm");
    if (!scatter) throw new Error("unsortedSegmentSum (wasm): the wasm ScatterNd kernel is missing");
    // Views of the same buffers with the shapes ScatterNd wants; they share the inputs' dataIds, and no
    // reference is added, so nothing needs disposing.
    const indices: TensorInfo = { dataId: segmentIds.dataId, shape: [k, 1], dtype: "int32" };
    const updates: TensorInfo = { dataId: x.dataId, shape: [k, ...rest], dtype: x.dtype };
    return scatter.kernelFunc({
      inputs: { indices, updates }, attrs: { shape: [numSegments, ...rest] }, backend,
    } as unknown as Parameters<typeof scatter.kernelFunc>[0]) as TensorInfo;
  };
}

/** Register the kernels the wasm backend is missing (idempotent). Call before or after setBackend("wasm"). */
export function registerWasmKernels(tf: TF): void {
  if (tf.getKernel("UnsortedSegmentSum", "wasm")) return;
  tf.registerKernel({
    kernelName: "UnsortedSegmentSum",
    backendName: "wasm",
    kernelFunc: unsortedSegmentSumKernel(tf) as unknown as Parameters<typeof tf.registerKernel>[0]["kernelFunc"],
  });
}
