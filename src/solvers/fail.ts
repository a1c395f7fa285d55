// The one form of a bad-input error: the argument, its value, and what is allowed.
const shown = (v: unknown) => (typeof v === "number" || typeof v === "string" ? String(v) : JSON.stringify(v));

export function fail(arg: string, value: unknown, allowed: string): never {
  throw new Error(`${arg} = ${shown(value)} is not allowed: ${allowed}`);
}
