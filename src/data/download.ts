import * as fs from "node:fs";

/** Writes <file>.part, then renames it, so an interrupted download never leaves a partial file in place. */
export async function download(url: string, file: string, timeoutMs: number): Promise<void> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const body = new Uint8Array(await res.arrayBuffer());
  fs.writeFileSync(file + ".part", body);
  fs.renameSync(file + ".part", file);
}

export function removeDownloads(files: string[]): void {
  for (const f of files) for (const g of [f, f + ".part"]) fs.rmSync(g, { force: true });
}
