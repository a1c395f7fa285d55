// A reader of zip archives (PKWARE, APPNOTE.TXT version 6.3.10; the section numbers below are its own) for
// the entries a data set needs: stored or deflated, streamed to disk, size and CRC-32 checked. Not supported,
// each an Error naming the archive (and the entry): ZIP64, archives split over several disks, encryption,
// other compression methods, entry names that would leave the output folder.
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { Readable, Transform, TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";

/** One file of the archive as its central directory describes it. */
export interface ZipEntry {
  /** The path inside the archive, "/"-separated; folders end in "/". */
  name: string;
  /** 0: stored, 8: deflated (others are listed but not extracted). */
  method: number;
  /** The general purpose bit flag (4.4.4); bit 0: encrypted. */
  flags: number;
  compressedSize: number;
  /** Uncompressed size in bytes. */
  size: number;
  crc32: number;
  /** Where the entry's local file header starts. */
  localHeaderOffset: number;
}

export interface ExtractOptions {
  /** The output path of the file entry `name`, or null to skip it. Folder entries are never offered. */
  pick(name: string): string | null;
}

const EOCD_SIGNATURE = 0x06054b50; // 4.3.16
const EOCD_BYTES = 22;
const MAX_COMMENT = 0xffff;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50; // 4.3.15
const ZIP64_LOCATOR_BYTES = 20;
const CENTRAL_SIGNATURE = 0x02014b50; // 4.3.12
const CENTRAL_BYTES = 46;
const LOCAL_SIGNATURE = 0x04034b50; // 4.3.7
const LOCAL_BYTES = 30;
const STORED = 0, DEFLATED = 8; // 4.4.5
const ENCRYPTED = 0x1, STRONG_ENCRYPTION = 0x40, UTF8_NAME = 0x800; // 4.4.4 bits 0, 6, 11
const SATURATED_32 = 0xffffffff, SATURATED_16 = 0xffff; // 4.4.1.4: "use the ZIP64 record"

function zipError(file: string, what: string): Error {
  return new Error(`zip ${file}: ${what}`);
}

function entryError(file: string, name: string, what: string): Error {
  return zipError(file, `entry "${name}": ${what}`);
}

function readAt(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const n = fs.readSync(fd, buf, got, length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got === length ? buf : buf.subarray(0, got);
}

// 4.4.7: the CRC-32 of ISO 3309 / ITU-T V.42, reflected polynomial 0xEDB88320, initial and final value ~0.
const CRC_TABLE = Int32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});

/** The CRC-32 of `data`, continuing from `crc` (the CRC-32 of the bytes before it; 0 at the start). */
export function crc32(data: Uint8Array, crc = 0): number {
  let c = ~crc;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/** The End Of Central Directory record: the last 22 bytes of the file, unless a comment (up to 64 KiB) follows. */
function findEndRecord(file: string, fd: number, fileSize: number): { at: number; record: Buffer } {
  if (fileSize < EOCD_BYTES) throw zipError(file, `${fileSize} bytes, too short for a zip archive (its End Of Central Directory record alone takes ${EOCD_BYTES})`);
  const tailStart = Math.max(0, fileSize - EOCD_BYTES - MAX_COMMENT);
  const tail = readAt(fd, tailStart, fileSize - tailStart);
  for (let p = tail.length - EOCD_BYTES; p >= 0; p--) {
    if (tail.readUInt32LE(p) === EOCD_SIGNATURE && p + EOCD_BYTES + tail.readUInt16LE(p + 20) === tail.length) {
      return { at: tailStart + p, record: tail.subarray(p, p + EOCD_BYTES) };
    }
  }
  throw zipError(file, `no End Of Central Directory record (APPNOTE 4.3.16) in its last ${tail.length} bytes: not a zip archive, or truncated`);
}

/** Letters, digits and punctuation; anything else as \xNN, so that a name in a message is readable. */
function printable(name: string): string {
  return name.replace(/[^\x20-\x7e]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

// 4.4.17.1: a relative path with forward slashes, no drive letter, no leading slash; ".." would leave the folder.
function checkName(file: string, name: string): void {
  const unsafe = name.includes("\\") || name.startsWith("/") || /^[A-Za-z]:/.test(name) || name.includes("\0") ||
    name.split("/").includes("..");
  if (unsafe) {
    throw entryError(file, printable(name), 'its name is an absolute path or holds ".." or "\\"; allowed: relative paths with "/", without ".." (APPNOTE 4.4.17)');
  }
}

interface Directory { entries: ZipEntry[]; centralOffset: number }

function readDirectory(file: string): Directory {
  const fd = fs.openSync(file, "r");
  try {
    const fileSize = fs.fstatSync(fd).size;
    const end = findEndRecord(file, fd, fileSize);
    const r = end.record;
    const [disk, centralDisk, entriesHere, count] = [4, 6, 8, 10].map((o) => r.readUInt16LE(o));
    const centralSize = r.readUInt32LE(12), centralOffset = r.readUInt32LE(16);
    const locatorAt = end.at - ZIP64_LOCATOR_BYTES;
    const hasLocator = locatorAt >= 0 && readAt(fd, locatorAt, 4).readUInt32LE(0) === ZIP64_LOCATOR_SIGNATURE;
    if (hasLocator || count === SATURATED_16 || centralSize === SATURATED_32 || centralOffset === SATURATED_32) {
      throw zipError(file, "a ZIP64 archive (APPNOTE 4.3.14: over 65535 entries or 4 GiB); not supported: unpack it with another tool");
    }
    if (disk !== 0 || centralDisk !== 0 || entriesHere !== count) {
      throw zipError(file, `split over several disks (disk ${disk}, central directory on disk ${centralDisk}); not supported: join the parts first`);
    }
    if (centralOffset + centralSize > end.at) {
      throw zipError(file, `its central directory (${centralSize} bytes at offset ${centralOffset}) runs past the End Of Central Directory record at ${end.at}: truncated or corrupted`);
    }
    const cd = readAt(fd, centralOffset, centralSize);
    const entries: ZipEntry[] = [];
    let p = 0;
    for (let i = 0; i < count; i++) {
      if (p + CENTRAL_BYTES > cd.length || cd.readUInt32LE(p) !== CENTRAL_SIGNATURE) {
        throw zipError(file, `central directory entry ${i + 1} of ${count} (offset ${centralOffset + p}) has no file header signature (APPNOTE 4.3.12): corrupted`);
      }
      const flags = cd.readUInt16LE(p + 8);
      const nameLength = cd.readUInt16LE(p + 28), extraLength = cd.readUInt16LE(p + 30), commentLength = cd.readUInt16LE(p + 32);
      const next = p + CENTRAL_BYTES + nameLength + extraLength + commentLength;
      if (next > cd.length) throw zipError(file, `central directory entry ${i + 1} of ${count} runs past the directory's ${centralSize} bytes: corrupted`);
      const name = cd.toString(flags & UTF8_NAME ? "utf8" : "latin1", p + CENTRAL_BYTES, p + CENTRAL_BYTES + nameLength);
      const entry: ZipEntry = {
        name, method: cd.readUInt16LE(p + 10), flags, crc32: cd.readUInt32LE(p + 16),
        compressedSize: cd.readUInt32LE(p + 20), size: cd.readUInt32LE(p + 24), localHeaderOffset: cd.readUInt32LE(p + 42),
      };
      checkName(file, name);
      if (entry.compressedSize === SATURATED_32 || entry.size === SATURATED_32 || entry.localHeaderOffset === SATURATED_32) {
        throw entryError(file, printable(name), "its sizes or offset are in a ZIP64 extra field (APPNOTE 4.5.3: an entry of 4 GiB or more); not supported");
      }
      if (entry.localHeaderOffset + LOCAL_BYTES > centralOffset) {
        throw entryError(file, printable(name), `its local header offset ${entry.localHeaderOffset} lies beyond the entries' data (the central directory starts at ${centralOffset}): corrupted`);
      }
      entries.push(entry);
      p = next;
    }
    if (p !== cd.length) throw zipError(file, `its central directory holds ${cd.length} bytes, but its ${count} entries take ${p}: corrupted`);
    return { entries, centralOffset };
  } finally {
    fs.closeSync(fd);
  }
}

/** The entries of the zip archive `file`, from its central directory; throws on what extractZip cannot read. */
export function zipEntries(file: string): ZipEntry[] {
  return readDirectory(file).entries;
}

function checkExtractable(file: string, e: ZipEntry): void {
  const name = printable(e.name);
  if (e.flags & (ENCRYPTED | STRONG_ENCRYPTION)) throw entryError(file, name, "encrypted (APPNOTE 4.4.4 bit 0); not supported");
  if (e.method !== STORED && e.method !== DEFLATED) {
    throw entryError(file, name, `compression method ${e.method}; supported: 0 (stored) and 8 (deflated) (APPNOTE 4.4.5)`);
  }
}

/** Where the entry's data starts: after its local file header (4.3.7) and that header's own name and extra field. */
function dataOffset(file: string, fd: number, e: ZipEntry, centralOffset: number): number {
  const name = printable(e.name);
  const h = readAt(fd, e.localHeaderOffset, LOCAL_BYTES);
  if (h.length < LOCAL_BYTES || h.readUInt32LE(0) !== LOCAL_SIGNATURE) {
    throw entryError(file, name, `no local file header (APPNOTE 4.3.7) at offset ${e.localHeaderOffset}: corrupted`);
  }
  const nameLength = h.readUInt16LE(26), extraLength = h.readUInt16LE(28);
  const localName = readAt(fd, e.localHeaderOffset + LOCAL_BYTES, nameLength);
  if (!localName.equals(Buffer.from(e.name, e.flags & UTF8_NAME ? "utf8" : "latin1"))) {
    throw entryError(file, name, `its local header at offset ${e.localHeaderOffset} names ${JSON.stringify(printable(localName.toString("latin1")))}: corrupted`);
  }
  const start = e.localHeaderOffset + LOCAL_BYTES + nameLength + extraLength;
  if (start + e.compressedSize > centralOffset) {
    throw entryError(file, name, `its ${e.compressedSize} bytes of data at offset ${start} run into the central directory at ${centralOffset}: corrupted`);
  }
  return start;
}

/** Passes the bytes on, failing as soon as there are more than `size`, and at the end unless size and CRC-32 match. */
class SizeAndCrcCheck extends Transform {
  private bytes = 0;
  private crc = 0;
  constructor(private readonly file: string, private readonly entry: ZipEntry) { super(); }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.entry.size) return done(this.fail(`holds more than the ${this.entry.size} bytes its central directory entry declares: corrupted`));
    this.crc = crc32(chunk, this.crc);
    done(null, chunk);
  }
  override _flush(done: TransformCallback): void {
    const e = this.entry, hex = (v: number) => `0x${v.toString(16).padStart(8, "0")}`;
    if (this.bytes !== e.size) return done(this.fail(`unpacks to ${this.bytes} bytes; its central directory entry declares ${e.size}: truncated or corrupted`));
    if (this.crc !== e.crc32) return done(this.fail(`CRC-32 of the unpacked bytes is ${hex(this.crc)}; its central directory entry declares ${hex(e.crc32)} (APPNOTE 4.4.7): corrupted`));
    done();
  }
  private fail(what: string): Error {
    return entryError(this.file, printable(this.entry.name), what);
  }
}

async function extractEntry(file: string, e: ZipEntry, start: number, out: string): Promise<void> {
  const raw = e.compressedSize === 0 ? Readable.from([]) : fs.createReadStream(file, { start, end: start + e.compressedSize - 1 });
  const check = new SizeAndCrcCheck(file, e);
  const sink = fs.createWriteStream(out);
  try {
    if (e.method === DEFLATED) await pipeline(raw, zlib.createInflateRaw(), check, sink);
    else await pipeline(raw, check, sink);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === "string" && code.startsWith("Z_")) {
      throw entryError(file, printable(e.name), `its deflate data is invalid (${(err as Error).message}): truncated or corrupted`);
    }
    throw err;
  }
}

/** mkdir -p that returns the folders it created, deepest last. */
function makeDirs(dir: string): string[] {
  const created = fs.mkdirSync(dir, { recursive: true });
  if (created === undefined) return [];
  const first = path.resolve(created);
  const made: string[] = [];
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    made.unshift(d);
    if (d === first || path.dirname(d) === d) return made;
  }
}

/**
 * Unpacks the file entries of `file` that pick() maps to a path; returns the paths written. Each entry is
 * written to <path>.part and renamed once all are checked, so on any failure (thrown, naming the archive and
 * the entry) nothing it wrote stays: neither files nor the folders it created.
 */
export async function extractZip(file: string, opts: ExtractOptions): Promise<string[]> {
  const { entries, centralOffset } = readDirectory(file);
  const jobs: { entry: ZipEntry; out: string }[] = [];
  for (const entry of entries) {
    if (entry.name.endsWith("/")) continue;
    const out = opts.pick(entry.name);
    if (out === null) continue;
    checkExtractable(file, entry);
    jobs.push({ entry, out });
  }
  const parts: string[] = [], done: string[] = [], dirs: string[] = [];
  const fd = fs.openSync(file, "r");
  try {
    for (const { entry, out } of jobs) {
      const start = dataOffset(file, fd, entry, centralOffset);
      dirs.push(...makeDirs(path.dirname(out)));
      parts.push(out + ".part");
      await extractEntry(file, entry, start, out + ".part");
    }
    for (const { out } of jobs) { fs.renameSync(out + ".part", out); done.push(out); }
    return done;
  } catch (e) {
    for (const f of [...parts, ...done]) fs.rmSync(f, { force: true });
    for (const d of dirs.reverse()) try { fs.rmdirSync(d); } catch { /* not empty: it holds files of others */ }
    throw e;
  } finally {
    fs.closeSync(fd);
  }
}
