// Child processes for the set-up stages: synchronous, output captured, never throwing on a non-zero exit.
import { spawnSync, SpawnSyncOptions } from "node:child_process";

export interface RunResult {
  ok: boolean;
  /** Exit status (null when the process could not start or was killed). */
  status: number | null;
  /** stdout and stderr together, or the spawn error. */
  out: string;
  stdout: string;
}

export function run(cmd: string, args: string[], opts: SpawnSyncOptions = {}): RunResult {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 64 << 20, ...opts });
  const stdout = `${r.stdout ?? ""}`;
  const out = r.error ? String(r.error) : `${stdout}${r.stderr ?? ""}`;
  return { ok: r.status === 0 && !r.error, status: r.status, out, stdout };
}

/** The last non-empty line of a command's output, cut to 300 characters. */
export function lastLine(s: string): string {
  const lines = s.trim().split("\n").filter((l) => l.trim() !== "");
  return (lines[lines.length - 1] ?? "").slice(0, 300);
}
