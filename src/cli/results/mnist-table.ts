// The README's mnist section: the newest `nfde train mnist --json` run of each command (direct and adjoint).
import { code, fmt, fmtAcc, loadText, machineText, MB, num, sourceText, type ResultLine } from "./format";
import { newestOfEachCommand, runsOf, type Run } from "./runs";

const isMnistRun = (r: Run) => /^nfde train mnist\b/.test(r.command);
const summaryOf = (r: Run) => r.lines.find((l) => l.output.summary === true)?.output;

export function renderMnist(lines: ResultLine[]): string {
  const runs = runsOf(lines, "train").filter(isMnistRun);
  const picked = newestOfEachCommand(runs).filter((r) => summaryOf(r) !== undefined);
  if (picked.length === 0) return "No run of nfde train mnist --json is recorded in results/ yet.";
  picked.sort((a, b) => (a.date === b.date ? a.command.localeCompare(b.command) : b.date.localeCompare(a.date)));
  const rows = picked.map((r) => {
    const s = summaryOf(r)!;
    const epochs = r.lines.filter((l) => typeof l.output.epoch === "number").map((l) => l.output);
    const peak = num(s.peakBytes);
    return `| ${code(r.command)} | ${r.date} | ${s.gradient} | β ${s.beta}, T ${s.tEnd}, h ${s.stepSize} | ${s.epochs} | ` +
      `${fmtAcc(num(s.testAcc) ?? NaN)} | ${epochs.map((e) => fmtAcc(e.testAcc as number)).join(" / ")} | ` +
      `${fmt((num(s.msPerEpoch) ?? NaN) / 1000)} | ${peak === null ? "—" : fmt(peak / MB)} | ${loadText(r.lines[0].machine) ?? "—"} |`;
  });
  const dates = [...new Set(picked.map((r) => r.date))];
  return [
    "| command | date | gradient | block | epochs | test accuracy | after each epoch | s/epoch | peak tensor MB (first batch) | 1-min load |",
    "|---|---|---|---|---|---|---|---|---|---|",
    ...rows,
    "",
    ...dates.map((d) => {
      const day = picked.filter((r) => r.date === d);
      return `- ${d}: ${[...new Set(day.map((r) => machineText({ ...r.lines[0].machine, load1: undefined })))].join("; ")}; ${sourceText(day.flatMap((r) => r.lines))}.`;
    }),
  ].join("\n");
}

/** Figures the section computes: seconds per epoch. */
export function mnistDerivedFigures(lines: ResultLine[]): number[] {
  return runsOf(lines, "train").filter(isMnistRun).flatMap((r) => r.lines.map((l) => num(l.output.msPerEpoch)).filter((v): v is number => v !== null).map((v) => v / 1000));
}
