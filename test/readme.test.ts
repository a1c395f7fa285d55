// The README's API example runs as written (through the package name, as a user's script would).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const root = path.resolve(__dirname, "..");

test("README: the ten-line API example runs and prints E_β(-1)", () => {
  const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
  const block = /```ts\n([\s\S]*?)```/.exec(readme);
  assert.ok(block, "README.md has a ```ts example");
  const code = block[1].replace(/from "neural-fde"/g, `from ${JSON.stringify(path.join(root, "src", "index"))}`);
  assert.ok(code.split("\n").filter((l) => l.trim()).length <= 12, "the example stays about ten lines");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nfde-readme-"));
  const file = path.join(dir, "example.ts");
  fs.writeFileSync(file, code);
  // it type-checks as a user's strict TypeScript (tslab checks cells too), then runs
  const tsc = spawnSync(process.execPath, [path.join(root, "node_modules", "typescript", "bin", "tsc"), "--noEmit", "--strict",
    "--esModuleInterop", "--skipLibCheck", "--module", "commonjs", "--moduleResolution", "node", "--target", "es2020",
    "--types", "node", "--typeRoots", path.join(root, "node_modules", "@types"), file], { encoding: "utf8", cwd: root });
  const r = spawnSync(process.execPath, [path.join(root, "node_modules", "tsx", "dist", "cli.mjs"), file], { encoding: "utf8", cwd: root });
  fs.rmSync(dir, { recursive: true, force: true });
  assert.equal(tsc.status, 0, `the example does not type-check:\n${tsc.stdout}${tsc.stderr}`);
  assert.equal(r.status, 0, r.stderr);
  const printed = Number(r.stdout.trim().split("\n").pop());
  assert.ok(Math.abs(printed - 0.386949) < 1e-5, `printed ${r.stdout}`); // E_0.8(-1) = 0.3869486...
});
