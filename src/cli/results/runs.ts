// The result lines of one execution of a command (a run), and the newest run of a command.
import type { Kind, ResultLine } from "./format";

export interface Run {
  run: string;
  date: string;
  command: string;
  lines: ResultLine[];
}

export function runsOf(lines: ResultLine[], kind: Kind): Run[] {
  const runs = new Map<string, Run>();
  for (const l of lines.filter((x) => x.kind === kind)) {
    const key = `${l.run}\u0000${l.command}`;
    if (!runs.has(key)) runs.set(key, { run: l.run, date: l.date, command: l.command ?? "", lines: [] });
    runs.get(key)!.lines.push(l);
  }
  return [...runs.values()];
}

/** The newest run of each command that `pick` accepts (by date, then by run id). */
export function newest(runs: Run[], pick: (r: Run) => boolean): Run | undefined {
  return runs.filter(pick).sort((a, b) => (a.date === b.date ? b.run.localeCompare(a.run) : b.date.localeCompare(a.date)))[0];
}
