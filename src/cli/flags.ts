// The flag handling the nfde commands share: `--flag value` or `--flag=value`, numbers by kind, and errors
// that name the flag, the value and what is allowed.

export type NumberKind = "int" | "count" | "pos" | "rate" | "beta" | "nonneg";

const ALLOWED: Record<NumberKind, string> = {
  int: "a positive integer", count: "an integer >= 0", pos: "a positive number", rate: "a rate in [0, 1)", beta: "a number in (0, 1]",
  nonneg: "a number >= 0",
};

export function bad(arg: string, value: string, allowed: string): Error {
  return new Error(`${arg} is ${JSON.stringify(value)}; allowed: ${allowed}`);
}

/** `--flag=value` as [flag, value]; anything else as [arg, undefined]. */
export function splitFlag(arg: string): [string, string | undefined] {
  const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
  return eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
}

export function parseNumber(arg: string, raw: string | undefined, kind: NumberKind): number {
  if (raw === undefined) throw new Error(`${arg} needs a value; allowed: ${ALLOWED[kind]}`);
  const v = raw.trim() === "" ? NaN : Number(raw);
  const ok = kind === "int" ? Number.isInteger(v) && v > 0 : kind === "count" ? Number.isInteger(v) && v >= 0
    : kind === "pos" ? v > 0 && Number.isFinite(v) : kind === "rate" ? v >= 0 && v < 1 : kind === "beta" ? v > 0 && v <= 1
    : v >= 0 && Number.isFinite(v);
  if (!ok) throw bad(arg, raw, ALLOWED[kind]);
  return v;
}

/** A command's entry: --help prints the usage (0); arguments it cannot parse print the error and the usage (2). */
export async function runParsed<A>(argv: string[], name: string, usage: string, parse: (argv: string[]) => A, run: (args: A) => Promise<unknown>): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(usage);
    return 0;
  }
  let args: A;
  try {
    args = parse(argv);
  } catch (e) {
    console.error(`${name}: ${(e as Error).message}\n${usage}`);
    return 2;
  }
  await run(args);
  return 0;
}
