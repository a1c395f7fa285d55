// The zip reader on archives the test writes byte by byte (local headers, central directory, End Of Central
// Directory record, as in PKWARE's APPNOTE 4.3), stored and deflated, then damaged one way at a time.
import { test, TestContext } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { crc32, extractZip, zipEntries } from "../src/data/unzip";

interface Spec {
  name: string;
  data: Buffer;
  /** 0 stored, 8 deflated (the bytes are then deflated here); another number is written as is, data stored. */
  method?: number;
  flags?: number;
  /** Overrides of what the central directory declares. */
  crc?: number;
  size?: number;
}

function u16(v: number): Buffer { const b = Buffer.alloc(2); b.writeUInt16LE(v); return b; }
function u32(v: number): Buffer { const b = Buffer.alloc(4); b.writeUInt32LE(v >>> 0); return b; }

/** A zip archive of `specs`; zip64 adds a ZIP64 end record and locator and saturates the end record's fields. */
function buildZip(specs: Spec[], opts: { zip64?: boolean; comment?: string } = {}): Buffer {
  const local: Buffer[] = [], central: Buffer[] = [];
  let offset = 0;
  for (const s of specs) {
    const method = s.method ?? 8;
    const body = method === 8 ? zlib.deflateRawSync(s.data) : s.data;
    const name = Buffer.from(s.name);
    const crc = s.crc ?? zlib.crc32(s.data);
    const size = s.size ?? s.data.length;
    const common = [u16(s.flags ?? 0), u16(method), u16(0), u16(0x21), u32(crc), u32(body.length), u32(size), u16(name.length)];
    const header = Buffer.concat([u32(0x04034b50), u16(20), ...common, u16(0), name]);
    central.push(Buffer.concat([u32(0x02014b50), u16(20), u16(20), ...common, u16(0), u16(0), u16(0), u16(0), u32(0), u32(offset), name]));
    local.push(header, body);
    offset += header.length + body.length;
  }
  const cd = Buffer.concat(central);
  const comment = Buffer.from(opts.comment ?? "");
  const tail: Buffer[] = [];
  if (opts.zip64) {
    const record = Buffer.concat([u32(0x06064b50), u32(44), u32(0), u32(0), u16(45), u16(45), u32(0), u32(0),
      u32(specs.length), u32(0), u32(specs.length), u32(0), u32(cd.length), u32(0), u32(offset), u32(0)]);
    tail.push(record, Buffer.concat([u32(0x07064b50), u32(0), u32(offset + cd.length), u32(0), u32(1)]));
  }
  const count = opts.zip64 ? 0xffff : specs.length;
  const eocd = Buffer.concat([u32(0x06054b50), u16(0), u16(0), u16(count), u16(count), u32(cd.length),
    u32(opts.zip64 ? 0xffffffff : offset), u16(comment.length), comment]);
  return Buffer.concat([...local, cd, ...tail, eocd]);
}

function tempDir(t: TestContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nfde-unzip-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function writeZip(t: TestContext, specs: Spec[], opts?: { zip64?: boolean; comment?: string }): { dir: string; zip: string } {
  const dir = tempDir(t);
  const zip = path.join(dir, "archive.zip");
  fs.writeFileSync(zip, buildZip(specs, opts));
  return { dir, zip };
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/** Every file under dir, relative, sorted. */
function filesUnder(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((d) => d.isFile()).map((d) => path.relative(dir, path.join(d.parentPath ?? d.path, d.name))).sort();
}

const TEXT = Buffer.from("0,1\n1,2\n2,0\n".repeat(200));
const RANDOM = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919 + 13) % 251));
// 3 MB of little-compressible bytes: the inflate and the checks run over many chunks.
const LARGE = Buffer.from(Array.from({ length: 3 << 20 }, (_, i) => ((i * 2654435761) >>> 13) & 0xff));

test("crc32: the check value of APPNOTE's CRC-32, and agreement with zlib over chunks", () => {
  assert.equal(crc32(Buffer.from("123456789")), 0xcbf43926);
  assert.equal(crc32(Buffer.alloc(0)), 0);
  assert.equal(crc32(LARGE), zlib.crc32(LARGE));
  assert.equal(crc32(LARGE.subarray(1000), crc32(LARGE.subarray(0, 1000))), zlib.crc32(LARGE));
});

test("zipEntries: names, methods, sizes, CRC-32 and offsets from the central directory (with a comment)", (t) => {
  const { zip } = writeZip(t, [
    { name: "tiny/", data: Buffer.alloc(0), method: 0 },
    { name: "tiny/raw/edge.csv", data: TEXT },
    { name: "tiny/raw/blob.bin", data: RANDOM, method: 0 },
  ], { comment: "made by the test" });
  const entries = zipEntries(zip);
  assert.deepEqual(entries.map((e) => [e.name, e.method, e.size]), [["tiny/", 0, 0], ["tiny/raw/edge.csv", 8, TEXT.length], ["tiny/raw/blob.bin", 0, RANDOM.length]]);
  assert.equal(entries[1].compressedSize, zlib.deflateRawSync(TEXT).length);
  assert.ok(entries[1].compressedSize < TEXT.length);
  assert.equal(entries[2].compressedSize, RANDOM.length);
  assert.equal(entries[1].crc32, zlib.crc32(TEXT));
  assert.equal(entries[0].localHeaderOffset, 0);
  assert.ok(entries[2].localHeaderOffset > entries[1].localHeaderOffset);
});

test("extractZip: stored and deflated entries byte-exact; folders and unpicked entries skipped; no .part files", async (t) => {
  const { dir, zip } = writeZip(t, [
    { name: "tiny/", data: Buffer.alloc(0), method: 0 },
    { name: "tiny/raw/edge.csv", data: TEXT },
    { name: "tiny/raw/blob.bin", data: RANDOM, method: 0 },
    { name: "tiny/raw/large.bin", data: LARGE },
    { name: "tiny/raw/empty.txt", data: Buffer.alloc(0), method: 0 },
    { name: "tiny/mapping/skip.csv", data: TEXT },
  ]);
  const out = path.join(dir, "out");
  const offered: string[] = [];
  const written = await extractZip(zip, {
    pick: (name) => { offered.push(name); return name.startsWith("tiny/raw/") ? path.join(out, name.slice("tiny/".length)) : null; },
  });
  assert.deepEqual(offered, ["tiny/raw/edge.csv", "tiny/raw/blob.bin", "tiny/raw/large.bin", "tiny/raw/empty.txt", "tiny/mapping/skip.csv"]);
  assert.deepEqual(written, ["edge.csv", "blob.bin", "large.bin", "empty.txt"].map((f) => path.join(out, "raw", f)));
  assert.deepEqual(fs.readFileSync(path.join(out, "raw", "edge.csv")), TEXT);
  assert.deepEqual(fs.readFileSync(path.join(out, "raw", "blob.bin")), RANDOM);
  assert.ok(fs.readFileSync(path.join(out, "raw", "large.bin")).equals(LARGE));
  assert.equal(fs.statSync(path.join(out, "raw", "empty.txt")).size, 0);
  assert.deepEqual(filesUnder(out), ["raw/blob.bin", "raw/edge.csv", "raw/empty.txt", "raw/large.bin"]);
});

/** Asserts that extractZip(zip) rejects matching `re`, and that it left no file and no new folder in `dir`. */
async function rejectsCleanly(dir: string, zip: string, re: RegExp): Promise<void> {
  const before = fs.readdirSync(dir).sort();
  await assert.rejects(extractZip(zip, { pick: (name) => path.join(dir, "out", name) }), re);
  assert.deepEqual(fs.readdirSync(dir).sort(), before);
}

test("extractZip: a wrong CRC-32 or size names the archive and the entry; nothing written stays", async (t) => {
  const { dir, zip } = writeZip(t, [{ name: "tiny/raw/ok.csv", data: TEXT }, { name: "tiny/raw/edge.csv", data: TEXT, crc: zlib.crc32(TEXT) ^ 1 }]);
  const head = `^Error: zip ${escape(zip)}: entry "tiny/raw/edge\\.csv": `;
  await rejectsCleanly(dir, zip, new RegExp(`${head}CRC-32 of the unpacked bytes is 0x[0-9a-f]{8}; its central directory entry declares 0x[0-9a-f]{8} \\(APPNOTE 4\\.4\\.7\\): corrupted`));
  const short = writeZip(t, [{ name: "a.bin", data: RANDOM, method: 0, size: RANDOM.length - 1 }]);
  await rejectsCleanly(short.dir, short.zip, new RegExp(`zip ${escape(short.zip)}: entry "a\\.bin": holds more than the ${RANDOM.length - 1} bytes`));
  const long = writeZip(t, [{ name: "a.csv", data: TEXT, size: TEXT.length + 5 }]);
  await rejectsCleanly(long.dir, long.zip, new RegExp(`entry "a\\.csv": unpacks to ${TEXT.length} bytes; its central directory entry declares ${TEXT.length + 5}: truncated or corrupted`));
});

test("extractZip: damaged deflate data names the archive and the entry; an existing folder stays", async (t) => {
  const { dir, zip } = writeZip(t, [{ name: "raw/large.bin", data: LARGE }]);
  const bytes = fs.readFileSync(zip);
  const at = zipEntries(zip)[0].localHeaderOffset + 30 + "raw/large.bin".length;
  bytes.fill(0xff, at + 1000, at + 1100);
  fs.writeFileSync(zip, bytes);
  fs.mkdirSync(path.join(dir, "out"));
  await rejectsCleanly(dir, zip, new RegExp(`zip ${escape(zip)}: entry "raw/large\\.bin": (its deflate data is invalid \\(.*\\): truncated or corrupted|CRC-32)`));
  assert.deepEqual(fs.readdirSync(path.join(dir, "out")), []);
});

test("zipEntries: a truncated archive (cut in the middle) or a file that is no zip", (t) => {
  const { dir, zip } = writeZip(t, [{ name: "tiny/raw/edge.csv", data: TEXT }, { name: "tiny/raw/blob.bin", data: RANDOM, method: 0 }]);
  const bytes = fs.readFileSync(zip);
  fs.writeFileSync(zip, bytes.subarray(0, Math.floor(bytes.length / 2)));
  assert.throws(() => zipEntries(zip), new RegExp(`^Error: zip ${escape(zip)}: no End Of Central Directory record \\(APPNOTE 4\\.3\\.16\\) in its last \\d+ bytes: not a zip archive, or truncated`));
  const tiny = path.join(dir, "tiny.zip");
  fs.writeFileSync(tiny, "PK");
  assert.throws(() => zipEntries(tiny), new RegExp(`zip ${escape(tiny)}: 2 bytes, too short for a zip archive`));
  // the end record intact, the entries' data cut away: the central directory points past the file's start
  const cut = path.join(dir, "cut.zip");
  fs.writeFileSync(cut, bytes.subarray(bytes.length - 200));
  assert.throws(() => zipEntries(cut), new RegExp(`zip ${escape(cut)}: its central directory \\(\\d+ bytes at offset \\d+\\) runs past the End Of Central Directory record`));
});

test("zipEntries / extractZip: names with .. or absolute paths are refused, naming the archive and the entry", async (t) => {
  for (const name of ["../evil", "tiny/raw/../../evil", "/etc/evil", "C:/evil", "tiny\\..\\evil"]) {
    const { dir, zip } = writeZip(t, [{ name: "tiny/raw/ok.csv", data: TEXT }, { name, data: TEXT }]);
    const re = new RegExp(`^Error: zip ${escape(zip)}: entry "${escape(name)}": its name is an absolute path or holds "\\.\\." or "\\\\"; allowed: relative paths`);
    assert.throws(() => zipEntries(zip), re);
    await rejectsCleanly(dir, zip, re);
  }
});

test("ZIP64, encrypted entries and methods other than stored and deflated are refused with the entry named", async (t) => {
  const z64 = writeZip(t, [{ name: "a.csv", data: TEXT }], { zip64: true });
  assert.throws(() => zipEntries(z64.zip), new RegExp(`^Error: zip ${escape(z64.zip)}: a ZIP64 archive \\(APPNOTE 4\\.3\\.14`));
  const big = writeZip(t, [{ name: "huge.bin", data: RANDOM, method: 0, size: 0xffffffff }]);
  assert.throws(() => zipEntries(big.zip), new RegExp(`zip ${escape(big.zip)}: entry "huge\\.bin": its sizes or offset are in a ZIP64 extra field`));
  const bzip2 = writeZip(t, [{ name: "tiny/raw/ok.csv", data: TEXT }, { name: "tiny/raw/edge.csv", data: TEXT, method: 12 }]);
  assert.equal(zipEntries(bzip2.zip)[1].method, 12);
  await rejectsCleanly(bzip2.dir, bzip2.zip, new RegExp(`^Error: zip ${escape(bzip2.zip)}: entry "tiny/raw/edge\\.csv": compression method 12; supported: 0 \\(stored\\) and 8 \\(deflated\\)`));
  const skipped = await extractZip(bzip2.zip, { pick: (name) => (name.endsWith("ok.csv") ? path.join(bzip2.dir, "ok.csv") : null) });
  assert.deepEqual(skipped, [path.join(bzip2.dir, "ok.csv")]);
  const secret = writeZip(t, [{ name: "secret.csv", data: TEXT, flags: 1 }]);
  await rejectsCleanly(secret.dir, secret.zip, new RegExp(`zip ${escape(secret.zip)}: entry "secret\\.csv": encrypted \\(APPNOTE 4\\.4\\.4 bit 0\\); not supported`));
});
