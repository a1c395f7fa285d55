import { tf } from "../backend";

/** True while tfjs records a tape for gradients (inside tf.grad, tf.variableGrads, minimize; not in a kernel). */
export function tapeIsOn(): boolean {
  const state = (tf.engine() as unknown as { state: { gradientDepth: number; kernelDepth: number } }).state;
  return state.gradientDepth > 0 && state.kernelDepth === 0;
}

/** Runs fn without recording to the tape (for checks that must not hold tensors for backprop). */
export function untaped<T>(fn: () => T): T {
  const state = (tf.engine() as unknown as { state: { kernelDepth: number } }).state;
  state.kernelDepth++;
  try {
    return fn();
  } finally {
    state.kernelDepth--;
  }
}
