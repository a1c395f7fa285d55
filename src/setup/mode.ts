// Which set-up to run: the full one in the repository, or only the native backend when neural-fde was
// installed into another project's node_modules (no venv, no kernels, no build: a package ships dist/).
import * as fs from "node:fs";
import * as path from "node:path";

export interface SetupMode {
  mode: "repository" | "dependency";
  why: string;
  /** The project that installed neural-fde (dependency mode). */
  consumer?: string;
}

const inside = (dir: string, parent: string) => {
  const rel = path.relative(parent, dir);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
};

/**
 * Dependency mode when (1) the package folder lies inside a node_modules folder (npm, yarn and pnpm all put
 * dependencies there), or (2) npm is installing another project (npm_config_local_prefix, or INIT_CWD when
 * the package manager sets only that, is outside the package) and the package folder is no git clone (a
 * clone linked into a project still gets the full set-up). NFDE_SETUP_MODE=repository|dependency overrides.
 */
export function detectSetupMode(pkgRoot: string, env: NodeJS.ProcessEnv = process.env): SetupMode {
  const root = path.resolve(pkgRoot);
  const forced = env.NFDE_SETUP_MODE;
  if (forced === "repository" || forced === "dependency") return { mode: forced, why: `NFDE_SETUP_MODE=${forced}` };
  if (forced) throw new Error(`NFDE_SETUP_MODE is "${forced}": use repository or dependency, or unset it`);
  const parts = root.split(path.sep);
  const nm = parts.indexOf("node_modules");
  if (nm >= 0) {
    const consumer = parts.slice(0, nm).join(path.sep) || path.sep;
    return { mode: "dependency", why: `installed in ${path.join(consumer, "node_modules")}`, consumer };
  }
  if (fs.existsSync(path.join(root, ".git"))) return { mode: "repository", why: "a git clone" };
  const installer = env.npm_config_local_prefix || env.INIT_CWD;
  if (installer && !inside(path.resolve(installer), root)) {
    return { mode: "dependency", why: `installed by the project in ${path.resolve(installer)}`, consumer: path.resolve(installer) };
  }
  return { mode: "repository", why: "run in the package folder" };
}

/** The folder of package `name` as Node resolves it from `from` (this folder's node_modules, then its parents'). */
export function findPackageDir(name: string, from: string): string | undefined {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "node_modules", name);
    if (fs.existsSync(path.join(candidate, "package.json"))) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}
