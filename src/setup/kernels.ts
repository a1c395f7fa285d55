// The tslab kernels (TypeScript "tslab" and JavaScript "jslab") registered into the Jupyter venv.
import * as path from "node:path";
import { lastLine, run } from "./exec";
import { fail, ok, Outcome } from "./stages";

export function kernelsStage(venv: string, tslabBin: string): Outcome {
  const name = path.basename(venv);
  const r = run(tslabBin, ["install", "--sys-prefix", "--python", path.join(venv, "bin", "python"), "--binary", tslabBin]);
  if (!r.ok) return fail(`tslab install into ${name} failed: ${lastLine(r.out)}`);
  const list = run(path.join(venv, "bin", "jupyter"), ["kernelspec", "list"]);
  return /^\s*tslab\s/m.test(list.stdout)
    ? ok(`tslab (TypeScript) and jslab registered in ${name}`)
    : fail(`the tslab kernel is not listed by ${name}/bin/jupyter kernelspec list: ${lastLine(list.out)}`);
}
