// The loop both suites run: every configuration × mode × thread count, one row after the other, and the
// options that choose and report those rows.

/** What both suites take to choose their rows and report them. */
export interface RowSelection<C, M, R> {
  configs?: (C | string)[];
  modes?: M[];
  /** Thread counts to measure each configuration under (default: the backend's default only). */
  threads?: (number | string)[];
  /** Run in this process instead of children (RSS peaks then are not clean). */
  inProcess?: boolean;
  /** Called after each row (progress, streaming --json). */
  onResult?: (r: R) => void;
}

/**
 * Runs `run` for each configuration, each of `modes` the configuration allows (c.modes, when it lists them) and
 * each thread count, threads innermost: on a shared machine the settings being compared run close together in time.
 */
export async function runRows<C extends { modes?: readonly M[] }, M, R>(
  configs: readonly C[], modes: readonly M[], threads: readonly (number | string)[] | undefined,
  run: (c: C, mode: M, threads: number | string | undefined) => Promise<R>, onResult?: (r: R) => void,
): Promise<R[]> {
  const results: R[] = [];
  for (const c of configs) {
    for (const mode of modes.filter((m) => !c.modes || c.modes.includes(m))) {
      for (const t of threads ?? [undefined]) {
        const r = await run(c, mode, t);
        results.push(r);
        onResult?.(r);
      }
    }
  }
  return results;
}
