// The README's figure tables are rendered from results/*.jsonl, and every figure in them is in those files.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseResults, readResults, type ResultLine } from "../src/cli/results/format";
import { recordLines, writeRecorded } from "../src/cli/results/record";
import { renderMnist } from "../src/cli/results/mnist-table";
import { renderTrain } from "../src/cli/results/train-table";
import { renderBench } from "../src/cli/results/bench-table";
import { HORIZON_PLACEHOLDER, isHorizonLine, renderHorizon } from "../src/cli/results/horizon-table";
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
function mutate(s: Section, from: string, to: string, text = readme): string {
  const a = text.indexOf(`<!-- results:${s} -->`), b = text.indexOf(`<!-- /results:${s} -->`);
  const at = text.indexOf(from, a);
  assert.ok(at > a && at < b, `the README's ${s} section quotes ${from}`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

/**
 * An edit of the first match of `pattern` in section `s` of the README: its first group's last digit changed by 3, as
 * [section, the match, the edited match, the edited figure] (the last digit of a mantissa). The figures of a re-recorded table are picked anew.
 */
function editOf(s: Section, pattern: RegExp): [Section, string, string, string] {
  const rendered = renderSections(lines)[s];
  const m = pattern.exec(rendered);
  assert.ok(m && m[1], `the rendered ${s} section has a match of ${pattern}`);
  const figure = m[1];
  const mantissa = figure.split("e")[0];
  const i = mantissa.search(/\d(?!.*\d)/);
  // the last digit moved by 3 or more; an edit that lands on another figure of the files is not one the check can
  // see, so the first that it flags is taken, and none flagged is a failure
  const edits = [3, 4, 5, 6, 7, 8, 9].map((k) => figure.slice(0, i) + ((Number(figure[i]) + k) % 10) + figure.slice(i + 1));
  const edited = edits.find((e) => figureProblems(mutate(s, m[0], m[0].replace(figure, e)), lines).some((p) => p.startsWith(`${s}:`) && p.includes(e)));
  assert.ok(edited, `no edit of ${figure} (${edits.join(", ")}) is flagged by figureProblems`);
  return [s, m[0], m[0].replace(figure, edited), edited];
}

test("README: a figure edited by hand is caught by both checks", () => {
  const cases: [Section, string, string, string][] = [
    // an accuracy no committed run is near (a value such as 0.831 is some seed's accuracy: the check would accept it)
    ["train", "0.827 ± 0.006", "0.461 ± 0.006", "0.461"],
    editOf("bench", /\| B1 F-GRAND-l Cora H=64 \| direct \| (\d[\d.]*)/),
    editOf("bench", /\((\d[\d.]*) vs [\d.]+ ms\)/),
    editOf("bench", /at most (\d\.\de-\d+)/),
    editOf("threads", /B3-N80, [\d.]+ \/ [\d.]+ \/ (\d[\d.]*)\s/),
    ["train", "2026-12-01 |", "2099-12-01 |", "2099-12-01"], // a date no result line can carry
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

/** A horizon run on two states (exact, fast and fast + checkpoints rows) and a torchfde long/tiny line, dated after every real one. */
function horizonLines(): ResultLine[] {
  const machine = { cpu: "Test CPU", cores: 2, backend: "tensorflow", tensorflow: "2.21.0", threads: "1", load1: { start: 0.5, end: 0.7 } };
  const command = "nfde bench --suite horizon --json";
  const row = (config: string, mode: string, n: number, ms: number, extra: Record<string, unknown> = {}): ResultLine => ({
    kind: "bench", run: "2030-01-02T03:04:05Z", date: "2030-01-02", command, machine, source: "output", provenance: `printed by ${command}`,
    file: "results/horizon-2030-01-02.jsonl",
    output: {
      config, mode, n, threads: "1", peakBytes: null, rssPeakMB: 41.5, stepMsMedian: ms + 1, stepMs: [ms + 1], gradRelDiff: null,
      breakdown: { forwardMs: ms / 4, backwardMs: (3 * ms) / 4, updateMs: 1 }, history: "exact", tolerance: null, checkpoints: null, K: null, exactRelDiff: null, ...extra,
    },
  });
  const fast = (K: number, extra: Record<string, unknown> = {}) => ({ history: "fast", tolerance: 1e-6, K, ...extra });
  return [
    row("H-tiny-N1000", "direct", 1000, 7000, { peakBytes: 3 * 2 ** 20, stepMs: [7001, 7002, 7003] }),
    row("H-tiny-N1000", "adjoint", 1000, 5000, { gradRelDiff: 4.4e-8, stepMs: [5001, 5002, 5003] }),
    row("H-tiny-N1000-fast", "adjoint", 1000, 1000, fast(21, { exactRelDiff: 3.1e-7 })),
    row("H-tiny-N4000", "adjoint", 4000, 72000),
    row("H-tiny-N4000-fast", "adjoint", 4000, 4500, fast(25, { exactRelDiff: 5.2e-7 })),
    row("H-tiny-N20000-fast", "adjoint", 20000, 24000, fast(27)),
    row("H-tiny-N20000-fast-ckpt", "adjoint", 20000, 30000, fast(27, { checkpoints: "auto" })),
    row("H-B2-N1280", "adjoint", 1280, 900),
    row("H-B2-N1280-fast", "adjoint", 1280, 300, fast(22)),
    row("H-B2-N5120-fast", "adjoint", 5120, 1500, fast(25)),
    {
      kind: "reference", tool: "torchfde", toolVersion: "abc123", run: "2030-01-01T00:00Z", date: "2030-01-01", command: "torchfde long/tiny (test)",
      machine: { cpu: "Test CPU", cores: 2, pytorch: "2.13.0+cpu", threads: "2" }, source: "transcribed", provenance: "copied for a test",
      file: "results/torchfde-2030-01-01.jsonl", output: { config: "long/tiny", mode: "adjoint", n: 4000, seconds: 109.267 },
    },
  ];
}

test("README horizon section: rows, ratios to torchfde, growth exponents and exact / fast from a synthetic run", () => {
  const text = renderHorizon(horizonLines());
  const rows = text.split("\n").filter((l) => l.startsWith("| small") || l.startsWith("| B2"));
  assert.equal(rows.length, 10);
  assert.equal(rows[0], "| small | exact | direct | 1000 | — | 7000 ms | 41.5 | 3 | — | — | — | — |");
  assert.equal(rows[1], "| small | exact | adjoint | 1000 | — | 5000 ms | 41.5 | — | — | 4.4e-8 | — | — |");
  assert.equal(rows[3], "| small | exact | adjoint | 4000 | — | 72 s | 41.5 | — | — | — | 109 s | 0.659 |");
  assert.equal(rows[4], "| small | fast | adjoint | 4000 | 25 | 4500 ms | 41.5 | — | 5.2e-7 | — | 109 s | 0.0412 |");
  assert.equal(rows[6], "| small | fast + checkpoints auto | adjoint | 20000 | 27 | 30 s | 41.5 | — | — | — | — | — |");
  assert.match(rows[8], /^\| B2 \| fast \| adjoint \| 1280 \| 22 \| 300 ms \|.* — \| — \|$/, "no torchfde figure for B2");
  // t ∝ N^p: 1000 → 4000 ms x 4.5 (p 1.08), 4000 → 20000 ms x 5.33 (p 1.04), 1000 → 20000 ms x 24 (p 1.06)
  assert.match(text, /small, the fast history's time t ∝ N\^p: fast \(adjoint\) p = 1\.06 from N = 1000 to 20000 \(1000→4000: 1\.08,\s+4000→20000: 1\.04\)/);
  assert.match(text, /B2, the fast history's time t ∝ N\^p: fast \(adjoint\) p = 1\.16 from N = 1280 to 5120\./);
  assert.match(text, /small, exact \/ fast history time at equal N: N = 1000: 5 \(adjoint\); N = 4000: 16 \(adjoint\)\./);
  assert.match(text, /B2, exact \/ fast history time at equal N: N = 1280: 3 \(adjoint\)\./);
  assert.match(text, /- ours: `nfde bench --suite horizon --json`, 2030-01-02, 2 × Test CPU, .*`results\/horizon-2030-01-02\.jsonl`/s);
  assert.match(text, /- torchfde abc123, 2030-01-01, .*`results\/torchfde-2030-01-01\.jsonl`/s);
});

test("README horizon section: a newer run of one state replaces that state's rows only, and each run is named", () => {
  const newer = horizonLines().filter((l) => l.kind === "bench" && String(l.output.config).startsWith("H-B2")).map((l) => ({
    ...l, run: "2030-01-03T00:00:00Z", date: "2030-01-03", command: "nfde bench --configs H-B2 --json", file: "results/horizon-2030-01-03.jsonl",
    output: { ...l.output, stepMs: [Number(l.output.stepMs instanceof Array ? l.output.stepMs[0] : 0) / 2], breakdown: { forwardMs: 50, backwardMs: 100, updateMs: 1 } },
  }));
  const text = renderHorizon([...horizonLines(), ...newer]);
  const rows = text.split("\n").filter((l) => l.startsWith("| small") || l.startsWith("| B2"));
  assert.equal(rows.length, 10);
  assert.equal(rows[3], "| small | exact | adjoint | 4000 | — | 72 s | 41.5 | — | — | — | 109 s | 0.659 |", "small rows from the full run");
  assert.ok(rows.filter((r) => r.startsWith("| B2")).every((r) => r.includes("| 150 ms |")), "B2 rows from the newer run");
  assert.match(text, /- ours \(small\): `nfde bench --suite horizon --json`, 2030-01-02, .*`results\/horizon-2030-01-02\.jsonl`/s);
  assert.match(text, /- ours \(B2\): `nfde bench --configs H-B2 --json`, 2030-01-03, .*`results\/horizon-2030-01-03\.jsonl`/s);
});

test("README horizon section: a placeholder, not an error, until a horizon run is recorded", () => {
  const without = lines.filter((l) => !isHorizonLine(l));
  assert.equal(renderHorizon(without), HORIZON_PLACEHOLDER);
  assert.equal(renderSections(without).horizon, HORIZON_PLACEHOLDER);
  assert.deepEqual(figureProblems(applySections(readme, renderSections(without)), without), []);
});

test("README horizon section: rendered from a run, every figure is in the files, and a figure edited by hand is caught", () => {
  // the synthetic run alone: a recorded run's own figures could contain an edited token by chance
  const all = [...lines.filter((l) => !isHorizonLine(l)), ...horizonLines()];
  const rendered = applySections(readme, renderSections(all));
  assert.notEqual(readmeSections(rendered).horizon, HORIZON_PLACEHOLDER);
  assert.deepEqual(figureProblems(rendered, all), []);
  for (const [from, to, token] of [["| 0.0412 |", "| 0.0421 |", "0.0421"], ["p = 1.06", "p = 1.26", "1.26"], ["| 72 s |", "| 97531 s |", "97531"]]) {
    const edited = mutate("horizon", from, to, rendered);
    assert.notEqual(readmeSections(edited).horizon, renderSections(all).horizon, `(a) misses ${to}`);
    const problems = figureProblems(edited, all);
    assert.ok(problems.some((p) => p.startsWith("horizon:") && p.includes(token)), `(b) misses ${token}: ${JSON.stringify(problems)}`);
  }
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

test("README mnist section: --record keeps nfde train mnist's own lines (no aggregate), the newest run per command is a row", () => {
  const machine = { cpu: "Test CPU", cores: 2, backend: "cpu", threads: "1" };
  const run = (gradient: string, accs: number[], started: string) => {
    const epochs = accs.map((a, i) => JSON.stringify({ dataset: "mnist", epoch: i + 1, loss: 0.1, testAcc: a, ms: 1000 }));
    const summary = JSON.stringify({ summary: true, dataset: "mnist", source: "embedded", gradient, beta: 0.9, tEnd: 2, stepSize: 0.1, method: "predictor",
      channels: 32, lr: 0.003, schedule: "cosine", epochs: accs.length, testAcc: accs[accs.length - 1], msPerEpoch: 71500, peakBytes: 56 * 2 ** 20, history: [] });
    const args = ["train", "mnist", ...(gradient === "adjoint" ? ["--adjoint"] : []), "--epochs", String(accs.length), "--json"];
    return recordLines(args, [...epochs, summary].join("\n"), { started, machine });
  };
  const older = run("adjoint", [0.5, 0.6], "2027-01-01T00:00:00Z");
  const adjoint = run("adjoint", [0.9, 0.981], "2027-01-02T00:00:00Z");
  const direct = run("direct", [0.91, 0.983], "2027-01-02T01:00:00Z");
  assert.ok(adjoint.every((l) => l.source === "output" && (l.args?.solver as { gradient?: string }).gradient === "adjoint"));
  assert.equal(adjoint.length, 3);
  const none = renderMnist([]);
  assert.match(none, /No run of nfde train mnist/);
  const text = renderMnist([...older, ...adjoint, ...direct].map((l) => ({ ...l, file: "results/t.jsonl" })));
  assert.equal(text.split("\n").filter((l) => l.startsWith("| `nfde train mnist")).length, 2, text);
  assert.match(text, /`nfde train mnist --adjoint --epochs 2 --json` \| 2027-01-02 \| adjoint \| β 0\.9, T 2, h 0\.1 \| 2 \| 0\.981 \| 0\.900 \/ 0\.981 \| 71\.5 \| 56 \|/);
  assert.match(text, /\| direct \|.*\| 0\.983 \|/);
  assert.doesNotMatch(text, /0\.600/);
});

test("README train section: the newest run of every command is a row; a command run only on an older date keeps its row", () => {
  const machine = { cpu: "Test CPU", cores: 2, backend: "cpu", threads: "1" };
  const run = (args: string[], accs: number[], started: string) => {
    const seeds = accs.map((a, i) => JSON.stringify({ dataset: "cora", seed: i, testAcc: a, valAcc: 0.8, epochs: 10, msPerEpoch: 10, peakBytes: 2 ** 20 }));
    const mean = accs.reduce((x, y) => x + y, 0) / accs.length;
    const summary = JSON.stringify({ dataset: "cora", summary: true, meanTestAcc: mean, stdTestAcc: 0.001 });
    return recordLines(["train", "cora", ...args, "--json"], [...seeds, summary].join("\n"), { started, machine });
  };
  const lOld = run(["--seeds", "2"], [0.7, 0.7], "2027-01-01T00:00:00Z");
  const lNew = run(["--seeds", "2"], [0.8, 0.8], "2027-01-05T00:00:00Z");
  const nl = run(["--nonlinear", "--seeds", "2"], [0.81, 0.81], "2027-01-02T00:00:00Z");
  const nlLong = run(["--nonlinear", "--time", "40", "--seeds", "2"], [0.84, 0.84], "2027-01-09T00:00:00Z");
  const text = renderTrain([...lOld, ...lNew, ...nl, ...nlLong].map((l) => ({ ...l, file: "results/t.jsonl" })));
  const rows = text.split("\n").filter((l) => l.startsWith("| `nfde train"));
  assert.equal(rows.length, 3, text);
  assert.match(rows[0], /`nfde train cora --nonlinear --time 40 --seeds 2 --json` \| 2027-01-09 \| 0\.840/);
  assert.match(rows[1], /`nfde train cora --seeds 2 --json` \| 2027-01-05 \| 0\.800/);
  assert.match(rows[2], /`nfde train cora --nonlinear --seeds 2 --json` \| 2027-01-02 \| 0\.810/);
  assert.doesNotMatch(text, /0\.700/);
});

test("README bench section: each of our runs of a day stands beside the torchfde lines measured nearest in time to it", () => {
  const machine = { cpu: "Test CPU", cores: 2, backend: "tensorflow", tensorflow: "2.21.0", threads: "1", load1: { start: 0.5, end: 0.7 } };
  const command = "nfde bench --suite all --json";
  const ours = (run: string, ms: number): ResultLine => ({
    kind: "bench", run, date: "2030-01-02", command, machine, source: "output", provenance: `printed by ${command}`,
    file: `results/bench-2030-01-02-${run.slice(11, 13)}.jsonl`,
    output: { config: "B2", mode: "adjoint", n: 40, hidden: 256, threads: "1", peakBytes: 5e6, rssPeakMB: 30, stepMsMedian: ms, stepMs: [ms], gradRelDiff: 8e-8 },
  });
  const theirs = (run: string, ms: number): ResultLine => ({
    kind: "reference", tool: "torchfde", toolVersion: "abc123", run, date: "2030-01-02", command: "python results/torchfde-peer.py B2 adjoint",
    machine: { cpu: "Test CPU", cores: 2, pytorch: "2.13.0+cpu", threads: "2" }, source: "output", provenance: "printed for a test",
    file: `results/torchfde-2030-01-02-${run.slice(11, 13)}.jsonl`, output: { config: "B2", mode: "adjoint", n: 40, stepMsMedian: ms, rssPeakMB: 20, liveMB: null },
  });
  // morning: ours 80, torchfde 100; afternoon (the newest run, the table's): ours 70, torchfde 60; the afternoon peer line comes first in file order
  const text = renderBench([theirs("2030-01-02T15:00Z", 60), ours("2030-01-02T07:30:00Z", 80), theirs("2030-01-02T07:00Z", 100), ours("2030-01-02T15:20:00Z", 70)]);
  assert.match(text, /^\| B2 MLP field, N=40 \| adjoint \| [^|]+ \| [^|]+ \| 70 \(60\) \|/m, "the table: the afternoon run beside the afternoon peer line");
  assert.match(text, /`results\/torchfde-2030-01-02-15\.jsonl`/, "the provenance names the peer file used");
  assert.doesNotMatch(text, /- torchfde[^\n]*torchfde-2030-01-02-07/, "and not the other one");
  assert.match(text, /An earlier run the same day \(07:30 UTC\), [^\n]* gave B2 adjoint 80 ms \(torchfde 100 ms\)/, "the morning run beside the morning peer line");
});
