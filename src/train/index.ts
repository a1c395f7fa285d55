export { trainNodeClassifier, trainingLoss, planetoidNodeData } from "./node-classifier";
export type { NodeClassifier, NodeData, EpochRecord, OptimizerName, ProgressMode, TrainOptions, TrainResult } from "./node-classifier";
export { fitLotkaVolterra, lvTrajectory } from "./lv-fit";
export type { LvEstimate, LvEpoch, LvFitOptions, LvFitResult } from "./lv-fit";
export { trainImageClassifier, accuracy } from "./image-classifier";
export type { ImageClassifier, ImageData, ImageEpochRecord, ImageTrainOptions, ImageTrainResult } from "./image-classifier";
