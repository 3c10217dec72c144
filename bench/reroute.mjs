// Null comparisons through rerouting at the default settings: base and head are the same app, whose every page
// calls hard-coded origins (fetch and node:https to https://api.example.test, node:http to
// http://cms.internal:8080) that the probe reroutes to stubs answering from fixtures. Each run must be a PASS;
// the spread of the deltas says how much noise rerouting adds. BENCH_MODE=direct makes the same calls to an
// env-passed stub instead (no rerouting, no TLS), for comparison. BENCH_RUNS (default 10); results are written
// after every run, so a run cut short still leaves what it measured.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareSeries, root } from './lib/fixture-compare.mjs';

const runs = Number(process.env.BENCH_RUNS ?? 10);
const isDirect = process.env.BENCH_MODE === 'direct';
const work = mkdtempSync(join(tmpdir(), 'leakwatch-bench-reroute-'));
const app = (label) => {
  const dir = join(work, label);
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(root, '__tests__', 'fixtures', 'servers', 'outbound-app.cjs'), join(dir, 'server.cjs'));
  writeFileSync(join(dir, 'outbound.json'), '{}');
  return dir;
};
const fixtures = join(work, 'fixtures', 'api', 'v2', 'pokemon');
mkdirSync(fixtures, { recursive: true });
writeFileSync(join(fixtures, 'pikachu.json'), '{"name":"pikachu","species":{"name":"pikachu"}}\n');
const scenario = join(work, 'scenario.yml');
writeFileSync(
  scenario,
  [
    'name: bench-reroute',
    'requests:',
    '  - path: /?n={{seq}}',
    'readyPath: /health',
    'upstreams:',
    '  - name: pokeapi',
    isDirect
      ? '    env: UPSTREAM_URL'
      : '    hosts: ["https://api.example.test", "http://cms.internal:8080"]',
    '    fixtures: fixtures',
    '',
  ].join('\n'),
);

const baseDir = app('base');
const headDir = app('head');
const results = [];
const output = () => ({
  measuredAt: new Date().toISOString(),
  machine: { cpus: cpus().length, node: process.version },
  settings: isDirect
    ? 'defaults; 3 upstream calls per page to an env-passed stub (no rerouting, plain http), fixtures'
    : 'defaults; 3 rerouted upstream calls per page (2 over TLS to the stub), fixtures',
  runsPlanned: runs,
  runsDone: results.length,
  // A null comparison passes only as `unchanged`: pre-existing and inconclusive fail the check, and an
  // improvement between two copies of one app is as wrong as a regression.
  passes: results.filter((result) => result.verdict === 'unchanged').length,
  verdicts: Object.fromEntries(
    [...new Set(results.map((result) => result.verdict))].map((verdict) => [
      verdict,
      results.filter((result) => result.verdict === verdict).length,
    ]),
  ),
  deltaBytesPerRequest: {
    min: Math.min(...results.map((result) => result.deltaBytesPerRequest ?? Number.NaN)),
    max: Math.max(...results.map((result) => result.deltaBytesPerRequest ?? Number.NaN)),
  },
  results,
});
for (let run = 0; run < runs; run++) {
  const loadAverageBefore = Number(loadavg()[0].toFixed(1));
  const series = await compareSeries({
    name: `null ${isDirect ? 'with a direct stub' : 'through rerouting'} ${run + 1}`,
    runs: 1,
    baseDir,
    headDir,
    scenario,
  });
  const [result] = series.results;
  results.push({ ...result, loadAverage1mBefore: loadAverageBefore });
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(
    join(root, 'bench', 'results', isDirect ? 'reroute-direct.json' : 'reroute.json'),
    `${JSON.stringify(output(), null, 2)}\n`,
  );
}
rmSync(work, { recursive: true, force: true });
console.log(JSON.stringify(output(), null, 2));
