// Time-held memory at the defaults: a fixture that keeps ~300 KB per request on 60 s timers (like RTK Query's
// default expiry) and does not leak, and the same with a 300 KB/request leak in head. Verdict accuracy, wall
// time per comparison, the detected hold time against the true 60 s, and how many regressions came with a heap
// diff naming the leaking object. BENCH_RUNS (default 10) per case; the comparisons run at a few requests/s and
// mostly wait, so both cases run side by side, BENCH_CONCURRENCY (default 2) comparisons of each at once.
// BENCH_LEAK_CONCURRENCY overrides it for the leak case. BENCH_STOP_AT (an ISO time) starts no run after it; results are saved after every finished run.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareSeries, makeFixtureApp, root, writeUniquePathScenario } from './lib/fixture-compare.mjs';

const runs = Number(process.env.BENCH_RUNS ?? 10);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 2);
const leakConcurrency = Number(process.env.BENCH_LEAK_CONCURRENCY ?? concurrency);
const stopAt = process.env.BENCH_STOP_AT ? Date.parse(process.env.BENCH_STOP_AT) : Number.POSITIVE_INFINITY;
const shouldStart = () => Date.now() < stopAt;
const work = mkdtempSync(join(tmpdir(), 'leakwatch-bench-adaptive-'));
const timeHeld = { TIMER_MS: 60_000, TIMER_BYTES: 300_000 };
const scenario = writeUniquePathScenario(work, 'bench-time-held');
const base = makeFixtureApp(work, 'base', { LEAK_KIND: 'none', ...timeHeld });
const sameHead = makeFixtureApp(work, 'same', { LEAK_KIND: 'none', ...timeHeld });
const leakHead = makeFixtureApp(work, 'leak', { LEAK_KIND: 'page', LEAK_BYTES: 300_000, ...timeHeld });
const loadBefore = loadavg().map((value) => Number(value.toFixed(1)));

function summarize(series, expected) {
  const holds = series.results.map((result) => result.schedule.timeHeld?.holdMs ?? null);
  const found = holds.filter((hold) => hold !== null);
  const regressions = series.results.filter((result) => result.verdict === 'regression');
  // Named: LeakedPage is a top row, or holds one (its arrays' elements are the largest rows; the report folds
  // V8 internals such as `(object elements)` into the object on their retainer path).
  const isNamed = (diff) =>
    diff.label === 'head' &&
    (diff.growing?.includes('LeakedPage') ||
      diff.retainerPaths?.some((path) => path?.includes('LeakedPage')));
  const explained = regressions.filter((result) => result.heapDiffs.some(isNamed));
  return {
    expected,
    runs: series.results.length,
    // What fails the check under fail-on: regression (inconclusive fails like an error).
    failingCheck: series.results.filter((result) =>
      ['regression', 'inconclusive', 'error'].includes(result.verdict),
    ).length,
    correct: series.results.filter(
      (result) => (result.verdict === 'regression') === (expected === 'regression'),
    ).length,
    verdicts: series.results.map((result) => result.verdict),
    holdSeconds: holds.map((hold) => (hold === null ? null : Math.round(hold / 100) / 10)),
    holdDetected: found.length,
    ratesPerSecond: series.results.map((result) => result.schedule.timeHeld?.ratePerSecond ?? null),
    wallSeconds: series.results.map((result) => Math.round(result.wallMs / 1000)),
    loadSecondsPerSide: series.results.map((result) =>
      Math.round(Math.max(result.loadPhaseMsPerSide.base, result.loadPhaseMsPerSide.head) / 1000),
    ),
    regressionsWithHeapDiff: `${explained.length}/${regressions.length}`,
    loadAverage1m: series.results.map((result) => result.loadAverage1m),
    series,
  };
}

const done = { null: { results: [] }, leak: { results: [] } };
function save() {
  const output = {
    measuredAt: new Date().toISOString(),
    machine: { cpus: cpus().length, node: process.version, loadAverageBefore: loadBefore },
    note: 'shared 2-core machine: other jobs ran at the same time (see loadAverage1m per run)',
    settings: 'defaults; fixture holds 300 KB per request on 60 s timers; unique URL per request',
    concurrency: { null: concurrency, leak: leakConcurrency },
    trueHoldSeconds: 60,
    nullRuns: summarize({ ...done.null, results: done.null.results.filter(Boolean) }, 'not a regression'),
    leakRuns: summarize({ ...done.leak, results: done.leak.results.filter(Boolean) }, 'regression'),
  };
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(join(root, 'bench', 'results', 'adaptive.json'), `${JSON.stringify(output, null, 2)}\n`);
  return output;
}
const series = (key, name, headDir, concurrency) =>
  compareSeries({
    name,
    runs,
    baseDir: base,
    headDir,
    scenario,
    concurrency,
    shouldStart,
    onResult: (results) => {
      done[key].results = results;
      save();
    },
  });
[done.null, done.leak] = await Promise.all([
  series('null', 'time-held null', sameHead, concurrency),
  series('leak', 'time-held + leak', leakHead, leakConcurrency),
]);
const output = save();
rmSync(work, { recursive: true, force: true });
console.log(
  JSON.stringify(
    {
      ...output,
      nullRuns: { ...output.nullRuns, series: undefined },
      leakRuns: { ...output.leakRuns, series: undefined },
    },
    null,
    2,
  ),
);
