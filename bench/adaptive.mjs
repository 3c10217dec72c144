// Time-held memory at the defaults: a fixture that keeps ~300 KB per request on 60 s timers (like RTK Query's
// default expiry) and does not leak, and the same with a 300 KB/request leak in head. Verdict accuracy, wall
// time per comparison, the detected hold time against the true 60 s, and how many regressions came with a heap
// diff naming the leaking object. BENCH_RUNS (default 10) per case; the comparisons run at a few requests/s and
// mostly wait, so BENCH_CONCURRENCY (default 5) run at once.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareSeries, makeFixtureApp, root, writeUniquePathScenario } from './lib/fixture-compare.mjs';

const runs = Number(process.env.BENCH_RUNS ?? 10);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 5);
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
  const explained = regressions.filter((result) =>
    result.heapDiffs.some((diff) => diff.label === 'head' && diff.growing?.includes('LeakedPage')),
  );
  return {
    expected,
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

const nullRuns = await compareSeries({
  name: 'time-held null',
  runs,
  baseDir: base,
  headDir: sameHead,
  scenario,
  concurrency,
});
const leakRuns = await compareSeries({
  name: 'time-held + leak',
  runs,
  baseDir: base,
  headDir: leakHead,
  scenario,
  concurrency,
});
const output = {
  measuredAt: new Date().toISOString(),
  machine: { cpus: cpus().length, node: process.version, loadAverageBefore: loadBefore },
  note: 'shared 2-core machine: other jobs ran at the same time (see loadAverage1m per run)',
  settings: 'defaults; fixture holds 300 KB per request on 60 s timers; unique URL per request',
  trueHoldSeconds: 60,
  nullRuns: summarize(nullRuns, 'not a regression'),
  leakRuns: summarize(leakRuns, 'regression'),
};
rmSync(work, { recursive: true, force: true });
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'adaptive.json'), `${JSON.stringify(output, null, 2)}\n`);
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
