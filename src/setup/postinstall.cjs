// npm's postinstall: runs src/setup/install.ts through tsx wherever npm put tsx (a project that installs
// neural-fde as a dependency hoists it out of this package), else the compiled dist/setup/install.js.
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..", "..");
const source = path.join(__dirname, "install.ts");
const built = path.join(root, "dist", "setup", "install.js");
let args;
try {
  if (fs.existsSync(source)) args = [require.resolve("tsx/cli", { paths: [root] }), source];
} catch {
  // no tsx: fall back to dist/
}
if (!args && fs.existsSync(built)) args = [built];
if (!args) {
  console.log("[nfde setup] summary         not run: neither tsx (a dependency of neural-fde) nor dist/setup/install.js was found; run npm install again");
  process.exit(0);
}
const r = spawnSync(process.execPath, args, { stdio: "inherit" });
process.exit(r.status ?? 1);
