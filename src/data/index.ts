export { readPickle, pyGet, PickleError } from "./pickle";
export type { NdArray, PyObject, DefaultDict } from "./pickle";
export { loadPlanetoid, loadPlanetoidSync, planetoidTensors, PLANETOID_NAMES, PLANETOID_FILES } from "./planetoid";
export type { Planetoid, PlanetoidName, PlanetoidOptions, PlanetoidTensors } from "./planetoid";
export { packageRoot, dataDir, datasetDir } from "./paths";
export { lotkaVolterraData } from "./lotka-volterra";
export type { LvDataOptions, LvData } from "./lotka-volterra";
export { loadMnist, loadMnistIdxSync, mnistTensors, MNIST_FILES, MNIST_URLS, MNIST_SIDE } from "./mnist";
export type { Mnist, MnistOptions, MnistSource, MnistSplit } from "./mnist";
