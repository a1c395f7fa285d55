// The one tfjs engine of the package. Every module takes `tf` from here, never from a tfjs package.
// Order: tfjs-node ("tensorflow", native) when it loads, else wasm, else the pure-JS cpu backend.
// NFDE_BACKEND=tensorflow|wasm|cpu forces one. A fallback is announced once on stderr.
import * as path from "node:path";

export type TF = typeof import("@tensorflow/tfjs");
export type BackendName = "tensorflow" | "wasm" | "cpu";

export interface BackendInfo {
  name: BackendName;
  native: boolean;
  forced: boolean;
  reason: string;
  tfjsVersion: string;
  intraOpThreads: string;
}

const ALLOWED: BackendName[] = ["tensorflow", "wasm", "cpu"];

if (process.env.TF_CPP_MIN_LOG_LEVEL === undefined) process.env.TF_CPP_MIN_LOG_LEVEL = "2";
// TensorFlow reads its thread counts once, when it starts: set them before tfjs-node is required.
// NFDE_INTRAOP_THREADS overrides the measured default (see README, "Threads").
const DEFAULT_INTRAOP = "1";
if (process.env.NFDE_INTRAOP_THREADS) process.env.TF_NUM_INTRAOP_THREADS = process.env.NFDE_INTRAOP_THREADS;
if (process.env.TF_NUM_INTRAOP_THREADS === undefined) process.env.TF_NUM_INTRAOP_THREADS = DEFAULT_INTRAOP;

function loadBackend(): { tf: TF; info: BackendInfo; ready: Promise<void> } {
  const forcedRaw = process.env.NFDE_BACKEND;
  if (forcedRaw !== undefined && forcedRaw !== "" && !ALLOWED.includes(forcedRaw as BackendName)) {
    throw new Error(`NFDE_BACKEND is "${forcedRaw}"; allowed: ${ALLOWED.join(", ")} (or unset to choose automatically)`);
  }
  const forced = (forcedRaw || undefined) as BackendName | undefined;
  const notes: string[] = [];
  const make = (tf: TF, name: BackendName, reason: string, ready: Promise<void>) => ({
    tf, ready,
    info: {
      name, native: name === "tensorflow", forced: forced !== undefined, reason,
      tfjsVersion: tf.version_core, intraOpThreads: process.env.TF_NUM_INTRAOP_THREADS ?? "default",
    },
  });

  if (forced === undefined || forced === "tensorflow") {
    try {
      const tf = require("@tensorflow/tfjs-node") as TF;
      require("./backend-tensorflow-kernels").registerTensorflowKernels(tf);
      return make(tf, "tensorflow", forced ? "forced by NFDE_BACKEND" : "tfjs-node loaded (native TensorFlow)", Promise.resolve());
    } catch (e) {
      const msg = (e as Error).message.split("\n")[0];
      if (forced) throw new Error(`NFDE_BACKEND=tensorflow but @tensorflow/tfjs-node does not load: ${msg}. Run npm run setup.`);
      notes.push(`tfjs-node does not load (${msg})`);
    }
  }
  const tf = require("@tensorflow/tfjs") as TF;
  if (forced === undefined || forced === "wasm") {
    try {
      const wasm = require("@tensorflow/tfjs-backend-wasm");
      wasm.setWasmPaths(path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm")) + path.sep);
      require("./backend-wasm-kernels").registerWasmKernels(tf);
      const ready = tf.setBackend("wasm").then((ok: boolean) => {
        if (!ok) throw new Error("the wasm backend failed to initialise");
      });
      const reason = forced ? "forced by NFDE_BACKEND" : `fallback: ${notes.join("; ")}`;
      if (!forced) console.warn(`[neural-fde] using the wasm backend (${reason}). Run npm run setup for the native one.`);
      return make(tf, "wasm", reason, ready);
    } catch (e) {
      if (forced) throw new Error(`NFDE_BACKEND=wasm but the wasm backend does not load: ${(e as Error).message}`);
      notes.push(`wasm does not load (${(e as Error).message.split("\n")[0]})`);
    }
  }
  const ready = tf.setBackend("cpu").then(() => undefined);
  const reason = forced ? "forced by NFDE_BACKEND" : `fallback: ${notes.join("; ")}`;
  if (!forced) console.warn(`[neural-fde] using the slow pure-JS cpu backend (${reason}).`);
  return make(tf, "cpu", reason, ready);
}

const loaded = loadBackend();

/** The tfjs namespace every module of neural-fde runs on. */
export const tf: TF = loaded.tf;

/** Which backend runs, whether it is native, and why it was chosen. */
export function backendInfo(): BackendInfo {
  return { ...loaded.info };
}

/** Resolves when the backend is initialised (immediately for tfjs-node; wasm initialises asynchronously). */
export function ready(): Promise<void> {
  return loaded.ready;
}
