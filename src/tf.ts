// The tfjs namespace users get as `tf` (a value and a namespace of types: `tf.Tensor` works in
// annotations). Importing ./backend first selects and initialises the backend; tfjs-node and the
// fallbacks all run on this one @tensorflow/tfjs engine.
import "./backend";
export * from "@tensorflow/tfjs";
