// Time-aware measurement on a slow app (~30 requests/s by design) at the default settings: load-phase wall time
// per side, whether the time budget held, and which leaks are caught against how often a null comparison alarms.
// BENCH_RUNS (default 10) comparisons per case, BENCH_LEAK_BYTES (default 1024,4096). The fixture waits 300 ms
// per response and barely uses the CPU, so BENCH_CONCURRENCY (default 5) comparisons run at once.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareSeries, makeFixtureApp, root, writeUniquePathScenario } from './lib/fixture-compare.mjs';

const runs = Number(process.env.BENCH_RUNS ?? 10);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 5);
const leakSizes = (process.env.BENCH_LEAK_BYTES ?? '1024,4096')
  .split(',')
  .map(Number)
  .sort((a, b) => a - b);
const work = mkdtempSync(join(tmpdir(), 'leakwatch-bench-time-'));
const slow = { RESPONSE_DELAY_MS: 300 };
const app = (label, config) => makeFixtureApp(work, label, { ...slow, ...config });
const scenario = writeUniquePathScenario(work, 'bench-slow');

const series = (name, baseDir, headDir) =>
  compareSeries({ name, runs, baseDir, headDir, scenario, concurrency });

const base = app('none', {});
const nullRuns = await series('null', base, app('none-head', {}));
const leakRuns = [];
for (const bytes of leakSizes) {
  const head = app(`heap-${bytes}`, { LEAK_KIND: 'heap', LEAK_BYTES: bytes });
  leakRuns.push({ leakBytesPerRequest: bytes, ...(await series(`${bytes} B/req leak`, base, head)) });
}
const loadPhases = [nullRuns, ...leakRuns].flatMap((series) =>
  series.results.flatMap((result) => Object.values(result.loadPhaseMsPerSide)),
);
const caughtEveryRun = leakRuns.filter((series) => series.regressions === runs);
const output = {
  measuredAt: new Date().toISOString(),
  machine: { cpus: cpus().length, node: process.version },
  settings:
    'defaults (time budget 90 s of load per side, settle 10 s), slow fixture answering after 300 ms (10 connections)',
  loadPhaseMsPerSide: { min: Math.min(...loadPhases), max: Math.max(...loadPhases) },
  smallestLeakCaughtEveryRun: caughtEveryRun[0]?.leakBytesPerRequest ?? null,
  nullRuns,
  leakRuns,
};
rmSync(work, { recursive: true, force: true });
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'time-aware.json'), `${JSON.stringify(output, null, 2)}\n`);
console.log(JSON.stringify(output, null, 2));
