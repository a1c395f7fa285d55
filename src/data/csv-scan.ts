// Byte-level scanning of large CSV files (plain or gzipped): a read position with a hand-written number
// parser (Cursor), the interface of a consumer of whole lines (LineSink) and two readers that feed a sink
// piece by piece, synchronously or as a stream. What a line means, and its Errors, belong to the sink.
import * as fs from "node:fs";
import * as zlib from "node:zlib";
import { pipeline } from "node:stream/promises";

const NL = 10, CR = 13, PLUS = 43, MINUS = 45, DOT = 46, ZERO = 48;
export const COMMA = 44;
export const MAX_INT32 = 2147483647;
// Powers of ten that are exact doubles: m · 10^k and m / 10^k are then correctly rounded for m < 2^53.
const POW10 = Float64Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));
const MAX_DIGITS = 19;

/** A string in double quotes, at most 40 characters, bytes outside printable ASCII as \xNN. */
function quote(s: string): string {
  const t = s.length > 40 ? `${s.slice(0, 40)}...` : s;
  return `"${t.replace(/[^\x20-\x7e]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, "0")}`)}"`;
}

/** A read position in a buffer of whole lines (the last one may lack its newline), and the parsers of one field. */
export class Cursor {
  buf: Buffer = Buffer.alloc(0);
  pos = 0;
  end = 0;
  /** 1-based number of the line at pos, counted across chunks. */
  line = 1;
  lineStart = 0;
  fieldStart = 0;

  constructor(readonly file: string) {}

  load(buf: Buffer, end: number): void {
    this.buf = buf;
    this.pos = 0;
    this.end = end;
    this.lineStart = 0;
  }

  atLineEnd(): boolean {
    const p = this.pos;
    return p >= this.end || this.buf[p] === NL || (this.buf[p] === CR && (p + 1 >= this.end || this.buf[p + 1] === NL));
  }

  /** Steps over "\n", "\r\n" or the end of the buffer; false when something else follows. */
  endLine(): boolean {
    if (!this.atLineEnd()) return false;
    if (this.pos < this.end && this.buf[this.pos] === CR) this.pos++;
    if (this.pos < this.end) this.pos++;
    this.line++;
    this.lineStart = this.pos;
    return true;
  }

  comma(): boolean {
    if (this.pos < this.end && this.buf[this.pos] === COMMA) { this.pos++; return true; }
    return false;
  }

  /** Steps to the next line without parsing it. */
  skipLine(): void {
    const nl = this.buf.indexOf(NL, this.pos);
    this.pos = nl < 0 || nl >= this.end ? this.end : nl + 1;
    this.line++;
    this.lineStart = this.pos;
  }

  /** Digits only, as a number (> MAX_INT32 when too long); -1 when the field does not start with a digit. */
  natural(): number {
    const b = this.buf, end = this.end;
    let p = (this.fieldStart = this.pos);
    let v = 0;
    while (p < end) {
      const d = b[p] - ZERO;
      if (d < 0 || d > 9) break;
      if (v <= MAX_INT32) v = v * 10 + d;
      p++;
    }
    if (p === this.fieldStart) return -1;
    this.pos = p;
    return v;
  }

  /** A decimal number: [+-] digits [. digits] [(e|E) [+-] digits]; NaN (position unchanged) when there is none. */
  number(): number {
    const b = this.buf, end = this.end;
    const start = (this.fieldStart = this.pos);
    let p = start;
    const negative = p < end && b[p] === MINUS;
    if (p < end && (b[p] === MINUS || b[p] === PLUS)) p++;
    let mantissa = 0, significant = 0, scale = 0, digits = 0;
    for (; p < end; p++, digits++) {
      const d = b[p] - ZERO;
      if (d < 0 || d > 9) break;
      if (significant < MAX_DIGITS) { mantissa = mantissa * 10 + d; if (mantissa !== 0) significant++; } else scale++;
    }
    if (p < end && b[p] === DOT) {
      for (p++; p < end; p++, digits++) {
        const d = b[p] - ZERO;
        if (d < 0 || d > 9) break;
        if (significant < MAX_DIGITS) { mantissa = mantissa * 10 + d; if (mantissa !== 0) significant++; scale--; }
      }
    }
    if (digits === 0) return NaN;
    if (p < end && (b[p] === 101 || b[p] === 69)) { // e, E
      p++;
      const expNegative = p < end && b[p] === MINUS;
      if (p < end && (b[p] === MINUS || b[p] === PLUS)) p++;
      let e = 0, expDigits = 0;
      for (; p < end; p++, expDigits++) {
        const d = b[p] - ZERO;
        if (d < 0 || d > 9) break;
        if (e < 100000) e = e * 10 + d;
      }
      if (expDigits === 0) return NaN;
      scale += expNegative ? -e : e;
    }
    this.pos = p;
    let v: number;
    if (scale === 0) v = mantissa;
    else if (scale > 0 && scale <= 22) v = mantissa * POW10[scale];
    else if (scale < 0 && scale >= -22) v = mantissa / POW10[-scale];
    else return Number(b.toString("latin1", start, p)); // rare: the library parser rounds huge exponents correctly
    return negative ? -v : v;
  }

  /** The text of the field that started at fieldStart, for messages. */
  field(): string {
    let p = this.fieldStart;
    while (p < this.end && this.buf[p] !== COMMA && this.buf[p] !== NL && this.buf[p] !== CR) p++;
    return quote(this.buf.toString("latin1", this.fieldStart, p));
  }

  /** How many comma-separated fields the current line holds. */
  fieldsInLine(): number {
    let count = 1;
    for (let p = this.lineStart; p < this.end && this.buf[p] !== NL; p++) if (this.buf[p] === COMMA) count++;
    return count;
  }
}

/** Consumes whole lines: lines(c) parses from c.pos to c.end, called once per piece of the file; throws on a defect. */
export interface LineSink {
  lines(c: Cursor): void;
}

/** How a reader words a gzip failure: the Error for a file, and the advice after each kind of failure. */
export interface GzipMessages {
  error(file: string, what: string): Error;
  /** What to do when a decompressed file exceeds one Buffer (readLinesSync only). */
  tooLarge: string;
  /** What to do when the gzip stream is truncated or corrupted. */
  corrupted: string;
}

const CHUNK_BYTES = 1 << 24;

function gzipError(file: string, e: unknown, say: GzipMessages): Error {
  const err = e as Error & { code?: string };
  if (err instanceof RangeError || err.code === "ERR_BUFFER_TOO_LARGE") {
    return say.error(file, `decompressed, it is larger than one Buffer can hold (${err.message}); ${say.tooLarge}`);
  }
  return say.error(file, `not a valid gzip stream (${err.message}: truncated or corrupted); ${say.corrupted}`);
}

function isZlibError(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  return typeof code === "string" && code.startsWith("Z_");
}

/** Reads `file` synchronously: plain files in 16 MB pieces cut at line ends, gzipped ones (.gz) decompressed whole. */
export function readLinesSync(file: string, sink: LineSink, say: GzipMessages): void {
  const c = new Cursor(file);
  const feed = (buf: Buffer, end: number) => { c.load(buf, end); sink.lines(c); };
  if (file.endsWith(".gz")) {
    let raw: Buffer;
    try {
      raw = zlib.gunzipSync(fs.readFileSync(file));
    } catch (e) {
      throw gzipError(file, e, say);
    }
    feed(raw, raw.length);
    return;
  }
  const fd = fs.openSync(file, "r");
  try {
    let buf = Buffer.allocUnsafe(CHUNK_BYTES);
    let kept = 0;
    for (;;) {
      const got = fs.readSync(fd, buf, kept, buf.length - kept, null);
      const total = kept + got;
      if (got === 0) { if (total > 0) feed(buf, total); return; }
      const last = buf.lastIndexOf(NL, total - 1);
      if (last < 0) {
        if (total === buf.length) { const grown = Buffer.allocUnsafe(buf.length * 2); buf.copy(grown, 0, 0, total); buf = grown; }
        kept = total;
        continue;
      }
      feed(buf, last + 1);
      kept = total - last - 1;
      buf.copyWithin(0, last + 1, total);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads `file` as a stream (gzipped ones through a streaming gunzip): no size limit. */
export async function readLinesStreaming(file: string, sink: LineSink, say: GzipMessages): Promise<void> {
  const c = new Cursor(file);
  // The sink's own Error is kept: through a gunzip, pipeline() rejects with an AbortError instead of it.
  let sinkError: { e: unknown } | null = null;
  const feed = (buf: Buffer, end: number) => {
    c.load(buf, end);
    try { sink.lines(c); } catch (e) { sinkError = { e }; throw e; }
  };
  let kept: Buffer | null = null;
  const consume = async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) {
      const b: Buffer = kept ? Buffer.concat([kept, chunk]) : chunk;
      const last = b.lastIndexOf(NL);
      if (last < 0) { kept = b; continue; }
      feed(b, last + 1);
      kept = last + 1 < b.length ? Buffer.from(b.subarray(last + 1)) : null;
    }
    if (kept) feed(kept, kept.length);
  };
  const input = fs.createReadStream(file, { highWaterMark: CHUNK_BYTES });
  try {
    if (file.endsWith(".gz")) await pipeline(input, zlib.createGunzip({ chunkSize: 1 << 20 }), consume);
    else await pipeline(input, consume);
  } catch (e) {
    if (sinkError) throw (sinkError as { e: unknown }).e;
    if (isZlibError(e)) throw gzipError(file, e, say);
    throw e;
  }
}
