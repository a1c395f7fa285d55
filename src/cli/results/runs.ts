// The result lines of one execution of a command (a run), and the newest run of a command.
import { dayDiff, unique, type Kind, type ResultLine } from "./format";

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

/** The newest run of every command among `runs`, in the order the commands first appear. */
export function newestOfEachCommand(runs: Run[]): Run[] {
  return unique(runs.map((r) => r.command)).map((c) => newest(runs, (r) => r.command === c)!);
}

/**
 * The reference lines that `pick` accepts of the date nearest to `date` (ties: the earlier date), in file order: a
 * peer's set is all its lines of one day, whether printed by one process or one per configuration.
 */
export function nearestReferenceSet(lines: ResultLine[], date: string, pick: (l: ResultLine) => boolean): ResultLine[] {
  const refs = lines.filter((l) => l.kind === "reference" && pick(l));
  const dates = [...new Set(refs.map((l) => l.date))].sort((a, b) => dayDiff(a, date) - dayDiff(b, date) || a.localeCompare(b));
  return refs.filter((l) => l.date === dates[0]);
}
