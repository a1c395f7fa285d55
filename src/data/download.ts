import * as fs from "node:fs";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";

/** Writes <file>.part, then renames it, so an interrupted download never leaves a partial file in place. */
export async function download(url: string, file: string, timeoutMs: number): Promise<void> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const body = new Uint8Array(await res.arrayBuffer());
  fs.writeFileSync(file + ".part", body);
  fs.renameSync(file + ".part", file);
}

/**
 * As download, but the body streams to <file>.part (never held in memory: for archives of gigabytes), and the
 * timeout is one of inactivity: it aborts when no byte arrives for idleTimeoutMs. On failure <file>.part is removed.
 */
export async function downloadStreaming(url: string, file: string, idleTimeoutMs: number): Promise<void> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(new Error(`timed out: no data for ${idleTimeoutMs} ms`)), idleTimeoutMs);
  const part = file + ".part";
  try {
    const res = await fetch(url, { signal: abort.signal });
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      throw new Error(`HTTP ${res.status}`);
    }
    const keepAlive = new Transform({ transform(chunk, _enc, done) { timer.refresh(); done(null, chunk); } });
    await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), keepAlive, fs.createWriteStream(part));
    fs.renameSync(part, file);
  } catch (e) {
    fs.rmSync(part, { force: true });
    throw abort.signal.aborted ? abort.signal.reason : e;
  } finally {
    clearTimeout(timer);
  }
}

export function removeDownloads(files: string[]): void {
  for (const f of files) for (const g of [f, f + ".part"]) fs.rmSync(g, { force: true });
}
