import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { dependencyStages, main } from "../src/setup/install";
import { detectSetupMode, findPackageDir } from "../src/setup/mode";
import { missingNativeFiles, NATIVE_FILES } from "../src/setup/native";
import { parseRequirements, Pin, readRequirements, REQUIREMENTS_FILE } from "../src/setup/requirements";
import { fail, ok, runStages, skip, Stage, summaryLine } from "../src/setup/stages";
import { diagnoseVenv, venvStage } from "../src/setup/venv";
import { kernelsStage } from "../src/setup/kernels";

const ROOT = path.resolve(__dirname, "..");

function tmpDir(t: { after: (fn: () => void) => void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nfde-setup-test-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function mkPackage(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: path.basename(dir), version: "0.1.0" }));
  return dir;
}

function writeExecutable(file: string, body: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
}

// ---- which set-up: repository or dependency ----

test("mode: a package inside node_modules is a dependency (npm, nested and pnpm layouts), even when npm says nothing", (t) => {
  const tmp = tmpDir(t);
  const consumer = path.join(tmp, "consumer");
  for (const rel of ["node_modules/neural-fde", "node_modules/other/node_modules/neural-fde",
    "node_modules/.pnpm/neural-fde@0.1.0/node_modules/neural-fde"]) {
    const pkg = mkPackage(path.join(consumer, rel));
    fs.mkdirSync(path.join(pkg, "src", "setup"), { recursive: true }); // a published package ships src/ as well
    const m = detectSetupMode(pkg, {});
    assert.equal(m.mode, "dependency", rel);
    assert.equal(m.consumer, consumer, rel);
    assert.match(m.why, /node_modules/);
  }
});

test("mode: npm installing another project (npm_config_local_prefix, else INIT_CWD) makes a non-clone folder a dependency", (t) => {
  const tmp = tmpDir(t);
  const pkg = mkPackage(path.join(tmp, "neural-fde"));
  const consumer = mkPackage(path.join(tmp, "consumer"));
  assert.equal(detectSetupMode(pkg, { npm_config_local_prefix: consumer, INIT_CWD: consumer }).mode, "dependency");
  assert.equal(detectSetupMode(pkg, { npm_config_local_prefix: consumer }).mode, "dependency");
  // npm --prefix <package> install, run from another folder: npm installs the package itself
  assert.equal(detectSetupMode(pkg, { npm_config_local_prefix: pkg, INIT_CWD: consumer }).mode, "repository");
  assert.equal(detectSetupMode(pkg, { INIT_CWD: consumer }).mode, "dependency");
  assert.equal(detectSetupMode(pkg, { INIT_CWD: consumer }).consumer, consumer);
  // npm install / npm run setup in the package itself or from one of its folders
  assert.equal(detectSetupMode(pkg, { npm_config_local_prefix: pkg, INIT_CWD: pkg }).mode, "repository");
  assert.equal(detectSetupMode(pkg, { npm_config_local_prefix: pkg, INIT_CWD: path.join(pkg, "notebooks") }).mode, "repository");
  assert.equal(detectSetupMode(pkg, {}).mode, "repository");
});

test("mode: a git clone outside node_modules gets the full set-up even when another project installs it; NFDE_SETUP_MODE overrides", (t) => {
  const tmp = tmpDir(t);
  const clone = mkPackage(path.join(tmp, "neural-fde"));
  fs.mkdirSync(path.join(clone, ".git"));
  const consumer = mkPackage(path.join(tmp, "consumer"));
  assert.equal(detectSetupMode(clone, { npm_config_local_prefix: consumer }).mode, "repository");
  assert.equal(detectSetupMode(clone, { NFDE_SETUP_MODE: "dependency" }).mode, "dependency");
  const dep = mkPackage(path.join(consumer, "node_modules", "neural-fde"));
  assert.equal(detectSetupMode(dep, { NFDE_SETUP_MODE: "repository" }).mode, "repository");
  assert.throws(() => detectSetupMode(dep, { NFDE_SETUP_MODE: "full" }), /NFDE_SETUP_MODE is "full": use repository or dependency/);
});

test("mode: this checkout, set up by npm install in its own folder, is the repository", () => {
  assert.equal(detectSetupMode(ROOT, { npm_config_local_prefix: ROOT, INIT_CWD: ROOT }).mode, "repository");
});

test("findPackageDir resolves a dependency hoisted into the consumer's node_modules", (t) => {
  const consumer = tmpDir(t);
  const pkg = mkPackage(path.join(consumer, "node_modules", "neural-fde"));
  const tfn = mkPackage(path.join(consumer, "node_modules", "@tensorflow", "tfjs-node"));
  assert.equal(findPackageDir("@tensorflow/tfjs-node", pkg), tfn);
  assert.equal(findPackageDir("no-such-package-here", pkg), undefined);
});

test("installed as a dependency: no venv, no kernels, no build; the summary and the how-to line print", (t) => {
  const consumer = tmpDir(t);
  const pkg = mkPackage(path.join(consumer, "node_modules", "neural-fde"));
  assert.deepEqual(dependencyStages(pkg).map((s) => s.name), ["npm packages", "native backend", "jupyter venv", "tslab kernels"]);
  const lines: string[] = [];
  const results = main(pkg, {}, (l) => lines.push(l));
  // the fake consumer has no tfjs-node: npm packages and native FAIL, the Jupyter stages are skipped
  assert.deepEqual(results.map((r) => [r.stage, r.status]),
    [["npm packages", "FAIL"], ["native backend", "FAIL"], ["jupyter venv", "skip"], ["tslab kernels", "skip"]]);
  assert.match(lines.join("\n"), /npm packages\s+FAIL\s+missing @tensorflow\/tfjs, @tensorflow\/tfjs-node/);
  assert.match(lines[lines.length - 2], /^\[nfde setup\] summary\s+not ready: npm packages, native backend; skipped: jupyter venv, tslab kernels \(backend: wasm fallback; /);
  assert.match(lines[lines.length - 1], /dependency here \(installed in .*node_modules\), so only its native backend was set up; .*clone the neural-fde repository and run npm install/);
  assert.equal(fs.existsSync(path.join(pkg, ".venv")), false);
  assert.equal(fs.existsSync(path.join(pkg, "dist")), false);
});

// ---- the stage runner ----

test("stages: one that throws is FAIL with its message, later stages still run, dependents are not run, the summary prints", () => {
  const lines: string[] = [];
  const ran: string[] = [];
  const stage = (name: string, run: () => ReturnType<Stage["run"]>, needs?: string[]): Stage =>
    ({ name, needs, run: () => { ran.push(name); return run(); } });
  const results = main(ROOT, { NFDE_SETUP_MODE: "repository" }, (l) => lines.push(l), () => [
    stage("first", () => ok("fine")),
    stage("thrower", () => { throw new Error("disk on fire\nsecond line"); }),
    stage("after", () => ok("still ran")),
    stage("dependent", () => ok("must not run"), ["thrower"]),
    stage("optional", () => skip("not wanted")),
    stage("follower", () => ok("must not run"), ["optional"]),
  ]);
  assert.deepEqual(ran, ["first", "thrower", "after", "optional"]);
  assert.deepEqual(results.map((r) => r.status), ["ok", "FAIL", "ok", "FAIL", "skip", "skip"]);
  assert.equal(lines.length, 7);
  assert.match(lines[1], /^\[nfde setup\] thrower\s+FAIL  threw disk on fire$/);
  assert.match(lines[3], /dependent\s+FAIL  not run: needs thrower, which failed/);
  assert.match(lines[6], /^\[nfde setup\] summary\s+not ready: thrower, dependent; skipped: optional, follower \(backend: wasm fallback; \d+\.\d s\)$/);
});

test("stages: a plan that cannot be made is reported and the summary still prints", () => {
  const lines: string[] = [];
  const results = main(ROOT, { NFDE_SETUP_MODE: "bogus" }, (l) => lines.push(l));
  assert.equal(results.length, 1);
  assert.equal(results[0].status, "FAIL");
  assert.match(lines[0], /set-up\s+FAIL\s+NFDE_SETUP_MODE is "bogus"/);
  assert.match(lines[1], /^\[nfde setup\] summary\s+not ready: set-up/);
});

test("summary: all ok says all stages ready", () => {
  const lines: string[] = [];
  const r = runStages([{ name: "a", run: () => ok("x") }, { name: "b", run: () => ok("y") }], (l) => lines.push(l));
  assert.deepEqual(lines, ["[nfde setup] a               ok    x", "[nfde setup] b               ok    y"]);
  assert.equal(summaryLine(r, ["backend: tensorflow", "1.0 s"]), "[nfde setup] summary         all stages ready (backend: tensorflow; 1.0 s)");
  assert.equal(summaryLine([...r, { stage: "c", ...fail("no") }], []), "[nfde setup] summary         not ready: c");
});

// ---- NFDE_SKIP_JUPYTER ----

test("NFDE_SKIP_JUPYTER=1: the venv and kernels stages are skipped, not FAIL, and the summary does not call them not ready", (t) => {
  const tmp = tmpDir(t);
  const venv = path.join(tmp, ".venv");
  const env = { NFDE_SKIP_JUPYTER: "1" };
  const lines: string[] = [];
  const results = runStages([
    { name: "jupyter venv", run: () => venvStage({ venv, requirementsFile: path.join(ROOT, REQUIREMENTS_FILE), env }) },
    { name: "tslab kernels", needs: ["jupyter venv"], run: () => kernelsStage(venv, path.join(tmp, "no-tslab")) },
  ], (l) => lines.push(l));
  assert.deepEqual(results.map((r) => r.status), ["skip", "skip"]);
  assert.match(lines[0], /jupyter venv\s+skip  skipped by NFDE_SKIP_JUPYTER=1 /);
  assert.equal(fs.existsSync(venv), false);
  const summary = summaryLine(results, []);
  assert.doesNotMatch(summary, /not ready/);
  assert.match(summary, /skipped: jupyter venv, tslab kernels/);
});

// ---- the requirements file ----

test("requirements: the committed file pins every package the notebooks need with ==", () => {
  const file = path.join(ROOT, REQUIREMENTS_FILE);
  const text = fs.readFileSync(file, "utf8");
  const pins = readRequirements(file);
  const byName = new Map(pins.map((p) => [p.name.toLowerCase(), p.version]));
  for (const name of ["jupyterlab", "notebook", "nbclient", "nbconvert", "ipykernel", "plotly"]) {
    assert.ok(byName.has(name), `${REQUIREMENTS_FILE} does not pin ${name}`);
    assert.match(text, new RegExp(`^${name}==${byName.get(name)!.replace(/\./g, "\\.")}$`, "m"));
  }
  assert.match(byName.get("jupyterlab")!, /^4\./);
  assert.match(byName.get("notebook")!, /^7\./);
});

test("requirements: a line that is not an exact pin, or a package pinned twice, throws naming the line", () => {
  assert.throws(() => parseRequirements("plotly==7.1.0\njupyterlab>=4.6\n", "req.txt"), /req\.txt:2: "jupyterlab>=4\.6" is not an exact pin/);
  assert.throws(() => parseRequirements("plotly\n", "req.txt"), /req\.txt:1: "plotly" is not an exact pin/);
  assert.throws(() => parseRequirements("plotly==7.1.0\nPlotly==7.0.0\n", "req.txt"), /req\.txt:2: Plotly is pinned twice/);
  assert.throws(() => parseRequirements("# nothing\n", "req.txt"), /req\.txt pins no package/);
  assert.deepEqual(parseRequirements("jupyter-lsp==2.3.1  # comment\n"), [{ name: "jupyter-lsp", version: "2.3.1", module: "jupyter_lsp" }]);
});

// ---- the broken-venv diagnosis ----

const PINS: Pin[] = [{ name: "jupyterlab", version: "4.6.4", module: "jupyterlab" }, { name: "plotly", version: "7.1.0", module: "plotly" }];

/** A fake venv whose python answers the probe with `found` and `python -m pip` with exit `pipExit`. */
function fakeVenv(dir: string, found: object, pipExit = 0): string {
  const venv = path.join(dir, "venv");
  fs.mkdirSync(venv, { recursive: true });
  fs.writeFileSync(path.join(venv, "pyvenv.cfg"), "home = /nowhere\n");
  writeExecutable(path.join(venv, "bin", "python"),
    `if [ "$1" = "-m" ]; then echo "pip 24.0"; exit ${pipExit}; fi\necho 'NFDE_PROBE ${JSON.stringify(found)}'`);
  return venv;
}

const healthy = { versions: { jupyterlab: "4.6.4", plotly: "7.1.0" }, imports: { jupyterlab: null, plotly: null } };

test("venv diagnosis: missing folder, missing python, dangling link, not executable, python exiting 1", (t) => {
  const tmp = tmpDir(t);
  const venv = path.join(tmp, ".venv");
  assert.equal(diagnoseVenv(venv, PINS).state, "missing");
  fs.mkdirSync(path.join(venv, "bin"), { recursive: true });
  fs.writeFileSync(path.join(venv, "pyvenv.cfg"), "home = /nowhere\n");
  assert.deepEqual(diagnoseVenv(venv, PINS), { state: "broken", why: ".venv/bin/python is missing" });
  const python = path.join(venv, "bin", "python");
  const gone = path.join(tmp, "old-python", "bin", "python3");
  fs.symlinkSync(gone, path.join(venv, "bin", "python3"));
  fs.symlinkSync("python3", python);
  const d = diagnoseVenv(venv, PINS);
  assert.equal(d.state, "broken");
  assert.equal(d.why, `.venv/bin/python links to ${gone}, which does not exist (Python moved or was removed)`);
  fs.rmSync(python);
  fs.writeFileSync(python, "#!/bin/sh\nexit 0\n", { mode: 0o644 });
  assert.deepEqual(diagnoseVenv(venv, PINS), { state: "broken", why: ".venv/bin/python is not executable" });
  fs.rmSync(python);
  writeExecutable(python, "echo 'Fatal Python error: init_fs_encoding' >&2\nexit 1");
  assert.deepEqual(diagnoseVenv(venv, PINS), { state: "broken", why: ".venv/bin/python exits 1: Fatal Python error: init_fs_encoding" });
});

test("venv diagnosis: pip failing, imports failing, other versions, a missing program, and a healthy venv", (t) => {
  const tmp = tmpDir(t);
  assert.deepEqual(diagnoseVenv(fakeVenv(path.join(tmp, "a"), healthy), PINS), { state: "ok", why: "" });
  assert.match(diagnoseVenv(fakeVenv(path.join(tmp, "b"), healthy, 1), PINS).why, /^pip fails in venv: pip 24\.0/);
  const noImport = { ...healthy, imports: { jupyterlab: "ImportError: libzmq.so.5: cannot open", plotly: null } };
  assert.deepEqual(diagnoseVenv(fakeVenv(path.join(tmp, "c"), noImport), PINS),
    { state: "broken", why: "import jupyterlab fails (ImportError: libzmq.so.5: cannot open)" });
  const old = { ...healthy, versions: { jupyterlab: "4.5.0", plotly: null } };
  assert.deepEqual(diagnoseVenv(fakeVenv(path.join(tmp, "d"), old), PINS),
    { state: "outdated", why: "jupyterlab 4.5.0 (pinned 4.6.4), plotly not installed" });
  assert.deepEqual(diagnoseVenv(fakeVenv(path.join(tmp, "e"), healthy), PINS, ["jupyter"]), { state: "broken", why: "venv/bin/jupyter missing" });
});

// ---- rebuilding a broken venv for real (python3 -m venv; pins only the pip the venv ships, so no index is needed) ----

const hasVenv = spawnSync("python3", ["-c", "import venv, ensurepip"], { encoding: "utf8" }).status === 0;

test("venv stage: a venv whose python moved is rebuilt, a healthy one is left alone, a folder that is no venv is kept",
  { skip: hasVenv ? false : "python3 with the venv and ensurepip modules is not installed here" }, (t) => {
    const tmp = tmpDir(t);
    const pipVersion = spawnSync("python3", ["-c", "import ensurepip; print(ensurepip.version())"], { encoding: "utf8" }).stdout.trim();
    const requirementsFile = path.join(tmp, "requirements.txt");
    fs.writeFileSync(requirementsFile, `pip==${pipVersion}\n`);
    const venv = path.join(tmp, ".venv");
    fs.mkdirSync(path.join(venv, "bin"), { recursive: true });
    fs.writeFileSync(path.join(venv, "pyvenv.cfg"), "home = /nowhere\n");
    fs.symlinkSync(path.join(tmp, "moved-away", "python3"), path.join(venv, "bin", "python"));
    const first = venvStage({ venv, requirementsFile, bins: [], env: {} });
    assert.equal(first.status, "ok", first.detail);
    assert.match(first.detail, /^\.venv rebuilt with pip \S+; it was broken: \.venv\/bin\/python links to .*moved-away.*, which does not exist/);
    assert.equal(spawnSync(path.join(venv, "bin", "python"), ["-c", "print(1)"], { encoding: "utf8" }).stdout.trim(), "1");
    fs.writeFileSync(path.join(venv, "marker"), "kept");
    const second = venvStage({ venv, requirementsFile, bins: [], env: {} });
    assert.deepEqual(second, { status: "ok", detail: `.venv matches requirements.txt (pip ${pipVersion})` });
    assert.equal(fs.readFileSync(path.join(venv, "marker"), "utf8"), "kept");

    const notVenv = path.join(tmp, "not-a-venv");
    fs.mkdirSync(notVenv);
    fs.writeFileSync(path.join(notVenv, "notes.txt"), "mine");
    const third = venvStage({ venv: notVenv, requirementsFile, bins: [], env: {} });
    assert.equal(third.status, "FAIL");
    assert.match(third.detail, /not-a-venv\/bin\/python is missing; .*not-a-venv is not a Python venv \(no pyvenv\.cfg\), so it was left in place/);
    assert.equal(fs.readFileSync(path.join(notVenv, "notes.txt"), "utf8"), "mine");
  });

// ---- the native backend's offline files ----

test("native: the offline extraction names each file it did not find", (t) => {
  const deps = tmpDir(t);
  assert.deepEqual(missingNativeFiles(deps), NATIVE_FILES);
  for (const f of NATIVE_FILES) {
    fs.mkdirSync(path.dirname(path.join(deps, f)), { recursive: true });
    fs.writeFileSync(path.join(deps, f), "x");
  }
  assert.deepEqual(missingNativeFiles(deps), []);
  fs.rmSync(path.join(deps, "include", "xla"), { recursive: true });
  fs.writeFileSync(path.join(deps, "lib", "libtensorflow_framework.so.2"), "");
  assert.deepEqual(missingNativeFiles(deps), ["lib/libtensorflow_framework.so.2", "include/xla/tsl/c/tsl_status.h"]);
});
