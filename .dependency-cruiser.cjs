// The layer rule of docs/design.md §4: folders are layers, an import points down, never up and never
// sideways between peers. Each layer lists what it may import; anything else under src/ is an error.
const base = "src/(backend|backend-wasm-kernels|backend-tensorflow-kernels|tf|tfjs-internals|native-ops)\\.ts$|src/util/";
const core = "src/(special|solvers|adjoint)/";
const layers = {
  util: [],
  special: [base],
  solvers: [base, "src/special/"],
  adjoint: [base, "src/special/", "src/solvers/"],
  graph: [base, core],
  analysis: [base, core, "src/graph/"],
  plot: [base],
  models: [base, core, "src/graph/"],
  data: [base, core, "src/graph/", "src/models/"],
  train: [base, core, "src/graph/", "src/models/", "src/data/", "src/analysis/"],
  bench: [base, core, "src/graph/", "src/models/", "src/data/", "src/train/", "src/analysis/", "src/plot/"],
  setup: [base],
  cli: [base, core, "src/graph/", "src/models/", "src/data/", "src/train/", "src/analysis/", "src/plot/", "src/bench/", "src/setup/"],
};

const layerRules = Object.entries(layers).map(([layer, allowed]) => ({
  name: `layer-${layer}`,
  comment: `src/${layer}/ may import only its own folder and: ${allowed.join(", ") || "(nothing else in src)"}`,
  severity: "error",
  from: { path: `^src/${layer}/` },
  to: { path: "^src/", pathNot: [`^src/${layer}/`, ...allowed.map((p) => `^(${p})`)] },
}));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: "root-surface",
      comment: "src/index.ts exposes the solver API only: the core, the backend, the special functions",
      severity: "error",
      from: { path: "^src/index\\.ts$" },
      to: { path: "^src/", pathNot: [`^(${base})`, `^(${core})`] },
    },
    {
      name: "no-root-import-inside",
      comment: "modules import their layer, never the package's root surface",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/index\\.ts$" },
      to: { path: "^src/index\\.ts$" },
    },
    {
      name: "base-imports-nothing-above",
      comment: "the backend, the tfjs internals and util sit at the bottom",
      severity: "error",
      from: { path: `^(${base})` },
      to: { path: "^src/", pathNot: `^(${base})` },
    },
    { name: "no-circular", severity: "error", from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
  },
};
