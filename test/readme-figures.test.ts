// The README's figure tables are rendered from results/*.jsonl, and every figure in them is in those files.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseResults, readResults, type ResultLine } from "../src/cli/results/format";
import { recordLines, writeRecorded } from "../src/cli/results/record";
import { applySections, figureProblems, readmeSections, renderSections, SECTIONS, type Section } from "../src/cli/results/sections";

const root = path.resolve(__dirname, "..");
const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
const lines = readResults(path.join(root, "results"));
const HOW = "run: node node_modules/tsx/dist/cli.mjs src/cli/readme-tables.ts --write";

test("README: the marked figure sections are what results/*.jsonl renders", () => {
  const inReadme = readmeSections(readme);
  const rendered = renderSections(lines);
  for (const s of SECTIONS) assert.equal(inReadme[s], rendered[s], `README section ${s} differs from the result files; ${HOW}`);
  assert.equal(applySections(readme, rendered), readme);
});

test("README: every number, date, version and command in the figure sections is in results/*.jsonl", () => {
  assert.deepEqual(figureProblems(readme, lines), []);
});

/** A copy of the README with `from` replaced by `to` inside section `s` (exactly once). */
function mutate(s: Section, from: string, to: string): string {
  const a = readme.indexOf(`<!-- results:${s} -->`), b = readme.indexOf(`<!-- /results:${s} -->`);
  const at = readme.indexOf(from, a);
  assert.ok(at > a && at < b, `the README's ${s} section quotes ${from}`);
  return readme.slice(0, at) + to + readme.slice(at + from.length);
}

test("README: a figure edited by hand is caught by both checks", () => {
  const cases: [Section, string, string, string][] = [
    ["train", "0.827 ± 0.006", "0.831 ± 0.006", "0.831"],
    ["bench", "| 1900 (56.9) |", "| 1917 (56.9) |", "1917"],
    ["bench", "(584 vs 908 ms)", "(517 vs 908 ms)", "517"],
    ["bench", "at most 8.8e-8", "at most 3.3e-8", "3.3e-8"],
    ["threads", "261 / 81 / 250", "261 / 71 / 250", "71"],
    ["train", "2026-12-01 |", "2026-12-03 |", "2026-12-03"],
  ];
  for (const [s, from, to, token] of cases) {
    const edited = mutate(s, from, to);
    assert.notEqual(readmeSections(edited)[s], renderSections(lines)[s], `(a) misses ${to}`);
    const problems = figureProblems(edited, lines);
    assert.ok(problems.some((p) => p.startsWith(`${s}:`) && p.includes(token)), `(b) misses ${token}: ${JSON.stringify(problems)}`);
  }
  // a command that no result line ran
  const cmd = figureProblems(mutate("train", "`nfde train cora --seeds 10 --json`", "`nfde train cora --seeds 20 --json`"), lines);
  assert.ok(cmd.some((p) => p.includes("--seeds 20")), JSON.stringify(cmd));
  assert.throws(() => readmeSections(readme.replace("<!-- /results:bench -->", "")), /results:bench/);
});

test("results/*.jsonl: each line names its machine, date, command and provenance; no machine path", () => {
  assert.ok(lines.length > 0);
  for (const l of lines) {
    const where = `${l.file}:${l.line}`;
    assert.match(l.date, /^\d{4}-\d{2}-\d{2}$/, where);
    assert.ok(l.provenance.length > 10, where);
    if (l.kind === "published") continue;
    assert.ok(l.command, where);
    assert.ok(l.machine?.cpu && typeof l.machine.cores === "number", `${where}: machine needs cpu and cores`);
    if (l.kind !== "reference") assert.ok(l.machine.backend && l.machine.threads, `${where}: machine needs backend and threads`);
    if (l.source === "transcribed") assert.match(l.provenance, /transcribed|copied/, where);
  }
  for (const f of fs.readdirSync(path.join(root, "results"))) {
    const text = fs.readFileSync(path.join(root, "results", f), "utf8");
    assert.ok(!/\/work\/|\/home\/|\/tmp\/|\.\.\/shared/.test(text), `results/${f} names a machine path`);
  }
});

test("results/*.jsonl: each train aggregate agrees with its run's seed lines", () => {
  const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
  let checked = 0;
  for (const agg of lines.filter((l) => l.kind === "train" && l.source === "aggregate")) {
    const seeds = lines.filter((l) => l.run === agg.run && l.command === agg.command && l.source === "output" && typeof l.output.seed === "number");
    const accs = seeds.map((l) => l.output.testAcc as number);
    const mean = accs.reduce((a, b) => a + b, 0) / accs.length;
    const std = Math.sqrt(accs.reduce((a, b) => a + (b - mean) ** 2, 0) / accs.length);
    assert.equal(agg.output.seeds, seeds.length);
    assert.ok(Math.abs((agg.output.meanTestAcc as number) - mean) < 1e-9, `${agg.command}: mean`);
    assert.ok(Math.abs((agg.output.stdTestAcc as number) - std) < 1e-9, `${agg.command}: std`);
    assert.equal(agg.output.msPerEpochMedian, median(seeds.map((l) => l.output.msPerEpoch as number)));
    assert.equal(agg.output.peakBytesMedian, median(seeds.map((l) => l.output.peakBytes as number)));
    checked++;
  }
  assert.ok(checked >= 3, `the newest train runs are recorded with their output (${checked} aggregates)`);
});

test("parseResults names the file, line and field of a bad line", () => {
  assert.throws(() => parseResults('{"kind":"train"}\n', "results/x.jsonl"), /results\/x\.jsonl:1: source is undefined/);
  assert.throws(() => parseResults("\n{not json\n", "results/y.jsonl"), /results\/y\.jsonl:2: not JSON/);
});

test("--record: a run's JSON lines become result lines (with an aggregate for train) replacing that command's lines", () => {
  const machine = { cpu: "Test CPU", cores: 2, backend: "cpu", threads: "1" };
  const seed = (s: number, acc: number, ms: number) => JSON.stringify({ dataset: "cora", seed: s, testAcc: acc, valAcc: 0.8, epochs: 10, msPerEpoch: ms, peakBytes: 2 ** 20 });
  const stdout = [seed(0, 0.8, 10), seed(1, 0.82, 30), seed(2, 0.81, 20), JSON.stringify({ dataset: "cora", summary: true, meanTestAcc: 0.81, stdTestAcc: 0.008 })].join("\n");
  const rec = recordLines(["train", "cora", "--seeds", "3", "--json"], `progress text\n${stdout}\n`, { started: "2027-01-02T03:04:05Z", machine });
  assert.equal(rec.length, 5);
  assert.ok(rec.every((l) => l.command === "nfde train cora --seeds 3 --json" && l.date === "2027-01-02" && l.machine?.cpu === "Test CPU"));
  const agg = rec.find((l) => l.source === "aggregate") as ResultLine;
  assert.equal(agg.output.msPerEpochMedian, 20);
  assert.equal(agg.output.peakBytesMedian, 2 ** 20);
  assert.equal((agg.args?.solver as { gradient?: string } | undefined)?.gradient, "direct");
  const bench = recordLines(["bench", "--configs", "B2", "--json"], JSON.stringify({ config: "B2", mode: "direct", stepMsMedian: 5 }), { started: "2027-01-02T03:04:05Z", machine });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nfde-results-"));
  try {
    const file = path.join(dir, "r.jsonl");
    writeRecorded(file, rec);
    writeRecorded(file, bench);
    writeRecorded(file, rec); // again: replaces, does not append
    const back = parseResults(fs.readFileSync(file, "utf8"), "r.jsonl");
    assert.equal(back.length, 6);
    assert.equal(back.filter((l) => l.kind === "bench").length, 1);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  assert.throws(() => recordLines(["train", "cora"], "no json here\n", { started: "2027-01-02T03:04:05Z", machine }), /printed no JSON line/);
});
