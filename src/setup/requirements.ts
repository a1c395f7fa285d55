// The pinned requirements file of the Jupyter venv: one `name==version` per line, # comments.
import * as fs from "node:fs";
import * as path from "node:path";

export interface Pin {
  name: string;
  version: string;
  /** The module `import` loads (the name lower-cased, - and . as _). */
  module: string;
}

/** Relative to the package root. */
export const REQUIREMENTS_FILE = path.join("src", "setup", "jupyter-requirements.txt");

/** Every line must pin one package with `==`; anything else throws naming the file, the line and the fix. */
export function parseRequirements(text: string, file = REQUIREMENTS_FILE): Pin[] {
  const pins: Pin[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.replace(/#.*/, "").trim();
    if (line === "") return;
    const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*([0-9][A-Za-z0-9.+!-]*)$/.exec(line);
    if (!m) throw new Error(`${file}:${i + 1}: "${line}" is not an exact pin: write name==version`);
    const name = m[1];
    if (pins.some((p) => p.name.toLowerCase() === name.toLowerCase())) throw new Error(`${file}:${i + 1}: ${name} is pinned twice`);
    pins.push({ name, version: m[2], module: name.toLowerCase().replace(/[-.]/g, "_") });
  });
  if (pins.length === 0) throw new Error(`${file} pins no package`);
  return pins;
}

export function readRequirements(file: string): Pin[] {
  return parseRequirements(fs.readFileSync(file, "utf8"), file);
}
