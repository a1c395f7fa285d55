#!/usr/bin/env node
// nfde: command line of neural-fde. Each command lives in its own module, loaded on demand.
const USAGE = `usage: nfde <command> [options]
  bench [--suite memory|scaling|all|graph-scale] [--json] [--plot FILE.html]   direct vs adjoint: memory and step time;
                                                                    graph-scale: full batch vs GraphSAINT mini-batches
  train <cora|citeseer> [--adjoint] [--seeds K] [--epochs E] [--json]   F-GRAND-l node classification
  train mnist [--adjoint] [--epochs E] [--beta B] [--tEnd T] [--stepSize H] [--json]   convolutional FDE digit classifier
  notebooks [--quick] [--json] [--only NAME]                        execute every notebook into out/`;

type Command = (args: string[]) => Promise<number>;
// Loaded by name at run time so that one command's dependencies never load for another.
const load = (file: string, name: string): Promise<Command> => import(file).then((m: Record<string, Command>) => m[name]);

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case "bench":
      return (await load("./bench", "runBench"))(args);
    case "train":
      return args[0] === "mnist" ? (await load("./train-mnist", "runTrainMnist"))(args.slice(1)) : (await load("./train", "runTrain"))(args);
    case "notebooks":
      return (await load("./notebooks", "runNotebooks"))(args);
    case undefined:
    case "help":
    case "--help":
    case "-h":
      console.log(USAGE);
      return command === undefined ? 1 : 0;
    default:
      console.error(`nfde: unknown command "${command}"; allowed: bench, train, notebooks\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(`nfde: ${err instanceof Error ? err.message : String(err)}`); process.exitCode = 1; },
);
