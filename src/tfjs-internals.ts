// Every use of tfjs private state, in one place: the tape state, nested gradients, registered variables,
// scopes, a typed customGrad, and the native binding of tfjs-node. test/tfjs-internals.test.ts checks
// (with tfjsInternalsProblems) that each field relied on here exists, so a tfjs upgrade fails there first.
import { tf } from "./backend";
import type { Tensor, Variable } from "@tensorflow/tfjs";

const state = () => tf.engine().state;

/** True while tfjs records a tape for gradients (inside tf.grad, tf.variableGrads, minimize; not in a kernel). */
export function tapeIsOn(): boolean {
  const s = state();
  return s.gradientDepth > 0 && s.kernelDepth === 0;
}

/** Runs fn without recording to the tape (for checks that must not hold tensors for backprop). */
export function untaped<T>(fn: () => T): T {
  const s = state();
  s.kernelDepth++;
  try {
    return fn();
  } finally {
    s.kernelDepth--;
  }
}

/**
 * f's value and its vector-Jacobian products with respect to xs (undefined where f does not depend on x),
 * callable inside a backward pass: a nested gradient call leaves the engine's active tape null, and the
 * outer backward pass needs it back.
 */
export function nestedGradients(f: () => Tensor, xs: Tensor[], cotangent: Tensor): { value: Tensor; grads: (Tensor | undefined)[] } {
  const s = state();
  const tape = s.activeTape;
  try {
    return tf.engine().gradients(f, xs, cotangent, true);
  } finally {
    s.activeTape = tape;
  }
}

/** Every trainable tf.Variable registered in the engine. */
export function trainableVariables(): Variable[] {
  return Object.values(state().registeredVariables).filter((v) => v.trainable);
}

/** The name tfjs gives the scope of the forward pass of tf.grad, tf.variableGrads and minimize. */
const FORWARD_SCOPE = "forward";

/**
 * The tensors among `tensors` that the forward pass of the current gradient computation will dispose when it
 * ends: made inside it (in its scope or one nested in it), not tf.keep-ed, not variables. [] outside a
 * gradient computation.
 */
export function forwardScopeTensors(tensors: Tensor[]): Tensor[] {
  const stack = state().scopeStack;
  let forward = stack.length - 1;
  while (forward >= 0 && stack[forward].name !== FORWARD_SCOPE) forward--;
  if (forward < 0) return [];
  const inForward = new Set(stack.slice(forward).map((s) => s.id));
  return [...new Set(tensors)].filter((t) => !(t instanceof tf.Variable) && !t.kept && t.scopeId !== undefined && inForward.has(t.scopeId));
}

/** What the function given to customOp returns: the op's value and the gradients of its inputs from dy. */
export interface CustomOpResult<T extends Tensor> {
  value: T;
  /** One gradient per input, in order; `saved` holds what the forward call passed to `save`. */
  gradFunc: (dy: T, saved: Tensor[]) => Tensor[];
}

/**
 * tf.customGrad with the inputs as one array and `save` as its own argument (tfjs types the function it
 * takes as variadic over tensors and the save callback mixed, which no TypeScript function matches).
 */
export function customOp<T extends Tensor>(
  fn: (inputs: Tensor[], save: (saved: Tensor[]) => void) => CustomOpResult<T>,
): (...inputs: Tensor[]) => T {
  type Forward = Parameters<typeof tf.customGrad>[0];
  const forward = (...args: unknown[]) => {
    const save = args.pop() as (saved: Tensor[]) => void;
    return fn(args as Tensor[], save);
  };
  return tf.customGrad(forward as unknown as Forward) as unknown as (...inputs: Tensor[]) => T;
}

/** TensorFlow C API constants on tfjs-node's binding: attribute kinds and dtypes (and more). */
export interface NativeConstants {
  TF_ATTR_TYPE: number;
  TF_ATTR_INT: number;
  TF_ATTR_BOOL: number;
  TF_FLOAT: number;
  TF_INT32: number;
  TF_INT64: number;
  [name: string]: number;
}

/** An attribute of a native op: { name, type: a TF_ATTR_* constant, value }. */
export interface NativeAttr {
  name: string;
  type: number;
  value: unknown;
}

/** The tfjs-node backend's way to run any TensorFlow op by name. */
export interface NativeBackend {
  binding: NativeConstants;
  executeSingleOutput(name: string, attrs: NativeAttr[], inputs: Tensor[]): Tensor;
}

const NATIVE_CONSTANTS = ["TF_ATTR_TYPE", "TF_ATTR_INT", "TF_ATTR_BOOL", "TF_FLOAT", "TF_INT32", "TF_INT64"] as const;

/** The native binding when the backend is tfjs-node ("tensorflow"), else null. */
export function nativeBinding(): NativeBackend | null {
  if (tf.getBackend() !== "tensorflow") return null;
  const b = tf.backend() as unknown as Partial<NativeBackend>;
  return typeof b.executeSingleOutput === "function" && b.binding ? (b as NativeBackend) : null;
}

/** The TensorFlow version tfjs-node runs on (its binding's TF_Version), or undefined on other backends. */
export function tensorflowVersion(): string | undefined {
  if (tf.getBackend() !== "tensorflow") return undefined;
  const v = (tf.backend() as unknown as { binding?: { TF_Version?: unknown } }).binding?.TF_Version;
  return typeof v === "string" ? v : undefined;
}

/** A dtype attribute of a native op (tfType: one of binding.TF_FLOAT, TF_INT32, ...). */
export function typeAttr(native: NativeBackend, name: string, tfType: number): NativeAttr {
  return { name, type: native.binding.TF_ATTR_TYPE, value: tfType };
}

/** An integer attribute of a native op. */
export function intAttr(native: NativeBackend, name: string, value: number): NativeAttr {
  return { name, type: native.binding.TF_ATTR_INT, value };
}

/** A boolean attribute of a native op. */
export function boolAttr(native: NativeBackend, name: string, value: boolean): NativeAttr {
  return { name, type: native.binding.TF_ATTR_BOOL, value };
}

/**
 * Every private field this module relies on, checked on the running engine: one line per field that is
 * missing or of another type (empty when all is well).
 */
export function tfjsInternalsProblems(): string[] {
  const problems: string[] = [];
  const expect = (field: string, ok: boolean, found: unknown) => {
    if (!ok) problems.push(`tfjs ${tf.version_core}: ${field} is ${shown(found)}; src/tfjs-internals.ts relies on it`);
  };
  const e = tf.engine() as unknown as Record<string, unknown>;
  const s = (e.state ?? {}) as unknown as Record<string, unknown>;
  expect("engine().state (an object)", typeof e.state === "object" && e.state !== null, e.state);
  expect("engine().state.gradientDepth (a number)", typeof s.gradientDepth === "number", s.gradientDepth);
  expect("engine().state.kernelDepth (a number)", typeof s.kernelDepth === "number", s.kernelDepth);
  expect("engine().state.activeTape (undefined, null or an array)",
    s.activeTape === undefined || s.activeTape === null || Array.isArray(s.activeTape), s.activeTape);
  expect("engine().state.registeredVariables (an object)", typeof s.registeredVariables === "object" && s.registeredVariables !== null,
    s.registeredVariables);
  expect("engine().state.scopeStack (an array)", Array.isArray(s.scopeStack), s.scopeStack);
  expect("engine().gradients (a function)", typeof e.gradients === "function", e.gradients);
  if (problems.length > 0) return problems;

  tf.tidy("tfjsInternalsCheck", () => {
    const top = state().scopeStack[state().scopeStack.length - 1] as unknown as Record<string, unknown> | undefined;
    expect("engine().state.scopeStack[i].name (a string)", typeof top?.name === "string", top?.name);
    expect("engine().state.scopeStack[i].id (a number)", typeof top?.id === "number", top?.id);
    const t = tf.scalar(1);
    expect("tensor.scopeId (a number for a tensor made in tf.tidy)", typeof t.scopeId === "number", t.scopeId);
    const kept = tf.keep(tf.scalar(2));
    expect("tensor.kept (true after tf.keep)", kept.kept === true, kept.kept);
    kept.dispose();
  });
  const x = tf.scalar(3);
  let names: string[] = [];
  let taped = false;
  const { value, grads } = nestedGradients(() => {
    names = state().scopeStack.map((scope) => scope.name);
    taped = tapeIsOn();
    return tf.mul(x, x);
  }, [x], tf.scalar(1));
  expect(`engine().state.scopeStack (a scope named "${FORWARD_SCOPE}" inside engine().gradients)`, names.includes(FORWARD_SCOPE), names);
  expect("gradientDepth > 0 and kernelDepth = 0 inside engine().gradients", taped, taped);
  tf.dispose([value, ...grads.filter((g): g is Tensor => g !== undefined), x]);
  let kernelDepth = 0;
  const one = tf.scalar(1);
  const copy = customOp((inputs) => {
    kernelDepth = state().kernelDepth;
    return { value: tf.clone(inputs[0]), gradFunc: (dy) => [dy] };
  })(one);
  tf.dispose([one, copy]);
  expect("engine().state.kernelDepth (> 0 inside a customGrad forward function)", kernelDepth > 0, kernelDepth);

  if (tf.getBackend() === "tensorflow") {
    const b = tf.backend() as unknown as Record<string, unknown>;
    const binding = (b.binding ?? {}) as Record<string, unknown>;
    expect("backend().binding (tfjs-node, an object)", typeof b.binding === "object" && b.binding !== null, b.binding);
    expect("backend().executeSingleOutput (tfjs-node, a function)", typeof b.executeSingleOutput === "function", b.executeSingleOutput);
    for (const name of NATIVE_CONSTANTS) expect(`backend().binding.${name} (a number)`, typeof binding[name] === "number", binding[name]);
    expect("backend().binding.TF_Version (a string)", typeof binding.TF_Version === "string", binding.TF_Version);
  }
  return problems;
}

function shown(v: unknown): string {
  if (v === undefined || v === null) return String(v);
  if (Array.isArray(v)) return `an array [${v.slice(0, 8).map((x) => JSON.stringify(x)).join(", ")}${v.length > 8 ? ", ..." : ""}]`;
  return `${typeof v} ${typeof v === "object" || typeof v === "function" ? "" : JSON.stringify(v)}`.trim();
}
