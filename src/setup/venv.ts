// The Jupyter venv: diagnosed against the pinned requirements file, created, updated, or rebuilt when broken.
import * as fs from "node:fs";
import * as path from "node:path";
import { lastLine, run, RunResult } from "./exec";
import { Pin, readRequirements } from "./requirements";
import { fail, ok, Outcome, skip } from "./stages";

export type VenvState = "ok" | "missing" | "outdated" | "broken";

export interface VenvDiagnosis {
  state: VenvState;
  why: string;
}

type Runner = (cmd: string, args: string[]) => RunResult;
const defaultRunner: Runner = (cmd, args) => run(cmd, args, { timeout: 120000 });

const MARK = "NFDE_PROBE ";
// Prints, for each pin, the installed version (None when absent) and the import error (None when it imports).
const PROBE = [
  "import sys, json, importlib, importlib.metadata as md",
  "out = {'versions': {}, 'imports': {}}",
  "for name, mod in json.loads(sys.argv[1]):",
  "    try: out['versions'][name] = md.version(name)",
  "    except Exception: out['versions'][name] = None",
  "    try: importlib.import_module(mod); out['imports'][name] = None",
  "    except BaseException as e: out['imports'][name] = (type(e).__name__ + ': ' + str(e))[:200]",
  `print(${JSON.stringify(MARK)} + json.dumps(out))`,
].join("\n");

/** Where a chain of symbolic links ends, when it ends at a missing file. */
function danglingTarget(link: string): string | undefined {
  let p = link;
  for (let hop = 0; hop < 40; hop++) {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(p);
    } catch {
      return p;
    }
    if (!st.isSymbolicLink()) return undefined;
    p = path.resolve(path.dirname(p), fs.readlinkSync(p));
  }
  return p;
}

/**
 * What is wrong with the venv at `venv` against `pins` (and the programs `bins` it must have in bin/):
 * missing, broken (rebuild it), outdated (pip install -r updates it), or ok.
 */
export function diagnoseVenv(venv: string, pins: Pin[], bins: string[] = [], runner: Runner = defaultRunner): VenvDiagnosis {
  const name = path.basename(venv);
  const broken = (why: string): VenvDiagnosis => ({ state: "broken", why });
  if (!fs.existsSync(venv)) return { state: "missing", why: `no ${name}` };
  const python = path.join(venv, "bin", "python");
  let lst: fs.Stats;
  try {
    lst = fs.lstatSync(python);
  } catch {
    return broken(`${name}/bin/python is missing`);
  }
  if (lst.isSymbolicLink()) {
    const target = danglingTarget(python);
    if (target) return broken(`${name}/bin/python links to ${target}, which does not exist (Python moved or was removed)`);
  }
  try {
    fs.accessSync(python, fs.constants.X_OK);
  } catch {
    return broken(`${name}/bin/python is not executable`);
  }
  const probe = runner(python, ["-c", PROBE, JSON.stringify(pins.map((p) => [p.name, p.module]))]);
  const line = probe.stdout.split("\n").find((l) => l.startsWith(MARK));
  if (!probe.ok || !line) {
    const how = probe.status === null ? "does not run" : `exits ${probe.status}`;
    return broken(`${name}/bin/python ${how}${lastLine(probe.out) ? `: ${lastLine(probe.out)}` : ""}`);
  }
  const pip = runner(python, ["-m", "pip", "--version"]);
  if (!pip.ok) return broken(`pip fails in ${name}: ${lastLine(pip.out) || `exit ${pip.status}`}`);
  const found = JSON.parse(line.slice(MARK.length)) as { versions: Record<string, string | null>; imports: Record<string, string | null> };
  const off = pins.filter((p) => found.versions[p.name] !== p.version)
    .map((p) => (found.versions[p.name] ? `${p.name} ${found.versions[p.name]} (pinned ${p.version})` : `${p.name} not installed`));
  if (off.length > 0) return { state: "outdated", why: off.join(", ") };
  const bad = pins.filter((p) => found.imports[p.name]).map((p) => `import ${p.module} fails (${found.imports[p.name]})`);
  if (bad.length > 0) return broken(bad.join("; "));
  const lost = bins.filter((b) => !fs.existsSync(path.join(venv, "bin", b)));
  if (lost.length > 0) return broken(`${lost.map((b) => `${name}/bin/${b}`).join(", ")} missing`);
  return { state: "ok", why: "" };
}

export interface VenvOptions {
  venv: string;
  requirementsFile: string;
  /** The Python that creates the venv. */
  python?: string;
  env?: NodeJS.ProcessEnv;
  /** Programs the venv must have in bin/ (default: jupyter). */
  bins?: string[];
}

function create(venv: string, python: string): string | undefined {
  const v = run(python, ["--version"]);
  if (!v.ok) return `${python} not found: install Python 3.9+ with venv (Debian: apt install python3-venv), then npm run setup`;
  const mk = run(python, ["-m", "venv", venv], { timeout: 300000 });
  if (!mk.ok) return `${python} -m venv ${venv} failed (${lastLine(mk.out)}); Debian: apt install python3-venv`;
  return undefined;
}

/** Removes a broken venv, refusing a folder that is not one (no pyvenv.cfg) unless it is empty. */
function remove(venv: string): string | undefined {
  if (!fs.existsSync(path.join(venv, "pyvenv.cfg")) && fs.readdirSync(venv).length > 0) {
    return `${venv} is not a Python venv (no pyvenv.cfg), so it was left in place: move it away, then npm run setup`;
  }
  fs.rmSync(venv, { recursive: true, force: true });
  return undefined;
}

/** The "jupyter venv" stage: a venv at `venv` holding exactly the pins of `requirementsFile`. */
export function venvStage(o: VenvOptions): Outcome {
  const env = o.env ?? process.env;
  if (env.NFDE_SKIP_JUPYTER === "1") return skip("skipped by NFDE_SKIP_JUPYTER=1 (the notebooks need this venv: unset the variable, then npm run setup)");
  const python = o.python ?? "python3";
  const pins = readRequirements(o.requirementsFile);
  const req = path.basename(o.requirementsFile);
  const name = path.basename(o.venv);
  const pinned = pins.map((p) => `${p.name} ${p.version}`).join(", ");
  const bins = o.bins ?? ["jupyter"];
  let d = diagnoseVenv(o.venv, pins, bins);
  if (d.state === "ok") return ok(`${name} matches ${req} (${pinned})`);
  let done: string;
  let reason = "";
  let rebuilt = false;
  const rebuild = (): string | undefined => {
    rebuilt = true;
    return remove(o.venv) ?? create(o.venv, python);
  };
  if (d.state === "broken") {
    const err = rebuild();
    if (err) return fail(`${d.why}; ${err}`);
    done = "rebuilt";
    reason = `it was broken: ${d.why}`;
  } else if (d.state === "missing") {
    const err = create(o.venv, python);
    if (err) return fail(err);
    done = "created";
  } else {
    done = "updated";
    reason = `it differed from ${req}: ${d.why}`;
  }
  const install = () => run(path.join(o.venv, "bin", "python"),
    ["-m", "pip", "install", "--retries", "0", "--disable-pip-version-check", "-r", o.requirementsFile], { timeout: 900000 });
  let pip = install();
  d = diagnoseVenv(o.venv, pins, bins);
  if (d.state === "broken" && !rebuilt) {
    const err = rebuild();
    if (err) return fail(`${d.why} after pip install; ${err}`);
    done += ", then rebuilt";
    reason += `${reason ? "; " : ""}after pip install it was broken: ${d.why}`;
    pip = install();
    d = diagnoseVenv(o.venv, pins, bins);
  }
  if (d.state !== "ok") {
    return fail(`${name} ${done}, but ${d.why} after pip install -r ${req}` +
      (pip.ok ? "" : `: pip could not install it (is its index reachable? ${lastLine(pip.out)})`));
  }
  return ok(`${name} ${done} with ${pinned}${reason ? `; ${reason}` : ""}`);
}
