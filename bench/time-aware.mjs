// Time-aware measurement on a slow app (~30 requests/s by design) at the default settings: load-phase wall time
// per side, whether the time budget held, and how a 4 KB/request leak and a null comparison come out.
// BENCH_RUNS (default 3) comparisons per case: each takes a few minutes at this throughput.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareSeries, makeFixtureApp, root, writeUniquePathScenario } from './lib/fixture-compare.mjs';

const runs = Number(process.env.BENCH_RUNS ?? 3);
const work = mkdtempSync(join(tmpdir(), 'leakwatch-bench-time-'));
const slow = { RESPONSE_DELAY_MS: 300 };
const app = (label, config) => makeFixtureApp(work, label, { ...slow, ...config });
const scenario = writeUniquePathScenario(work, 'bench-slow');

const series = (name, baseDir, headDir) => compareSeries({ name, runs, baseDir, headDir, scenario });

const base = app('none', {});
const output = {
  measuredAt: new Date().toISOString(),
  machine: { cpus: cpus().length, node: process.version },
  settings:
    'defaults (time budget 90 s of load per side, settle 10 s), slow fixture answering after 300 ms (10 connections)',
  nullRuns: series('null', base, app('none-head', {})),
  leak4KB: series('4 KB/req leak', base, app('heap-4096', { LEAK_KIND: 'heap', LEAK_BYTES: 4096 })),
};
rmSync(work, { recursive: true, force: true });
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'time-aware.json'), `${JSON.stringify(output, null, 2)}\n`);
console.log(JSON.stringify(output, null, 2));
