// The solver settings a model takes nested as `solver`, and the checks of option names (the model's and
// the solver's) made when the model is built, so that a misspelt name fails there, not silently later.
import { tf } from "../backend";
import { SOLVER_OPTION_NAMES, type SolverOptions } from "../solvers/options";
import { makePlan } from "../solvers/plan";
import { nearest } from "../util/nearest";

/**
 * A model's solver settings: SolverOptions without the tensors (the model passes those its field reads)
 * and without the output times (the model chooses them: FGrandL.states, the Lotka–Volterra fit's data).
 */
export type ModelSolverOptions = Partial<Omit<SolverOptions, "params" | "times">>;

/** The solver settings every model fills in (its defaults, overridden by what was given). */
export type ResolvedSolverOptions = ModelSolverOptions & Required<Pick<SolverOptions, "tEnd" | "stepSize" | "method" | "gradient">> &
  Pick<SolverOptions, "beta">;

/** The names a model's `solver` may hold. */
const MODEL_SOLVER_OPTION_NAMES: readonly string[] = SOLVER_OPTION_NAMES.filter((n) => n !== "params" && n !== "times");

/** Names that moved: the old flat FGrandOptions `adjoint` is now `solver.gradient`. */
const RENAMED: Record<string, string> = { adjoint: "gradient" };

const SET_BY_EVERY_MODEL: Record<string, string> = {
  params: "is set by the model: it passes the tensors its field reads",
};

function unknownName(owner: string, shown: string, suggestion: string, known: readonly string[]): Error {
  return new Error(`${owner}: unknown option "${shown}"; did you mean "${suggestion}"? (known: ${known.join(", ")})`);
}

/**
 * Throws unless every name in opts is one of `known`. A solver option given at the top level (or a
 * misspelling nearer to one) is pointed to `solver.<name>`; `adjoint` to `solver.gradient`.
 */
export function checkModelOptionNames(owner: string, opts: object, known: readonly string[]): void {
  for (const name of Object.keys(opts)) {
    if (known.includes(name)) continue;
    if (Object.hasOwn(RENAMED, name)) throw unknownName(owner, name, `solver.${RENAMED[name]}`, known);
    const best = nearest(name, [...known, ...MODEL_SOLVER_OPTION_NAMES]);
    throw unknownName(owner, name, known.includes(best) ? best : `solver.${best}`, known);
  }
}

/**
 * The model's solver settings: `defaults` overridden by `given` (undefined entries ignored). Names are
 * checked here; `setBy` lists the names the model sets itself, each with the reason.
 */
export function resolveSolverOptions<D extends ModelSolverOptions>(owner: string, given: unknown, defaults: D,
  setBy: Record<string, string> = {}): D & ModelSolverOptions {
  if (given === undefined) return { ...defaults };
  if (given === null || typeof given !== "object" || Array.isArray(given)) {
    throw new Error(`${owner}: solver is ${JSON.stringify(given)}; allowed: an object { ${MODEL_SOLVER_OPTION_NAMES.join(", ")} }`);
  }
  const reserved = { ...SET_BY_EVERY_MODEL, ...setBy };
  const known = MODEL_SOLVER_OPTION_NAMES.filter((n) => !Object.hasOwn(reserved, n));
  const resolved: Record<string, unknown> = { ...defaults };
  for (const [name, value] of Object.entries(given)) {
    if (Object.hasOwn(reserved, name)) throw new Error(`${owner}: option "solver.${name}" ${reserved[name]}`);
    if (!known.includes(name)) {
      throw unknownName(owner, `solver.${name}`, `solver.${Object.hasOwn(RENAMED, name) ? RENAMED[name] : nearest(name, known)}`, known.map((n) => `solver.${n}`));
    }
    if (value !== undefined) resolved[name] = value;
  }
  return resolved as D & ModelSolverOptions;
}

/** The entries of `o` that are not undefined (so that spreading them over defaults keeps the defaults). */
export function definedEntries<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** resolveSolverOptions, then checkSolverValues, frozen: what a model keeps as its `options.solver`. */
export function modelSolver<D extends ResolvedSolverOptions>(owner: string, given: unknown, defaults: D,
  setBy: Record<string, string> = {}): Readonly<D & ModelSolverOptions> {
  const resolved = resolveSolverOptions(owner, given, defaults, setBy);
  checkSolverValues(owner, resolved);
  return Object.freeze(resolved);
}

/**
 * Checks the values of a solve's settings now, with the solver's own checks (a plan on a placeholder
 * state), so that a bad value fails when the model is built: "<owner>: solver.<the solver's message>".
 */
export function checkSolverValues(owner: string, opts: SolverOptions): void {
  try {
    tf.tidy(() => { makePlan({ ...opts, params: [] }, tf.zeros([1])); });
  } catch (e) {
    throw new Error(`${owner}: solver.${(e as Error).message}`);
  }
}
