// Engine benchmark: sensitivity (smallest leak caught in 10/10 runs), false alarms (null runs, bounded cache),
// probe throughput overhead, and load-phase wall time, all at the default settings, through the bundled CLI.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import autocannon from 'autocannon';
import {
  compareFixtures,
  fixtureServer,
  makeFixtureApp,
  root,
  writeUniquePathScenario,
} from './lib/fixture-compare.mjs';

const probe = join(root, 'dist', 'probe.cjs');
const runs = Number(process.env.BENCH_RUNS ?? 10);
const work = mkdtempSync(join(tmpdir(), 'leakwatch-bench-'));

const app = (label, config) => makeFixtureApp(work, label, config);
const scenario = writeUniquePathScenario(work, 'bench-unique-paths');
const compare = (baseDir, headDir, seed) => compareFixtures({ baseDir, headDir, scenario, seed });

function series(name, baseDir, headDir) {
  const verdicts = [];
  const deltas = [];
  const loadAverage1m = [];
  const warmupRequests = [];
  let wallMs = 0;
  let loadPhaseMs = 0;
  for (let run = 0; run < runs; run++) {
    const report = compare(baseDir, headDir, run + 1);
    verdicts.push(report.comparison.verdict);
    deltas.push(Number(report.comparison.deltaBytesPerRequest?.toFixed(1)));
    loadAverage1m.push(Number(loadavg()[0].toFixed(1)));
    warmupRequests.push(report.schedule.warmupRequests);
    wallMs += report.durationMs;
    loadPhaseMs += report.base.load.durationMs + report.head.load.durationMs;
    process.stderr.write(
      `${name} run ${run + 1}/${runs}: ${report.comparison.verdict} (${JSON.stringify(report.comparison.finding)}), load ${loadavg()[0].toFixed(1)}\n`,
    );
  }
  return {
    runs,
    regressions: verdicts.filter((verdict) => verdict === 'regression').length,
    verdicts,
    deltasBytesPerRequest: deltas,
    loadAverage1m,
    /** What the warm-up ran per side: it ends once the heap stops drifting, or at its ceiling. */
    warmupRequests,
    meanWallMs: Math.round(wallMs / runs),
    /** Load time of both sides together, without start-up, settle pauses and heap snapshots. */
    meanLoadPhaseMs: Math.round(loadPhaseMs / runs),
  };
}

async function freeSocketServer(path) {
  // Stands in for the harness so the probe is connected and live (heartbeats included) during the overhead runs.
  const server = createServer((socket) => socket.resume());
  await new Promise((resolve) => server.listen(path, resolve));
  return server;
}

async function throughput(withProbe, port) {
  const env = { ...process.env, PORT: String(port) };
  let server;
  if (withProbe) {
    const socketPath = join(work, `probe-${port}.sock`);
    server = await freeSocketServer(socketPath);
    env.NODE_OPTIONS = `--require ${probe}`;
    env.LEAKWATCH_PROBE_SOCKET = socketPath;
  }
  const child = spawn(process.execPath, [fixtureServer], { env, stdio: 'ignore' });
  await delay(400);
  const url = `http://127.0.0.1:${port}`;
  await autocannon({ url, connections: 10, duration: 1 });
  const result = await autocannon({ url, connections: 10, duration: 4 });
  child.kill('SIGKILL');
  server?.close();
  return result.requests.total / 4;
}

async function probeOverhead(pairs) {
  const ratios = [];
  for (let pair = 0; pair < pairs; pair++) {
    // Alternate which goes first, so drift of the machine does not favour one side.
    const order = pair % 2 === 0 ? [false, true] : [true, false];
    const rates = {};
    for (const withProbe of order)
      rates[withProbe] = await throughput(withProbe, 20_000 + pair * 2 + Number(withProbe));
    ratios.push(rates.true / rates.false);
    process.stderr.write(
      `probe overhead pair ${pair + 1}/${pairs}: ${Math.round(rates.false)} vs ${Math.round(rates.true)} req/s\n`,
    );
  }
  ratios.sort((a, b) => a - b);
  const median = ratios[Math.floor(ratios.length / 2)];
  return {
    pairs,
    medianThroughputRatio: Number(median.toFixed(4)),
    overheadPercent: Number(((1 - median) * 100).toFixed(2)),
  };
}

const none = app('none', { LEAK_KIND: 'none' });
const results = {
  measuredAt: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
  loadAverageBefore: loadavg().map((value) => Number(value.toFixed(1))),
  settings: 'defaults (5,000 warm-up requests, 20 rounds x 500 requests, threshold 8 B/req, 10 connections)',
  leaks: {},
};
// Saved after every series, the targets first (null runs, the 16 B/request leak), so a run cut short keeps them.
const save = () => {
  results.loadAverageAfter = loadavg().map((value) => Number(value.toFixed(1)));
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(join(root, 'bench', 'results', 'engine.json'), `${JSON.stringify(results, null, 2)}\n`);
};
const leakSeries = (bytes) => {
  const head = app(`heap-${bytes}`, { LEAK_KIND: 'heap', LEAK_BYTES: bytes });
  results.leaks[`${bytes}B`] = series(`${bytes} B/req leak`, none, head);
  save();
};
results.nullRuns = series('null', none, app('none-head', { LEAK_KIND: 'none' }));
results.comparisonWallMs = results.nullRuns.meanWallMs;
results.loadPhaseMs = results.nullRuns.meanLoadPhaseMs;
save();
leakSeries(16);
results.boundedCache = series('bounded cache', none, app('lru', { LEAK_KIND: 'lru', LRU_CAPACITY: 8000 }));
save();
leakSeries(64);
results.probeOverhead = await probeOverhead(6);
save();
rmSync(work, { recursive: true, force: true });
console.log(JSON.stringify(results, null, 2));
