// The stages of the repository's own tree: npm packages present, the TypeScript build, the self-link.
import * as fs from "node:fs";
import * as path from "node:path";
import { lastLine, run } from "./exec";
import { ensurePackageLink } from "./env";
import { findPackageDir } from "./mode";
import { fail, ok, Outcome } from "./stages";

export const NAMED_DEPENDENCIES = ["@tensorflow/tfjs", "@tensorflow/tfjs-node", "@tensorflow/tfjs-backend-wasm", "tslab", "plotly.js-dist", "danfojs-node"];

/** The named dependencies resolve from `root` (its node_modules, or a consumer's when hoisted). */
export function npmStage(root: string, needed: string[] = NAMED_DEPENDENCIES): Outcome {
  const missing = needed.filter((p) => !findPackageDir(p, root));
  return missing.length === 0
    ? ok(`${needed.length} named dependencies present`)
    : fail(`missing ${missing.join(", ")}: run npm install`);
}

export function buildStage(root: string): Outcome {
  const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc");
  if (!fs.existsSync(tsc)) return fail(`the project's TypeScript compiler ${path.relative(root, tsc)} is missing: run npm install`);
  const r = run(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: root });
  return r.ok ? ok("compiled src/ to dist/") : fail(lastLine(r.out));
}

// tslab type-checks cells with TypeScript's node10 resolution, which ignores a package's self-reference
// through "exports": a link node_modules/neural-fde -> .. lets notebooks import "neural-fde".
// npm links the bins of dependencies only: node_modules/.bin/nfde makes `npx nfde` work in the repo too.
export function linkStage(root: string): Outcome {
  ensurePackageLink(root);
  const bin = path.join(root, "node_modules", ".bin", "nfde");
  fs.mkdirSync(path.dirname(bin), { recursive: true });
  fs.rmSync(bin, { force: true });
  fs.symlinkSync(path.join("..", "..", "dist", "cli", "main.js"), bin);
  fs.chmodSync(path.join(root, "dist", "cli", "main.js"), 0o755);
  return ok("node_modules/neural-fde -> .. (notebooks import \"neural-fde\"); npx nfde");
}
