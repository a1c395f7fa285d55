// Set-up run by `npm install` (postinstall, through postinstall.cjs) and by `npm run setup`: idempotent,
// one line per stage and a summary line that always prints.
//   In the repository: npm packages, TypeScript build (dist/), package link, native TensorFlow backend,
//   Jupyter venv (.venv, pinned by jupyter-requirements.txt), tslab kernels registered into it.
//   Installed as another project's dependency: npm packages and the native backend only.
import * as path from "node:path";
import { kernelsStage } from "./kernels";
import { detectSetupMode, findPackageDir, SetupMode } from "./mode";
import { nativeStage } from "./native";
import { buildStage, linkStage, npmStage } from "./project";
import { REQUIREMENTS_FILE } from "./requirements";
import { runStages, skip, Stage, StageResult, stageLine, summaryLine } from "./stages";
import { venvStage } from "./venv";

const ROOT = path.resolve(__dirname, "..", "..");

const nativeBackend = (root: string): Stage =>
  ({ name: "native backend", needs: ["npm packages"], run: () => nativeStage(findPackageDir("@tensorflow/tfjs-node", root)) });

export function repositoryStages(root: string, env: NodeJS.ProcessEnv): Stage[] {
  const venv = path.join(root, ".venv");
  return [
    { name: "npm packages", run: () => npmStage(root) },
    { name: "typescript", needs: ["npm packages"], run: () => buildStage(root) },
    { name: "package link", needs: ["typescript"], run: () => linkStage(root) },
    nativeBackend(root),
    { name: "jupyter venv", run: () => venvStage({ venv, requirementsFile: path.join(root, REQUIREMENTS_FILE), env }) },
    { name: "tslab kernels", needs: ["jupyter venv", "npm packages"], run: () => kernelsStage(venv, path.join(root, "node_modules", ".bin", "tslab")) },
  ];
}

export function dependencyStages(root: string): Stage[] {
  const notHere = () => skip("not set up for a dependency: the notebooks' venv belongs to a clone of the repository");
  return [
    { name: "npm packages", run: () => npmStage(root) },
    nativeBackend(root),
    { name: "jupyter venv", run: notHere },
    { name: "tslab kernels", run: notHere },
  ];
}

export function dependencyHint(mode: SetupMode): string {
  return `[nfde setup] neural-fde is a dependency here (${mode.why}), so only its native backend was set up; ` +
    "for the Jupyter notebooks, clone the neural-fde repository and run npm install in the clone (then npm start)";
}

export type Plan = (mode: SetupMode, root: string, env: NodeJS.ProcessEnv) => Stage[];

const defaultPlan: Plan = (mode, root, env) => (mode.mode === "dependency" ? dependencyStages(root) : repositoryStages(root, env));

/** Runs the set-up of `root`, printing one line per stage and then the summary; returns the stage results. */
export function main(root = ROOT, env: NodeJS.ProcessEnv = process.env, log: (line: string) => void = console.log,
  plan: Plan = defaultPlan): StageResult[] {
  const t0 = Date.now();
  let results: StageResult[] = [];
  let mode: SetupMode | undefined;
  try {
    mode = detectSetupMode(root, env);
    results = runStages(plan(mode, root, env), log);
  } catch (e) {
    const r: StageResult = { stage: "set-up", status: "FAIL", detail: e instanceof Error ? e.message : String(e) };
    results.push(r);
    log(stageLine(r));
  } finally {
    const native = results.find((r) => r.stage === "native backend");
    const secs = ((Date.now() - t0) / 1000).toFixed(1);
    log(summaryLine(results, [`backend: ${native?.status === "ok" ? "tensorflow" : "wasm fallback"}`, `${secs} s`]));
    if (mode?.mode === "dependency") log(dependencyHint(mode));
  }
  return results;
}

/** The TypeScript build (repository) is required; the other stages degrade with a clear message. */
export const setupFailed = (results: StageResult[]) =>
  results.some((r) => (r.stage === "typescript" || r.stage === "set-up") && r.status !== "ok");

if (require.main === module && setupFailed(main())) process.exitCode = 1;
