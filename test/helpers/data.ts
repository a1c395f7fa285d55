// Data sets a test needs: found under the data root ($NFDE_DATA_DIR, else data/ of the repository).
// Outside CI a test without its data skips and says which data set and which variable; under CI (where
// .ci/run points NFDE_DATA_DIR at the machine's copies) the data must be there, so the test runs and fails.
import * as fs from "node:fs";
import * as path from "node:path";
import { dataDir } from "../../src/data/paths";

const PLANETOID_FILES = ["x", "y", "tx", "ty", "allx", "ally", "graph", "test.index"];

/** The Planetoid raw files of `name` missing under the data root (empty when all are there). */
export function missingPlanetoid(name: "cora" | "citeseer"): string[] {
  const dir = path.join(dataDir(), "planetoid");
  return PLANETOID_FILES.map((e) => `ind.${name}.${e}`).filter((f) => !fs.existsSync(path.join(dir, f)));
}

/** A node:test `skip` value: false when the data set is there or under CI, else the reason. */
export function skipWithoutPlanetoid(name: "cora" | "citeseer"): string | false {
  const missing = missingPlanetoid(name);
  if (missing.length === 0 || process.env.CI) return false;
  return `needs the Planetoid ${name} raw files (${missing.join(", ")} missing in ${path.join(dataDir(), "planetoid")}): ` +
    `set NFDE_DATA_DIR to a folder whose planetoid/ holds them, or run with internet once (see data/README.md)`;
}
