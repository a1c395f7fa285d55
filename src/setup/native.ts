// The native TensorFlow backend for tfjs-node: loads as installed, or tfjs-node's own download (internet),
// or the offline route of the README: libtensorflow from the tensorflow-cpu wheel of the local pip index,
// laid out as tfjs-node expects, and the addon built from source with npm's node-gyp.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { lastLine, run } from "./exec";
import { fail, ok, Outcome } from "./stages";

export const TF_WHEEL = "tensorflow-cpu==2.21.0";

/** What the addon build needs under tfjs-node's deps/ (the libraries, and one header of each headers folder). */
export const NATIVE_FILES = [
  "lib/libtensorflow_cc.so.2",
  "lib/libtensorflow_framework.so.2",
  "include/tensorflow/c/c_api.h",
  "include/tensorflow/c/eager/c_api.h",
  "include/tensorflow/core/platform/ctstring_internal.h",
  "include/tsl/platform/ctstring_internal.h",
  "include/xla/tsl/c/tsl_status.h",
];

/** The entries of NATIVE_FILES that are not regular, non-empty files under `depsDir`. */
export function missingNativeFiles(depsDir: string): string[] {
  return NATIVE_FILES.filter((f) => {
    try {
      const st = fs.statSync(path.join(depsDir, f));
      return !st.isFile() || st.size === 0;
    } catch {
      return true;
    }
  });
}

/** Loads tfjs-node in a child process, so that a broken addon cannot take the set-up down. */
export function nativeLoads(tfjsNodeDir: string): { ok: boolean; why: string } {
  const probe = `const tf=require(${JSON.stringify(tfjsNodeDir)});const s=tf.tensor([1,2]).sum().dataSync()[0];` +
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

const EXTRACT = [
  "import sys, zipfile, os, shutil",
  "whl, deps = sys.argv[1], sys.argv[2]",
  "libs = {'tensorflow/libtensorflow_cc.so.2', 'tensorflow/libtensorflow_framework.so.2'}",
  "heads = ('tensorflow/include/tensorflow/c/', 'tensorflow/include/tensorflow/core/platform/ctstring',",
  "         'tensorflow/include/tsl/platform/ctstring', 'tensorflow/include/xla/tsl/c/')",
  "z = zipfile.ZipFile(whl)",
  "for name in z.namelist():",
  "    if name.endswith('/'): continue",
  "    if name in libs: dest = os.path.join(deps, 'lib', os.path.basename(name))",
  "    elif name.startswith(heads): dest = os.path.join(deps, 'include', name[len('tensorflow/include/'):])",
  "    else: continue",
  "    os.makedirs(os.path.dirname(dest), exist_ok=True)",
  "    with z.open(name) as src, open(dest, 'wb') as out: shutil.copyfileobj(src, out, 1 << 20)",
].join("\n");

function buildOffline(tfjsNodeDir: string): { ok: boolean; why: string } {
  if (!run("python3", ["--version"]).ok) return { ok: false, why: "python3 not found (needed to fetch the TensorFlow wheel)" };
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nfde-tf-"));
  try {
    const dl = run("python3", ["-m", "pip", "download", "--retries", "0", "--no-deps", "--only-binary=:all:", "-d", tmp, TF_WHEEL], { timeout: 600000 });
    const wheel = fs.readdirSync(tmp).find((f) => f.endsWith(".whl"));
    if (!dl.ok || !wheel) return { ok: false, why: `pip could not fetch ${TF_WHEEL} from its index: ${lastLine(dl.out)}` };
    const deps = path.join(tfjsNodeDir, "deps");
    fs.rmSync(deps, { recursive: true, force: true });
    const ex = run("python3", ["-c", EXTRACT, path.join(tmp, wheel), deps]);
    if (!ex.ok) return { ok: false, why: `could not unpack ${wheel}: ${lastLine(ex.out)}` };
    const missing = missingNativeFiles(deps);
    if (missing.length > 0) {
      return { ok: false, why: `${wheel} lacks ${missing.join(", ")} (looked for them under tensorflow/ in the wheel, for deps/ of tfjs-node)` };
    }
    const lib = path.join(deps, "lib");
    fs.symlinkSync("libtensorflow_cc.so.2", path.join(lib, "libtensorflow.so"));
    fs.symlinkSync("libtensorflow_framework.so.2", path.join(lib, "libtensorflow_framework.so"));
    // tfjs-node's own install script skips its download when this file exists.
    fs.symlinkSync("libtensorflow_cc.so.2", path.join(lib, "libtensorflow.so.2.9.1"));
    const gyp = nodeGypPath();
    if (!gyp) return { ok: false, why: "node-gyp (shipped with npm) not found next to npm or node" };
    const napi = "8";
    const args = [gyp, "rebuild", `--directory=${tfjsNodeDir}`, "--module_name=tfjs_binding",
      `--module_path=${path.join(tfjsNodeDir, "lib", `napi-v${napi}`)}`, `--napi_build_version=${napi}`];
    const nodedir = run("npm", ["config", "get", "nodedir"]).out.trim();
    if (nodedir && nodedir !== "undefined" && nodedir !== "null") args.push(`--nodedir=${nodedir}`);
    const b = run(process.execPath, args, { timeout: 600000 });
    if (!b.ok) return { ok: false, why: `addon build failed: ${lastLine(b.out)}` };
    return nativeLoads(tfjsNodeDir);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** True when deps/ holds the libraries of the offline route (tfjs-node's script then only rebuilds the addon). */
function hasOfflineLibs(tfjsNodeDir: string): boolean {
  try {
    return fs.readlinkSync(path.join(tfjsNodeDir, "deps", "lib", "libtensorflow.so.2.9.1")) === "libtensorflow_cc.so.2";
  } catch {
    return false;
  }
}

export function nativeStage(tfjsNodeDir: string | undefined): Outcome {
  if (!tfjsNodeDir) return fail("@tensorflow/tfjs-node is not installed: run npm install; the wasm backend will be used meanwhile");
  const first = nativeLoads(tfjsNodeDir);
  if (first.ok) return ok(`tfjs-node ${first.why} loads: backend "tensorflow" ready`);
  // A machine with internet: tfjs-node's own script downloads libtensorflow and the addon.
  const local = hasOfflineLibs(tfjsNodeDir);
  const script = run(process.execPath, [path.join(tfjsNodeDir, "scripts", "install.js")], { cwd: tfjsNodeDir, timeout: 300000 });
  if (script.ok && nativeLoads(tfjsNodeDir).ok) {
    return ok(local ? `tfjs-node's script rebuilt the addon against the offline ${TF_WHEEL} libraries: backend "tensorflow" ready`
      : "tfjs-node downloaded libtensorflow: backend \"tensorflow\" ready");
  }
  const off = buildOffline(tfjsNodeDir);
  if (off.ok) return ok(`built offline against ${TF_WHEEL}: backend "tensorflow" ready`);
  return fail(`not available (${off.why}); the wasm backend will be used. Fix: give the machine internet or a pip index with ${TF_WHEEL}, then npm run setup`);
}
