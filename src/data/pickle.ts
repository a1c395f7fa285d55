// A small Python pickle reader (protocols 0-2 binary opcodes, plus a few protocol 3/4 ones) with just
// enough object support for the raw Planetoid files: numpy arrays (numpy.core.multiarray._reconstruct +
// __setstate__), scipy.sparse CSR matrices, collections.defaultdict(list). Python 2 `str` is read with
// latin1 semantics: each byte becomes one char code 0..255 (so raw array bytes survive unchanged).

/** A numpy array read from a pickle: flat data in C order (or Fortran order when `fortran`). */
export interface NdArray {
  kind: "ndarray";
  dtype: string;
  shape: number[];
  fortran: boolean;
  data: Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array | BigInt64Array | BigUint64Array;
}

/** An instance of a whitelisted Python class, its constructor args and its __setstate__/BUILD state. */
export interface PyObject {
  kind: "object";
  className: string;
  args: unknown[];
  state: unknown;
}

/** collections.defaultdict: a Map plus the default factory's name. */
export interface DefaultDict {
  kind: "defaultdict";
  factory: string;
  map: Map<unknown, unknown>;
}

interface DType {
  kind: "dtype";
  name: string;
  littleEndian: boolean;
}

interface Global {
  kind: "global";
  name: string;
}

const MARK = Symbol("mark");

const KNOWN_GLOBALS = new Set([
  "numpy.core.multiarray _reconstruct",
  "numpy._core.multiarray _reconstruct",
  "numpy ndarray",
  "numpy dtype",
  "collections defaultdict",
  "__builtin__ list",
  "builtins list",
  "scipy.sparse.csr csr_matrix",
  "scipy.sparse._csr csr_matrix",
]);

/** A pickle that cannot be parsed: the message names the file and the byte offset where parsing failed. */
export class PickleError extends Error {
  constructor(readonly file: string, readonly offset: number, readonly reason: string) {
    super(`pickle ${file}: ${reason} (at byte ${offset})`);
    this.name = "PickleError";
  }
}

function fail(file: string, pos: number, what: string): never {
  throw new PickleError(file, pos, what);
}

function latin1ToBytes(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s, "latin1"));
}

function makeTypedArray(dtype: DType, raw: Uint8Array, count: number, file: string, pos: number): NdArray["data"] {
  const ctors: Record<string, { new (n: number): NdArray["data"]; BYTES_PER_ELEMENT: number }> = {
    i1: Int8Array, u1: Uint8Array, b1: Uint8Array, i2: Int16Array, u2: Uint16Array, i4: Int32Array,
    u4: Uint32Array, f4: Float32Array, f8: Float64Array, i8: BigInt64Array, u8: BigUint64Array,
  };
  const Ctor = ctors[dtype.name];
  if (!Ctor) fail(file, pos, `numpy dtype "${dtype.name}" is not supported; allowed: ${Object.keys(ctors).join(", ")}`);
  const size = Ctor.BYTES_PER_ELEMENT;
  if (raw.length !== count * size) {
    fail(file, pos, `array of ${count} x ${dtype.name} needs ${count * size} bytes, got ${raw.length}`);
  }
  const out = new Ctor(count);
  const bytes = new Uint8Array(out.buffer);
  bytes.set(raw);
  if (!dtype.littleEndian && size > 1) {
    for (let i = 0; i < bytes.length; i += size) bytes.subarray(i, i + size).reverse();
  }
  return out;
}

// ndarray.__setstate__((version, shape, dtype, is_fortran, rawdata))
function setNdarrayState(arr: NdArray, state: unknown, file: string, pos: number): void {
  if (!Array.isArray(state) || state.length < 5) fail(file, pos, "ndarray state is not a 5-tuple");
  const [, shape, dtype, fortran, raw] = state as [number, unknown, DType, boolean, unknown];
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    fail(file, pos, `ndarray shape is ${JSON.stringify(shape)}; expected a tuple of non-negative integers`);
  }
  if (!dtype || (dtype as DType).kind !== "dtype") fail(file, pos, "ndarray state has no dtype");
  if (typeof raw !== "string" && !(raw instanceof Uint8Array)) fail(file, pos, "ndarray data is a Python list (object arrays are not supported)");
  const bytes = typeof raw === "string" ? latin1ToBytes(raw) : raw;
  const count = shape.reduce((a, b) => a * b, 1);
  arr.dtype = dtype.name;
  arr.shape = shape.map(Number);
  arr.fortran = Boolean(fortran);
  arr.data = makeTypedArray(dtype, bytes, count, file, pos);
}

// dtype.__setstate__((version, byteorder, subarray, names, fields, elsize, alignment, flags))
function setDtypeState(dt: DType, state: unknown, file: string, pos: number): void {
  if (!Array.isArray(state) || state.length < 2) fail(file, pos, "dtype state is not a tuple");
  const order = state[1];
  if (order === ">") dt.littleEndian = false;
  else if (order === "<" || order === "|" || order === "=") dt.littleEndian = true;
  else fail(file, pos, `dtype byte order "${String(order)}" is not supported`);
}

function call(fn: unknown, args: unknown[], file: string, pos: number): unknown {
  if (!fn || (fn as Global).kind !== "global") fail(file, pos, "REDUCE/NEWOBJ on a value that is not a class");
  if (!Array.isArray(args)) fail(file, pos, "REDUCE/NEWOBJ arguments are not a tuple");
  const name = (fn as Global).name;
  switch (name) {
    case "numpy.core.multiarray _reconstruct":
    case "numpy._core.multiarray _reconstruct":
      return { kind: "ndarray", dtype: "", shape: [], fortran: false, data: new Uint8Array(0) } as NdArray;
    case "numpy dtype": {
      const spec = String(args[0]);
      return { kind: "dtype", name: spec, littleEndian: true } as DType;
    }
    case "collections defaultdict": {
      const f = args[0] as Global | undefined;
      return { kind: "defaultdict", factory: f ? f.name : "None", map: new Map() } as DefaultDict;
    }
    case "__builtin__ list":
    case "builtins list":
      return Array.isArray(args[0]) ? [...args[0]] : [];
    default:
      return { kind: "object", className: name, args, state: undefined } as PyObject;
  }
}

function build(obj: unknown, state: unknown, file: string, pos: number): void {
  const o = obj as { kind?: string };
  if (o && o.kind === "ndarray") setNdarrayState(obj as NdArray, state, file, pos);
  else if (o && o.kind === "dtype") setDtypeState(obj as DType, state, file, pos);
  else if (o && o.kind === "object") (obj as PyObject).state = state;
  else fail(file, pos, "BUILD on a value that has no __setstate__ here");
}

function setItem(target: unknown, key: unknown, value: unknown, file: string, pos: number): void {
  if (target instanceof Map) target.set(key, value);
  else if (target && (target as DefaultDict).kind === "defaultdict") (target as DefaultDict).map.set(key, value);
  else fail(file, pos, "SETITEM(S) on a value that is not a dict");
}

function appendTo(target: unknown, items: unknown[], file: string, pos: number): void {
  if (!Array.isArray(target)) fail(file, pos, "APPEND(S) on a value that is not a list");
  for (const v of items) target.push(v);
}

/**
 * Parse a pickle. Dicts become Map, tuples and lists become arrays, Python 2 str becomes a latin1 JS
 * string, bytes become Uint8Array. `file` only names the source in error messages. The buffer must hold
 * exactly one pickle: a truncated one, a missing STOP, bytes after STOP or a malformed opcode sequence
 * throw a PickleError naming the file and the byte offset.
 */
export function readPickle(buf: Uint8Array, file = "<buffer>"): unknown {
  const r = { at: 0 };
  try {
    return parse(buf, file, r);
  } catch (e) {
    if (e instanceof PickleError) throw e;
    return fail(file, r.at, `malformed pickle: ${(e as Error).message}`);
  }
}

function parse(buf: Uint8Array, file: string, r: { at: number }): unknown {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const stack: unknown[] = [];
  const memo = new Map<number, unknown>();
  let p = 0;

  const need = (n: number) => {
    if (n < 0) fail(file, p, `negative length ${n}`);
    if (p + n > buf.length) fail(file, p, `truncated: needs ${n} bytes, the file ends at byte ${buf.length}`);
  };
  const u8 = () => { need(1); return buf[p++]; };
  const u16 = () => { need(2); const v = view.getUint16(p, true); p += 2; return v; };
  const i32 = () => { need(4); const v = view.getInt32(p, true); p += 4; return v; };
  const u32 = () => { need(4); const v = view.getUint32(p, true); p += 4; return v; };
  const bytes = (n: number) => { need(n); const b = buf.subarray(p, p + n); p += n; return b; };
  const latin1 = (n: number) => Buffer.from(bytes(n)).toString("latin1");
  const utf8 = (n: number) => Buffer.from(bytes(n)).toString("utf8");
  const line = () => {
    const end = buf.indexOf(0x0a, p);
    if (end < 0) fail(file, p, "unterminated text argument");
    const s = Buffer.from(buf.subarray(p, end)).toString("latin1");
    p = end + 1;
    return s;
  };
  const popMark = (): unknown[] => {
    for (let i = stack.length - 1; i >= 0; i--) {
      if (stack[i] === MARK) {
        const items = stack.slice(i + 1);
        stack.length = i;
        return items;
      }
    }
    return fail(file, p, "no MARK on the stack");
  };
  const pop = () => { if (stack.length === 0) fail(file, p, "stack underflow"); return stack.pop(); };
  const top = () => { if (stack.length === 0) fail(file, p, "stack underflow"); return stack[stack.length - 1]; };
  const get = (k: number) => { if (!memo.has(k)) fail(file, p, `memo key ${k} missing`); return memo.get(k); };

  const stop = (at: number) => {
    const v = pop();
    if (v === MARK || stack.length > 0) fail(file, at, `STOP with ${stack.length + (v === MARK ? 1 : 0)} unused values on the stack`);
    if (p !== buf.length) fail(file, p, `${buf.length - p} bytes after the STOP opcode; expected the file to end there`);
    return v;
  };

  for (;;) {
    const at = p;
    r.at = at;
    if (p >= buf.length) fail(file, p, "the file ends without a STOP opcode (truncated?)");
    const op = u8();
    switch (op) {
      case 0x80: u8(); break; // PROTO
      case 0x95: bytes(8); break; // FRAME (protocol 4): the frame content follows inline
      case 0x2e: return stop(at); // STOP
      case 0x28: stack.push(MARK); break; // MARK
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: stack.push(u16()); break; // BININT2
      case 0x4a: stack.push(i32()); break; // BININT
      case 0x47: { need(8); stack.push(view.getFloat64(p, false)); p += 8; break; } // BINFLOAT (big-endian)
      case 0x8a: { // LONG1
        const n = u8();
        let v = 0n;
        const b = bytes(n);
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
        if (n > 0 && b[n - 1] & 0x80) v -= 1n << BigInt(8 * n);
        stack.push(v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
        break;
      }
      case 0x55: stack.push(latin1(u8())); break; // SHORT_BINSTRING
      case 0x54: stack.push(latin1(i32())); break; // BINSTRING
      case 0x43: stack.push(Uint8Array.from(bytes(u8()))); break; // SHORT_BINBYTES
      case 0x42: stack.push(Uint8Array.from(bytes(u32()))); break; // BINBYTES
      case 0x8c: stack.push(utf8(u8())); break; // SHORT_BINUNICODE
      case 0x58: stack.push(utf8(u32())); break; // BINUNICODE
      case 0x29: stack.push([]); break; // EMPTY_TUPLE
      case 0x85: stack.push([pop()]); break; // TUPLE1
      case 0x86: { const b = pop(); const a = pop(); stack.push([a, b]); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); const a = pop(); stack.push([a, b, c]); break; } // TUPLE3
      case 0x74: stack.push(popMark()); break; // TUPLE
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x6c: stack.push(popMark()); break; // LIST
      case 0x61: { const v = pop(); appendTo(top(), [v], file, at); break; } // APPEND
      case 0x65: { const items = popMark(); appendTo(top(), items, file, at); break; } // APPENDS
      case 0x7d: stack.push(new Map()); break; // EMPTY_DICT
      case 0x73: { const v = pop(); const k = pop(); setItem(top(), k, v, file, at); break; } // SETITEM
      case 0x75: { // SETITEMS
        const items = popMark();
        if (items.length % 2 !== 0) fail(file, at, `SETITEMS with ${items.length} values; expected key, value pairs`);
        for (let i = 0; i + 1 < items.length; i += 2) setItem(top(), items[i], items[i + 1], file, at);
        break;
      }
      case 0x71: memo.set(u8(), top()); break; // BINPUT
      case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x68: stack.push(get(u8())); break; // BINGET
      case 0x6a: stack.push(get(u32())); break; // LONG_BINGET
      case 0x63: { // GLOBAL
        const name = `${line()} ${line()}`;
        if (!KNOWN_GLOBALS.has(name)) fail(file, at, `global "${name}" is not supported; allowed: ${[...KNOWN_GLOBALS].join(", ")}`);
        stack.push({ kind: "global", name } as Global);
        break;
      }
      case 0x52: { const args = pop() as unknown[]; const fn = pop(); stack.push(call(fn, args, file, at)); break; } // REDUCE
      case 0x81: { const args = pop() as unknown[]; const cls = pop(); stack.push(call(cls, args, file, at)); break; } // NEWOBJ
      case 0x62: { const state = pop(); build(top(), state, file, at); break; } // BUILD
      default:
        fail(file, at, `opcode 0x${op.toString(16).padStart(2, "0")} ("${String.fromCharCode(op)}") is not supported`);
    }
  }
}

/** Look up a key of a pickled dict (a Map) or of an object's dict state. */
export function pyGet(obj: unknown, key: string): unknown {
  const m = obj instanceof Map ? obj : (obj as PyObject)?.state;
  if (!(m instanceof Map)) throw new Error(`pickle value has no dict to read "${key}" from`);
  return m.get(key);
}
