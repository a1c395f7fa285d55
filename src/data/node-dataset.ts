// The shape every node-classification loader returns (Planetoid, OGB, csbm).

/** A node-classification graph as plain typed arrays (what loadPlanetoid, the OGB loader and csbm return). */
export interface NodeDataset {
  name: string;
  numNodes: number;
  numFeatures: number;
  /** Largest label + 1. */
  numClasses: number;
  /** Row-major numNodes x numFeatures. */
  features: Float32Array;
  /** One class per node; -1 marks an unlabeled node (a label field "nan" or empty): accuracy must skip it. */
  labels: Int32Array;
  /** OGB: the directed edges as in edge.csv (symmetrize() makes them undirected); Planetoid and csbm: symmetric, sorted. */
  edges: { src: Int32Array; dst: Int32Array };
  trainIdx: Int32Array;
  valIdx: Int32Array;
  testIdx: Int32Array;
}
