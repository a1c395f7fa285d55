export { pca, symmetricEigen } from "./pca";
export type { PcaResult } from "./pca";
export { observedOrder } from "./observed-order";
export { energiesOverTime } from "./energies";
export { historyWeights } from "./history-weights";
export { relativeDifference } from "./relative-difference";
