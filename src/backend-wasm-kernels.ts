import type { TF } from "./backend";

// Filled in by the graph/data work: UnsortedSegmentSum for wasm (gather's gradient needs it).
export function registerWasmKernels(_tf: TF): void {}
