// The one options type of a solve, its option names, and the check that every name given is known.
import type { Tensor } from "@tensorflow/tfjs";
import { nearest } from "../util/nearest";
import { fail } from "./fail";
import type { AdjointOptions, FdeOptions } from "./types";

/**
 * How the gradient of a solve is computed (docs/design.md §3): 'direct' autodiff through the solver's ops;
 * 'adjoint', the exact discrete adjoint (a reverse sweep, no tape of f); 'continuous-adjoint', the paper's
 * backward FDE (biased for β < 1, no gradient for β).
 */
export type Gradient = "direct" | "adjoint" | "continuous-adjoint";
export const GRADIENTS: readonly Gradient[] = ["direct", "adjoint", "continuous-adjoint"];

/** Everything a solve takes: fdeint's options and the gradient strategy with the tensors it needs. */
export interface SolverOptions extends FdeOptions {
  /** Default 'direct'. */
  gradient?: Gradient;
  /**
   * Every tensor f reads that needs a gradient (tf.Variables, and tensors made from them outside f):
   * required (possibly []) with an adjoint, not read by 'direct'.
   */
  params?: Tensor[];
}

// `satisfies` and the Missing check below keep the name lists and the types in step.
type Missing<T, Names extends readonly string[]> = Exclude<keyof T, Names[number]>;

export const FDE_OPTION_NAMES = ["beta", "tEnd", "stepSize", "method", "memory", "times", "correctorSteps", "history", "tolerance", "checkpoints"] as const satisfies
  readonly (keyof FdeOptions)[];
export const SOLVER_OPTION_NAMES = [...FDE_OPTION_NAMES, "gradient", "params"] as const satisfies readonly (keyof SolverOptions)[];
export const ADJOINT_OPTION_NAMES = [...FDE_OPTION_NAMES, "params", "adjoint"] as const satisfies readonly (keyof AdjointOptions)[];

const allListed: [Missing<FdeOptions, typeof FDE_OPTION_NAMES>, Missing<SolverOptions, typeof SOLVER_OPTION_NAMES>,
  Missing<AdjointOptions, typeof ADJOINT_OPTION_NAMES>] extends [never, never, never] ? true : false = true;
void allListed;

/** The functions that take solver options, each with its names and where the names it lacks belong. */
type Entry = "fdeint" | "fdeintAdjoint" | "solveFde";

const KNOWN: Record<Entry, readonly string[]> = {
  fdeint: FDE_OPTION_NAMES,
  fdeintAdjoint: ADJOINT_OPTION_NAMES,
  solveFde: SOLVER_OPTION_NAMES,
};

const ELSEWHERE: Record<Entry, Record<string, string>> = {
  fdeint: {
    params: "belongs to fdeintAdjoint (or solveFde with a gradient other than 'direct'): fdeint's gradients come from autodiff and need no params",
    adjoint: "belongs to fdeintAdjoint: fdeint's gradients come from autodiff",
    gradient: "belongs to solveFde: fdeint always differentiates by autodiff (gradient 'direct')",
  },
  fdeintAdjoint: {
    gradient: "belongs to solveFde: fdeintAdjoint chooses its adjoint with adjoint: 'discrete' | 'continuous'",
  },
  solveFde: {
    adjoint: "belongs to fdeintAdjoint: solveFde chooses with gradient: 'direct' | 'adjoint' | 'continuous-adjoint'",
  },
};

/** Throws unless opts is an object whose every name `entry` knows; an unknown name gets the nearest known one. */
export function checkOptionNames(entry: Entry, opts: unknown): asserts opts is object {
  if (opts === null || typeof opts !== "object") fail("options", opts, "an object { beta, tEnd, stepSize, ... }");
  const known = KNOWN[entry];
  for (const name of Object.keys(opts)) {
    if (known.includes(name)) continue;
    const elsewhere = ELSEWHERE[entry][name];
    if (elsewhere) throw new Error(`${entry}: option "${name}" ${elsewhere}`);
    throw new Error(`${entry}: unknown option "${name}"; did you mean "${nearest(name, known)}"? (known: ${known.join(", ")})`);
  }
}
