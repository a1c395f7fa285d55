// The layer rule (docs/design.md §4, .dependency-cruiser.cjs): imports point down, never up or sideways.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const root = path.resolve(__dirname, "..");
const CRUISE = path.join(root, "node_modules", "dependency-cruiser", "bin", "dependency-cruise.mjs");
const CONFIG = path.join(root, ".dependency-cruiser.cjs");

function cruise(cwd: string) {
  const r = spawnSync(process.execPath, [CRUISE, "--config", CONFIG, "--output-type", "err", "src"], { cwd, encoding: "utf8", timeout: 300000 });
  return { status: r.status, out: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

test("src/: every import points down a layer (dependency-cruiser)", () => {
  const r = cruise(root);
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /no dependency violations found/);
});

test("the rule catches an import that runs up, one that runs sideways, and a cycle", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nfde-layers-"));
  try {
    const write = (file: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), text);
    };
    fs.copyFileSync(path.join(root, "tsconfig.json"), path.join(dir, "tsconfig.json"));
    write("src/backend.ts", "export const tf = 1;\n");
    write("src/models/field.ts", "import { tf } from \"../backend\";\nexport const field = tf;\n");
    write("src/solvers/loop.ts", "import { field } from \"../models/field\";\nexport const loop = field;\n");   // up
    write("src/plot/figure.ts", "import { field } from \"../models/field\";\nexport const figure = field;\n"); // sideways
    write("src/graph/a.ts", "import { b } from \"./b\";\nexport const a = 1 + b;\n");
    write("src/graph/b.ts", "import { a } from \"./a\";\nexport const b = a;\n");                         // cycle
    const r = cruise(dir);
    assert.notEqual(r.status, 0, r.out);
    assert.match(r.out, /layer-solvers[^\n]*src\/solvers\/loop\.ts → src\/models\/field\.ts/, r.out);
    assert.match(r.out, /layer-plot[^\n]*src\/plot\/figure\.ts → src\/models\/field\.ts/, r.out);
    assert.match(r.out, /no-circular/, r.out);
    assert.doesNotMatch(r.out, /src\/models\/field\.ts → src\/backend\.ts/, "a downward import was flagged");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
