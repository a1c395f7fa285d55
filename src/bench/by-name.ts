// Configurations picked by name: an exact name, or a prefix naming a family ("B3" for B3-N10 … B3-N320).

/** The configurations named (each exactly, else as the prefix of "<name>-…"), in order, without repeats. */
export function selectByName<T extends { name: string }>(all: readonly T[], names: string[], what: string, families: string[]): T[] {
  const out: T[] = [];
  for (const name of names) {
    const exact = all.filter((c) => c.name === name);
    const hits = exact.length > 0 ? exact : all.filter((c) => c.name.startsWith(`${name}-`));
    if (hits.length === 0) {
      throw new Error(`configs: "${name}" matches no ${what}; allowed: ${[...all.map((c) => c.name), ...families].join(", ")}`);
    }
    hits.forEach((c) => { if (!out.includes(c)) out.push(c); });
  }
  return out;
}

/** A configuration by its exact name, or the object itself (notebooks and tests pass their own small ones). */
export function resolveByName<T extends { name: string }>(all: readonly T[], config: T | string): T {
  if (typeof config !== "string") return config;
  const c = all.find((x) => x.name === config);
  if (!c) throw new Error(`config is "${config}"; allowed: ${all.map((x) => x.name).join(", ")}`);
  return c;
}
