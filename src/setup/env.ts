// The repository's environment, in one place: its root, the Jupyter venv and its binaries, the TypeScript
// build and the package's link to itself. The set-up, the commands and the tests read it from here.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export const ROOT = path.resolve(__dirname, "..", "..");
export const VENV = path.join(ROOT, ".venv");
export const JUPYTER = path.join(VENV, "bin", "jupyter");

function tail(s: string, lines = 15): string {
  return s.trim().split("\n").slice(-lines).join("\n");
}

/** Compiles src/ to dist/ with the project's own TypeScript (not tslab's bundled one). */
export function buildDist(root: string = ROOT): { ok: boolean; log: string } {
  const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc");
  const r = spawnSync(process.execPath, [tsc, "-p", path.join(root, "tsconfig.json")], { encoding: "utf8", cwd: root });
  return { ok: r.status === 0, log: tail(`${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? String(r.error) : ""}`) };
}

/**
 * Makes node_modules/neural-fde a link to the package itself. Node resolves `require("neural-fde")` inside the
 * package through its "exports", but tslab type-checks cells with TypeScript's node10 resolution, which only
 * looks in node_modules: without the link a notebook fails with "Cannot find module 'neural-fde'".
 */
export function ensurePackageLink(root: string = ROOT): void {
  const link = path.join(root, "node_modules", "neural-fde");
  if (fs.existsSync(path.join(link, "package.json"))) return;
  fs.rmSync(link, { force: true });
  fs.symlinkSync("..", link, "dir");
}

/** Why notebooks cannot run here, or undefined when .venv has jupyter and the tslab kernel. */
export function jupyterMissing(): string | undefined {
  if (!fs.existsSync(JUPYTER)) return `${JUPYTER} not found: run npm run setup to create the Jupyter venv`;
  const r = spawnSync(JUPYTER, ["kernelspec", "list"], { encoding: "utf8" });
  if (!/^\s*tslab\s/m.test(r.stdout ?? "")) return "the tslab kernel is not registered in .venv: run npm run setup";
  return undefined;
}
