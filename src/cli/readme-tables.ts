// The README's measured figures, rendered from the committed result files results/*.jsonl.
// What the README's marked sections show: src/cli/results/sections.ts; the result-line format: src/cli/results/format.ts.
// `npm run readme:figures` checks; `npm run readme:figures -- --write` rewrites. In full:
//   node node_modules/tsx/dist/cli.mjs src/cli/readme-tables.ts            check README.md against the files
//   node node_modules/tsx/dist/cli.mjs src/cli/readme-tables.ts --write    rewrite the marked sections of README.md
//   node node_modules/tsx/dist/cli.mjs src/cli/readme-tables.ts --record results/FILE.jsonl -- train cora --seeds 10 --json
//       runs `node dist/cli/main.js train cora --seeds 10 --json` and replaces that command's lines in FILE
//       (--from OUT.jsonl --started ISO [--ended ISO] [--load A,B] [--nice N] records output captured earlier)
import * as fs from "node:fs";
import * as path from "node:path";
import { readResults, ROOT } from "./results/format";
import { record } from "./results/record";
import { applySections, figureProblems, renderSections } from "./results/sections";

export const README = path.join(ROOT, "README.md");

export async function main(argv: string[]): Promise<number> {
  if (argv.includes("--record")) return record(argv);
  const lines = readResults();
  const readme = fs.readFileSync(README, "utf8");
  const rendered = applySections(readme, renderSections(lines));
  if (argv.includes("--write")) {
    if (rendered !== readme) fs.writeFileSync(README, rendered);
    console.log(rendered === readme ? "README.md: figures up to date" : "README.md: figures rewritten from results/*.jsonl");
  } else if (rendered !== readme) {
    console.error("README.md: the marked sections differ from what results/*.jsonl renders; run with --write");
    return 1;
  }
  const problems = figureProblems(rendered, lines);
  if (problems.length) {
    console.error(`README.md: figures not in results/*.jsonl:\n  ${problems.join("\n  ")}`);
    return 1;
  }
  if (!argv.includes("--write")) console.log("README.md: figures match results/*.jsonl");
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then((c) => { process.exitCode = c; }, (e) => { console.error(`readme-tables: ${(e as Error).message}`); process.exitCode = 1; });
}
