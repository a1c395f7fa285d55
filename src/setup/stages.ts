// The stage runner: one line per stage, a stage's exception is that stage's FAIL, the summary always prints.
export type Status = "ok" | "FAIL" | "skip";

export interface Outcome {
  status: Status;
  detail: string;
}

export interface Stage {
  name: string;
  /** Stages that must be ok first: when one failed this stage is FAIL without running, when one was skipped it is skipped. */
  needs?: string[];
  run: () => Outcome;
}

export interface StageResult extends Outcome {
  stage: string;
}

export const ok = (detail: string): Outcome => ({ status: "ok", detail });
export const fail = (detail: string): Outcome => ({ status: "FAIL", detail });
export const skip = (detail: string): Outcome => ({ status: "skip", detail });

const PREFIX = "[nfde setup]";

export function stageLine(r: StageResult): string {
  const mark = r.status === "ok" ? "ok  " : r.status;
  return `${PREFIX} ${r.stage.padEnd(15)} ${mark}  ${r.detail}`;
}

function errorText(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split("\n")[0].slice(0, 300);
}

function outcomeOf(stage: Stage, done: StageResult[]): Outcome {
  for (const need of stage.needs ?? []) {
    const prior = done.find((r) => r.stage === need);
    if (!prior) return fail(`not run: needs the "${need}" stage, which is not part of this set-up`);
    if (prior.status === "skip") return skip(`not run: ${need} was skipped`);
    if (prior.status === "FAIL") return fail(`not run: needs ${need}, which failed`);
  }
  try {
    return stage.run();
  } catch (e) {
    return fail(`threw ${errorText(e)}`);
  }
}

/** Runs the stages in order and prints each stage's line as it finishes. */
export function runStages(stages: Stage[], log: (line: string) => void = console.log): StageResult[] {
  const done: StageResult[] = [];
  for (const stage of stages) {
    const r = { stage: stage.name, ...outcomeOf(stage, done) };
    done.push(r);
    log(stageLine(r));
  }
  return done;
}

/** `[nfde setup] summary         all stages ready (backend: tensorflow; 9.8 s)`; failed and skipped stages are named. */
export function summaryLine(results: StageResult[], notes: string[]): string {
  const names = (s: Status) => results.filter((r) => r.status === s).map((r) => r.stage);
  const failed = names("FAIL");
  const skipped = names("skip");
  let head = failed.length > 0 ? `not ready: ${failed.join(", ")}` : skipped.length > 0 ? "ready" : "all stages ready";
  if (skipped.length > 0) head += `; skipped: ${skipped.join(", ")}`;
  return `${PREFIX} ${"summary".padEnd(15)} ${head}${notes.length > 0 ? ` (${notes.join("; ")})` : ""}`;
}
