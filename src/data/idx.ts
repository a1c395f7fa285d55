// The IDX format of the MNIST files (LeCun, Cortes, Burges, "The MNIST database of handwritten digits"):
// a big-endian header — two zero bytes, a type byte (0x08: unsigned bytes), the number of dimensions —, one
// 32-bit size per dimension, then the values in row-major order. Gzipped files are recognised by their magic.
import * as fs from "node:fs";
import * as zlib from "node:zlib";

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** Parses an IDX file of unsigned bytes with `rank` dimensions; every defect is an Error naming `file`. */
export function parseIdx(bytes: Uint8Array, rank: number, file: string): IdxArray {
  let raw = bytes;
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      raw = zlib.gunzipSync(raw);
    } catch (e) {
      throw new Error(`${file}: not a valid gzip stream (${(e as Error).message}); delete it so that it is read or downloaded again`);
    }
  }
  const fail = (what: string) => new Error(`${file}: ${what}; expected an IDX file of unsigned bytes with ${rank} dimensions`);
  if (raw.length < 4 + 4 * rank) throw fail(`${raw.length} bytes, shorter than its header (${4 + 4 * rank} bytes)`);
  if (raw[0] !== 0 || raw[1] !== 0) throw fail(`magic starts with ${raw[0]}, ${raw[1]}, not 0, 0`);
  if (raw[2] !== 0x08) throw fail(`type byte 0x${raw[2].toString(16)}, not 0x08 (unsigned byte)`);
  if (raw[3] !== rank) throw fail(`${raw[3]} dimensions`);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false));
  const size = dims.reduce((a, b) => a * b, 1);
  const offset = 4 + 4 * rank;
  if (raw.length - offset !== size) {
    throw fail(`dimensions ${dims.join(" × ")} = ${size} values but ${raw.length - offset} bytes after the header (truncated or corrupted)`);
  }
  return { dims, data: raw.subarray(offset) };
}

export function readIdx(file: string, rank: number): IdxArray {
  return parseIdx(new Uint8Array(fs.readFileSync(file)), rank, file);
}
