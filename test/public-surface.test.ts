// The package's surface: a small root (the solver API) and one subpath per layer, resolved by plain Node
// through "exports" and by TypeScript's node10 resolution (tslab's) through "typesVersions".
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { buildDist, ensurePackageLink, ROOT } from "../src/setup/env";

const SUBPATHS: Record<string, string[]> = {
  models: ["FGrandL", "grandField", "mlpField", "lotkaVolterraField", "FdeImageClassifier", "convField"],
  graph: ["spmm", "gcnNormalizedAdjacency", "edgeAttention", "dirichletEnergy", "SaintSampler", "subgraphFeatures", "symmetrize"],
  data: ["loadPlanetoid", "lotkaVolterraData", "dataDir", "loadMnist", "mnistTensors", "loadOgbNode", "loadOgbNodeSync", "csbm"],
  train: ["trainNodeClassifier", "fitLotkaVolterra", "trainImageClassifier"],
  analysis: ["pca", "observedOrder", "historyWeights", "energiesOverTime", "relativeDifference"],
  plot: ["show", "showTable", "lineChart", "figuresToHtml"],
  bench: ["CONFIGS", "runSuite", "runConfig"],
};

const nodeEval = (code: string) => spawnSync(process.execPath, ["-e", code], { cwd: ROOT, encoding: "utf8", env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: "2" } });

test("root surface: the solver API, tf, the backend and the special functions, at most 30 names", () => {
  const build = buildDist();
  assert.ok(fs.existsSync(path.join(ROOT, "dist", "index.js")), build.log);
  ensurePackageLink();
  const r = nodeEval("console.log(JSON.stringify(Object.keys(require('neural-fde'))))");
  assert.equal(r.status, 0, r.stderr);
  const names: string[] = JSON.parse(r.stdout.trim().split("\n").pop()!);
  assert.ok(names.length <= 30, `${names.length} names: ${names.join(", ")}`);
  for (const n of ["fdeint", "fdeintAdjoint", "solveFde", "METHODS", "GRADIENTS", "tf", "backendInfo", "ready", "mittagLeffler", "gamma"]) {
    assert.ok(names.includes(n), `the root lacks ${n}`);
  }
  for (const n of ["FGrandL", "runSuite", "readPickle", "show"]) assert.ok(!names.includes(n), `${n} belongs to a subpath, not the root`);
});

test("every subpath loads in plain Node and type-checks under node10 resolution", () => {
  for (const [sub, names] of Object.entries(SUBPATHS)) {
    const r = nodeEval(`const m = require('neural-fde/${sub}'); console.log(JSON.stringify(Object.keys(m)))`);
    assert.equal(r.status, 0, `neural-fde/${sub}: ${r.stderr}`);
    const keys: string[] = JSON.parse(r.stdout.trim().split("\n").pop()!);
    for (const n of names) assert.ok(keys.includes(n), `neural-fde/${sub} lacks ${n}`);
  }
  fs.mkdirSync(path.join(ROOT, "out"), { recursive: true });
  const dir = fs.mkdtempSync(path.join(ROOT, "out", ".surface-"));
  try {
    const file = path.join(dir, "use.ts");
    fs.writeFileSync(file, Object.entries(SUBPATHS).map(([sub, names]) =>
      `import { ${names.join(", ")} } from "neural-fde/${sub}";\nvoid [${names.join(", ")}];`).join("\n") +
      `\nimport { fdeint, type SolverOptions } from "neural-fde";\nconst o: SolverOptions = { beta: 0.5, tEnd: 1, stepSize: 0.1 };\nvoid [fdeint, o];\n`);
    const tsc = spawnSync(process.execPath, [path.join(ROOT, "node_modules", "typescript", "bin", "tsc"), "--noEmit", "--strict",
      "--esModuleInterop", "--skipLibCheck", "--module", "commonjs", "--moduleResolution", "node", "--target", "es2020",
      "--types", "node", "--typeRoots", path.join(ROOT, "node_modules", "@types"), file], { encoding: "utf8", cwd: ROOT });
    assert.equal(tsc.status, 0, `${tsc.stdout}${tsc.stderr}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
