// Entry of a benchmark child process: runs one (configuration, mode) and prints its result as one marked
// JSON line on stdout. argv[2] is a JSON { config, mode, opts } (config: a name or a full object), with
// graphScale: true for a graph-scale row.
import { runConfig } from "./harness";
import { runGraphScale } from "./graph-scale-harness";

import { RESULT_MARK } from "./protocol";

async function main(): Promise<void> {
  const arg = process.argv[2];
  if (!arg) throw new Error("bench child: argv[2] is missing; allowed: a JSON { config, mode, opts }");
  const req = JSON.parse(arg);
  const result = req.graphScale
    ? await runGraphScale(req.config, req.mode, req.opts ?? {})
    : await runConfig(req.config, req.mode, req.opts ?? {});
  process.stdout.write(RESULT_MARK + JSON.stringify(result) + "\n");
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`bench child: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
