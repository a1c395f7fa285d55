// Where data files live: $NFDE_DATA_DIR, else <package root>/data. The package root is the nearest folder
// above this file that holds a package.json, so it works from src/ (tsx) and from dist/ (compiled).
import * as fs from "node:fs";
import * as path from "node:path";

/** The folder holding this package's package.json. */
export function packageRoot(start: string = __dirname): string {
  let dir = path.resolve(start);
  for (;;) {
    if (fs.existsSync(path.join(dir, "package.json"))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json found above ${start}`);
    dir = parent;
  }
}

/** The data folder: NFDE_DATA_DIR when set, else <package root>/data. */
export function dataDir(): string {
  const env = process.env.NFDE_DATA_DIR;
  return env ? path.resolve(env) : path.join(packageRoot(), "data");
}

/** The folder of one data set, e.g. planetoidDir() = <data folder>/planetoid. An explicit dataDir wins. */
export function datasetDir(name: string, explicitDataDir?: string): string {
  return path.join(explicitDataDir ? path.resolve(explicitDataDir) : dataDir(), name);
}
