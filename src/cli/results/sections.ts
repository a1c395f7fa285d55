// README.md's sections between <!-- results:NAME --> and <!-- /results:NAME --> are rendered from results/*.jsonl:
//   train    the newest train run (with an aggregate line) of every command, and the published GCN figures
//   bench    the newest run of `nfde bench --suite all`, beside the torchfde set measured nearest in date,
//            and other bench runs of that day (reruns of single configurations)
//   threads  the newest run of `nfde bench ... --threads`
//   kernels  the newest run of `nfde bench --kernel-table`: K per method, β and N at tolerance 1e-6
//   horizon  the newest run of `nfde bench --suite horizon` beside torchfde's long/tiny figures (a placeholder until one is recorded)
//   mnist    (optional) the newest run of each `nfde train mnist ... --json` command
// This file renders them, reads and replaces them in the README, and checks that every figure in them is in the files.
import { MB, type ResultLine } from "./format";
import { renderBench, renderThreads } from "./bench-table";
import { horizonDerivedFigures, isHorizonLine, isLongTinyReference, renderHorizon } from "./horizon-table";
import { isKernelTableRun, renderKernels } from "./kernel-table";
import { mnistDerivedFigures, renderMnist } from "./mnist-table";
import { renderTrain } from "./train-table";

/** The sections the README must have. */
export const SECTIONS = ["train", "bench", "threads", "kernels", "horizon"] as const;
/** Sections the README may have: rendered, checked and rewritten when both their markers are there. */
export const OPTIONAL_SECTIONS = ["mnist"] as const;
type RequiredSection = (typeof SECTIONS)[number];
export type Section = RequiredSection | (typeof OPTIONAL_SECTIONS)[number];
/** The README's sections: every required one, and the optional ones it marks. */
export type ReadmeSections = Record<RequiredSection, string> & Partial<Record<Section, string>>;

/** Wraps text lines (not table rows) at `width` columns; a code span is never split. */
export function wrap(text: string, width = 110): string {
  return text.split("\n").map((line) => {
    if (line.startsWith("|") || line.length <= width) return line;
    const indent = line.startsWith("- ") ? "  " : "";
    const words = line.match(/(?:`[^`]*`|[^\s`])+/g) ?? [];
    const out: string[] = [];
    let cur = "";
    for (const w of words) {
      if (cur !== "" && cur.length + 1 + w.length > width) {
        out.push(cur);
        cur = indent + w;
      } else cur = cur === "" ? w : `${cur} ${w}`;
    }
    if (cur !== "") out.push(cur);
    return out.join("\n");
  }).join("\n");
}

/** Every marked section of the README, rendered from the result lines. */
export function renderSections(lines: ResultLine[]): Record<Section, string> {
  return {
    train: wrap(renderTrain(lines)), bench: wrap(renderBench(lines)), threads: wrap(renderThreads(lines)), kernels: wrap(renderKernels(lines)),
    horizon: wrap(renderHorizon(lines)), mnist: wrap(renderMnist(lines)),
  };
}

// ---- the README's marked sections ----------------------------------------------------------------------------

const open = (s: string) => `<!-- results:${s} -->`;
const close = (s: string) => `<!-- /results:${s} -->`;

/** The text between each pair of markers (without the newlines that border it). */
export function readmeSections(readme: string): ReadmeSections {
  const out = {} as ReadmeSections;
  for (const s of [...SECTIONS, ...OPTIONAL_SECTIONS] as Section[]) {
    const a = readme.indexOf(open(s)), b = readme.indexOf(close(s));
    if (a < 0 && b < 0 && (OPTIONAL_SECTIONS as readonly string[]).includes(s)) continue;
    if (a < 0 || b < 0 || b < a) throw new Error(`README.md has no ${open(s)} ... ${close(s)} section`);
    if (readme.indexOf(open(s), a + 1) >= 0) throw new Error(`README.md has ${open(s)} twice`);
    out[s] = readme.slice(a + open(s).length, b).replace(/^\n/, "").replace(/\n$/, "");
  }
  return out;
}

/** The README with each marked section replaced by `sections`. */
export function applySections(readme: string, sections: Record<Section, string>): string {
  let text = readme;
  const present = Object.keys(readmeSections(text)) as Section[]; // throws on a missing marker
  for (const s of present) {
    const a = text.indexOf(open(s)) + open(s).length, b = text.indexOf(close(s));
    text = `${text.slice(0, a)}\n${sections[s]}\n${text.slice(b)}`;
  }
  return text;
}

// ---- every figure in the sections is in the files --------------------------------------------------------

const DATE = /\b\d{4}-\d{2}-\d{2}\b/g;
const VERSION = /\b\d+\.\d+\.\d+\b/g;
const NUMBER = /(?<![\w.])\d+(?:\.\d+)?(?:e[-+]?\d+)?/gi;
// Free text (and run ids, which hold clock times) is not a source of figures.
const FREE_TEXT = new Set(["provenance", "note", "gradNote", "protocol", "measured", "run"]);

/** Numbers and strings of the result lines (peak bytes also in MB); free-text fields are left out. */
function fileValues(lines: ResultLine[]): { numbers: number[]; strings: Set<string> } {
  const numbers: number[] = [];
  const strings = new Set<string>();
  const walk = (v: unknown, key: string) => {
    if (typeof v === "number") {
      numbers.push(v);
      if (/bytes/i.test(key)) numbers.push(v / MB);
    } else if (typeof v === "string") {
      strings.add(v);
      if (!FREE_TEXT.has(key)) numbers.push(...(v.replace(DATE, " ").match(NUMBER) ?? []).map(Number));
    } else if (Array.isArray(v)) v.forEach((x) => walk(x, key));
    else if (v && typeof v === "object") Object.entries(v).forEach(([k, x]) => walk(x, k));
  };
  for (const l of lines) {
    const { file: _f, line: _l, ...rest } = l;
    walk(rest, "");
  }
  return { numbers, strings };
}

/** A printed number matches a stored one when the stored one rounds to it at the printed precision. */
function matches(token: string, v: number): boolean {
  const x = Number(token);
  const [mant, exp] = token.toLowerCase().split("e");
  const decimals = mant.includes(".") ? mant.split(".")[1].length : 0;
  const tol = 0.5 * 10 ** (-decimals + (exp ? Number(exp) : 0)) * (1 + 1e-9);
  return Math.abs(v - x) <= tol;
}

// The lines whose values a section may quote: the kernel table's and the horizon run's many small figures (K, fit
// errors, build times, per-step times) would otherwise match a figure edited by hand in another section.
const isKernelLine = (l: ResultLine) => l.command !== null && isKernelTableRun(l.command);
const isOther = (l: ResultLine) => !isKernelLine(l) && !isHorizonLine(l);
const QUOTES: Record<Section, (l: ResultLine) => boolean> = {
  train: isOther, bench: isOther, threads: isOther, kernels: isKernelLine, mnist: isOther, horizon: (l) => isHorizonLine(l) || isLongTinyReference(l),
};
// Figures a section computes from the files (ratios, exponents, sums): accepted beside the files' own values.
const DERIVED: Partial<Record<Section, (lines: ResultLine[]) => number[]>> = { horizon: horizonDerivedFigures, mnist: mnistDerivedFigures };

/** What in the README's marked sections is not in the result files: numbers, dates, versions, commands, file names. */
export function figureProblems(readme: string, lines: ResultLine[]): string[] {
  const commands = new Set(lines.map((l) => l.command).filter((c): c is string => !!c));
  const files = new Set(lines.map((l) => l.file));
  const problems: string[] = [];
  const sections = readmeSections(readme);
  for (const s of Object.keys(sections) as Section[]) {
    const { numbers, strings } = fileValues(lines.filter(QUOTES[s]));
    numbers.push(...(DERIVED[s]?.(lines) ?? []));
    let text = sections[s]!;
    text = text.replace(/`([^`]*)`/g, (_m, span: string) => {
      if (!commands.has(span) && !files.has(span)) problems.push(`${s}: \`${span}\` is neither a command nor a file of results/`);
      return " ";
    });
    text = text.replace(DATE, (d) => {
      if (![...strings].some((x) => x.startsWith(d))) problems.push(`${s}: the date ${d} is in no result line`);
      return " ";
    });
    text = text.replace(VERSION, (v) => {
      if (![...strings].some((x) => x.includes(v))) problems.push(`${s}: the version ${v} is in no result line`);
      return " ";
    });
    for (const t of text.match(NUMBER) ?? []) {
      if (!numbers.some((v) => matches(t, v))) problems.push(`${s}: ${t} is in no result file`);
    }
  }
  return problems;
}
