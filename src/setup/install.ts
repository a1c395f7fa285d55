// Set-up run by `npm install` (postinstall) and by `npm run setup`: idempotent, one line per stage.
//   1. npm packages    2. TypeScript build (dist/)    3. native TensorFlow backend for tfjs-node
//   4. Jupyter venv (.venv)    5. tslab kernels registered into it
import { spawnSync, SpawnSyncOptions } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const root = path.resolve(__dirname, "..", "..");
const tfjsNodeDir = path.join(root, "node_modules", "@tensorflow", "tfjs-node");
const venv = path.join(root, ".venv");
const venvPython = path.join(venv, "bin", "python");
const TF_WHEEL = "tensorflow-cpu==2.21.0";
const JUPYTER_PACKAGES = ["jupyterlab", "notebook", "nbclient", "nbconvert", "ipykernel", "plotly"];

type Status = { stage: string; ok: boolean; detail: string };
const results: Status[] = [];

function report(stage: string, ok: boolean, detail: string): boolean {
  results.push({ stage, ok, detail });
  console.log(`[nfde setup] ${stage.padEnd(15)} ${ok ? "ok  " : "FAIL"}  ${detail}`);
  return ok;
}

function run(cmd: string, args: string[], opts: SpawnSyncOptions = {}) {
  const r = spawnSync(cmd, args, { encoding: "utf8", cwd: root, maxBuffer: 64 << 20, ...opts });
  const out = `${r.stdout ?? ""}${r.stderr ?? ""}`;
  return { ok: r.status === 0 && !r.error, out: r.error ? String(r.error) : out, stdout: `${r.stdout ?? ""}` };
}

function lastLine(s: string): string {
  const lines = s.trim().split("\n").filter((l) => l.trim() !== "");
  return (lines[lines.length - 1] ?? "").slice(0, 300);
}

function stageNpm(): boolean {
  const needed = ["@tensorflow/tfjs", "@tensorflow/tfjs-node", "@tensorflow/tfjs-backend-wasm", "tslab", "plotly.js-dist", "danfojs-node"];
  const missing = needed.filter((p) => !fs.existsSync(path.join(root, "node_modules", p, "package.json")));
  return missing.length === 0
    ? report("npm packages", true, `${needed.length} named dependencies present`)
    : report("npm packages", false, `missing ${missing.join(", ")}: run npm install`);
}

function stageBuild(): boolean {
  const r = run(process.execPath, [path.join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"]);
  return r.ok ? report("typescript", true, "compiled src/ to dist/") : report("typescript", false, lastLine(r.out));
}

// Loads tfjs-node in a child process so that a broken addon cannot take this script down.
function nativeLoads(): { ok: boolean; why: string } {
  const probe = "const tf=require('@tensorflow/tfjs-node');const s=tf.tensor([1,2]).sum().dataSync()[0];" +
    "if(tf.getBackend()!=='tensorflow'||s!==3)throw new Error('bad backend');console.log(tf.version.tfjs)";
  const r = run(process.execPath, ["-e", probe], { env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: "2" }, timeout: 60000 });
  return { ok: r.ok, why: lastLine(r.ok ? r.stdout : r.out) };
}

function nodeGypPath(): string | undefined {
  const candidates: string[] = [];
  if (process.env.npm_execpath) candidates.push(path.join(path.dirname(process.env.npm_execpath), "..", "node_modules", "node-gyp", "bin", "node-gyp.js"));
  candidates.push(path.join(path.dirname(process.execPath), "..", "lib", "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js"));
  const npmBin = run("sh", ["-c", "readlink -f \"$(command -v npm)\""]);
  if (npmBin.ok) candidates.push(path.join(path.dirname(npmBin.out.trim()), "..", "node_modules", "node-gyp", "bin", "node-gyp.js"));
  return candidates.find((c) => fs.existsSync(c));
}

// Offline route (../shared/ENVIRONMENT.md): libtensorflow from the TensorFlow CPU wheel of the local pip
// index, laid out as tfjs-node expects, and the addon built from source with npm's node-gyp.
function buildNativeOffline(): { ok: boolean; why: string } {
  const python = run("python3", ["--version"]);
  if (!python.ok) return { ok: false, why: "python3 not found (needed to fetch the TensorFlow wheel)" };
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nfde-tf-"));
  try {
    const dl = run("python3", ["-m", "pip", "download", "--retries", "0", "--no-deps", "--only-binary=:all:", "-d", tmp, TF_WHEEL], { timeout: 600000 });
    const wheel = fs.readdirSync(tmp).find((f) => f.endsWith(".whl"));
    if (!dl.ok || !wheel) return { ok: false, why: `pip could not fetch ${TF_WHEEL} from its index: ${lastLine(dl.out)}` };
    const deps = path.join(tfjsNodeDir, "deps");
    fs.rmSync(deps, { recursive: true, force: true });
    const extract = [
      "import sys, zipfile, os",
      "whl, deps = sys.argv[1], sys.argv[2]",
      "libs = {'tensorflow/libtensorflow_cc.so.2', 'tensorflow/libtensorflow_framework.so.2'}",
      "heads = ('tensorflow/include/tensorflow/c/', 'tensorflow/include/tensorflow/core/platform/ctstring',",
      "         'tensorflow/include/tsl/platform/ctstring', 'tensorflow/include/xla/tsl/c/')",
      "z = zipfile.ZipFile(whl)",
      "n = 0",
      "for name in z.namelist():",
      "    if name.endswith('/'): continue",
      "    if name in libs: dest = os.path.join(deps, 'lib', os.path.basename(name))",
      "    elif name.startswith(heads): dest = os.path.join(deps, 'include', name[len('tensorflow/include/'):])",
      "    else: continue",
      "    os.makedirs(os.path.dirname(dest), exist_ok=True)",
      "    with z.open(name) as src, open(dest, 'wb') as out: out.write(src.read())",
      "    n += 1",
      "print(n)",
    ].join("\n");
    const ex = run("python3", ["-c", extract, path.join(tmp, wheel), deps]);
    if (!ex.ok) return { ok: false, why: `could not unpack the wheel: ${lastLine(ex.out)}` };
    const lib = path.join(deps, "lib");
    fs.symlinkSync("libtensorflow_cc.so.2", path.join(lib, "libtensorflow.so"));
    fs.symlinkSync("libtensorflow_framework.so.2", path.join(lib, "libtensorflow_framework.so"));
    // tfjs-node's own install script skips its download when this file exists.
    fs.symlinkSync("libtensorflow_cc.so.2", path.join(lib, "libtensorflow.so.2.9.1"));
    const gyp = nodeGypPath();
    if (!gyp) return { ok: false, why: "node-gyp (shipped with npm) not found" };
    const napi = "8";
    const args = [gyp, "rebuild", `--directory=${tfjsNodeDir}`, "--module_name=tfjs_binding",
      `--module_path=${path.join(tfjsNodeDir, "lib", `napi-v${napi}`)}`, `--napi_build_version=${napi}`];
    const nodedir = run("npm", ["config", "get", "nodedir"]).out.trim();
    if (nodedir && nodedir !== "undefined" && nodedir !== "null") args.push(`--nodedir=${nodedir}`);
    const b = run(process.execPath, args, { timeout: 600000 });
    if (!b.ok) return { ok: false, why: `addon build failed: ${lastLine(b.out)}` };
    return nativeLoads();
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

// tslab type-checks cells with TypeScript's node10 resolution, which ignores a package's self-reference
// through "exports": a link node_modules/neural-fde -> .. lets notebooks import "neural-fde".
// npm links the bins of dependencies only: node_modules/.bin/nfde makes `npx nfde` work in the repo too.
function stageLink(): boolean {
  const link = path.join(root, "node_modules", "neural-fde");
  if (!fs.existsSync(path.join(link, "package.json"))) {
    fs.rmSync(link, { force: true });
    fs.symlinkSync("..", link, "dir");
  }
  const bin = path.join(root, "node_modules", ".bin", "nfde");
  fs.mkdirSync(path.dirname(bin), { recursive: true });
  fs.rmSync(bin, { force: true });
  fs.symlinkSync(path.join("..", "..", "dist", "cli", "main.js"), bin);
  fs.chmodSync(path.join(root, "dist", "cli", "main.js"), 0o755);
  return report("package link", true, "node_modules/neural-fde -> .. (notebooks import \"neural-fde\"); npx nfde");
}

function stageNative(): boolean {
  const first = nativeLoads();
  if (first.ok) return report("native backend", true, `tfjs-node ${first.why} loads: backend "tensorflow" ready`);
  // Normal route (a machine with internet): tfjs-node's own script downloads libtensorflow and the addon.
  const dl = run(process.execPath, [path.join(tfjsNodeDir, "scripts", "install.js")], { cwd: tfjsNodeDir, timeout: 300000 });
  if (dl.ok && nativeLoads().ok) return report("native backend", true, "tfjs-node downloaded libtensorflow: backend \"tensorflow\" ready");
  const off = buildNativeOffline();
  if (off.ok) return report("native backend", true, `built offline against ${TF_WHEEL}: backend "tensorflow" ready`);
  return report("native backend", false,
    `not available (${off.why}); the wasm backend will be used. Fix: give the machine internet or a pip index with ${TF_WHEEL}, then npm run setup`);
}

function stageVenv(): boolean {
  if (process.env.NFDE_SKIP_JUPYTER === "1") return report("jupyter venv", false, "skipped (NFDE_SKIP_JUPYTER=1)");
  const py = run("python3", ["--version"]);
  if (!py.ok) return report("jupyter venv", false, "python3 not found: install Python 3.9+ with venv (Debian: apt install python3-venv), then npm run setup");
  const check = `import ${["jupyterlab", "notebook", "nbclient", "nbconvert", "ipykernel", "plotly"].join(", ")}`;
  if (fs.existsSync(venvPython) && run(venvPython, ["-c", check]).ok) return report("jupyter venv", true, ".venv already has Jupyter");
  if (!fs.existsSync(venvPython)) {
    const mk = run("python3", ["-m", "venv", venv]);
    if (!mk.ok) return report("jupyter venv", false, `python3 -m venv failed (${lastLine(mk.out)}); Debian: apt install python3-venv`);
  }
  const pip = run(venvPython, ["-m", "pip", "install", "--retries", "0", "--disable-pip-version-check", ...JUPYTER_PACKAGES], { timeout: 900000 });
  if (!pip.ok || !run(venvPython, ["-c", check]).ok) {
    return report("jupyter venv", false, `pip could not install ${JUPYTER_PACKAGES.join(" ")} (is its index reachable? ${lastLine(pip.out)})`);
  }
  return report("jupyter venv", true, `.venv with ${JUPYTER_PACKAGES.join(", ")}`);
}

function stageKernels(venvOk: boolean): boolean {
  if (!venvOk) return report("tslab kernels", false, "skipped: no Jupyter venv");
  const tslab = path.join(root, "node_modules", ".bin", "tslab");
  const r = run(tslab, ["install", "--sys-prefix", "--python", venvPython, "--binary", tslab]);
  if (!r.ok) return report("tslab kernels", false, lastLine(r.out));
  const list = run(path.join(venv, "bin", "jupyter"), ["kernelspec", "list"]);
  return /\btslab\b/.test(list.out)
    ? report("tslab kernels", true, "tslab (TypeScript) and jslab registered in .venv")
    : report("tslab kernels", false, "tslab kernel not listed by jupyter kernelspec list");
}

function main() {
  const t0 = Date.now();
  const npmOk = stageNpm();
  const buildOk = npmOk && stageBuild();
  if (buildOk) stageLink();
  const nativeOk = npmOk && stageNative();
  const venvOk = stageVenv();
  stageKernels(venvOk);
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  const failed = results.filter((r) => !r.ok).map((r) => r.stage);
  console.log(`[nfde setup] summary         ${failed.length === 0 ? "all stages ready" : `not ready: ${failed.join(", ")}`}` +
    ` (backend: ${nativeOk ? "tensorflow" : "wasm fallback"}; ${secs} s)`);
  // The TypeScript build is required; the other stages degrade with a clear message.
  if (!buildOk) process.exitCode = 1;
}

main();
