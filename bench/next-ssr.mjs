// Time-aware measurement on a real Next.js SSR page at the default settings: load-phase wall time per side, and
// how often a leak of LEAK_BYTES per request is caught against how often a null comparison alarms.
// The fixture app is built once; base and head are copies of that build that differ only in leak.json.
// BENCH_RUNS (default 10) leak comparisons, BENCH_NULL_RUNS (default BENCH_RUNS) null ones, BENCH_LEAK_BYTES
// (default 256); results in bench/results/$BENCH_RESULT.json (default next-ssr). Each comparison takes minutes.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareSeries, root } from './lib/fixture-compare.mjs';

const runs = Number(process.env.BENCH_RUNS ?? 10);
const nullRunCount = Number(process.env.BENCH_NULL_RUNS ?? runs);
const leakBytes = Number(process.env.BENCH_LEAK_BYTES ?? 256);
const resultName = process.env.BENCH_RESULT ?? 'next-ssr';
const work = mkdtempSync(join(tmpdir(), 'leakwatch-bench-next-'));
const built = join(work, 'built');

function buildApp() {
  const fixture = join(root, '__tests__', 'fixtures', 'next-app');
  cpSync(fixture, built, {
    recursive: true,
    filter: (source) => !/[/\\](node_modules|\.next)$/.test(source),
  });
  cpSync(join(root, 'bench', 'fixtures', 'next-ssr', 'bench.js'), join(built, 'pages', 'bench.js'));
  cpSync(join(root, 'bench', 'fixtures', 'next-ssr', 'lib'), join(built, 'lib'), { recursive: true });
  const run = (command, args) =>
    execFileSync(command, args, { cwd: built, stdio: ['ignore', 'ignore', 'inherit'] });
  process.stderr.write('installing and building the Next.js fixture...\n');
  run('npm', ['ci', '--no-audit', '--no-fund']);
  run('npm', ['run', 'build']);
}

/** A copy of the build (node_modules hard-linked) with its own leak.json. */
function variant(label, bytes) {
  const dir = join(work, label);
  mkdirSync(dir);
  for (const entry of ['.next', 'pages', 'lib', 'package.json', 'next.config.mjs']) {
    cpSync(join(built, entry), join(dir, entry), { recursive: true });
  }
  execFileSync('cp', ['-al', join(built, 'node_modules'), join(dir, 'node_modules')]);
  writeFileSync(join(dir, 'leak.json'), JSON.stringify({ LEAK_BYTES: bytes }));
  return dir;
}

const series = (name, count, baseDir, headDir, scenario) =>
  compareSeries({ name, runs: count, baseDir, headDir, scenario, start: 'npm start' });

buildApp();
const scenario = join(work, 'scenario.json');
writeFileSync(
  scenario,
  JSON.stringify({ name: 'bench-next-ssr', requests: [{ path: '/bench?lw={{seq}}' }] }),
);
const base = variant('base', 0);
const nullRuns = await series('null', nullRunCount, base, variant('null-head', 0), scenario);
const leakRuns = await series(
  `${leakBytes} B/req leak`,
  runs,
  base,
  variant('leak-head', leakBytes),
  scenario,
);
const loadPhases = [...nullRuns.results, ...leakRuns.results].flatMap((result) =>
  Object.values(result.loadPhaseMsPerSide),
);
const output = {
  measuredAt: new Date().toISOString(),
  machine: { cpus: cpus().length, node: process.version },
  settings:
    'defaults (time budget 90 s of load per side, settle 10 s), Next.js 15 SSR page (getServerSideProps)',
  maxLoadPhaseMsPerSide: Math.max(...loadPhases),
  nullRuns,
  leakRuns: { leakBytesPerRequest: leakBytes, ...leakRuns },
  targets: {
    loadPhaseAtMost90sPerSide: Math.max(...loadPhases) <= 90_000,
    leakCaughtEveryRun: leakRuns.regressions === runs,
    noFalseAlarm: nullRunCount > 0 ? nullRuns.regressions === 0 : null,
    leakAtMost256BytesPerRequest: leakBytes <= 256,
  },
};
rmSync(work, { recursive: true, force: true });
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', `${resultName}.json`), `${JSON.stringify(output, null, 2)}\n`);
console.log(JSON.stringify(output, null, 2));
