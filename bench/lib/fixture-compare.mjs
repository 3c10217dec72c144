// Shared by the engine benchmarks: fixture app folders (the test fixture server plus its leak.json) and one
// comparison through the bundled CLI, parsed from its --json report.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const fixtureServer = join(root, '__tests__', 'fixtures', 'servers', 'server.cjs');
const cli = join(root, 'dist', 'cli.js');

export function makeFixtureApp(parent, label, config) {
  const dir = join(parent, label);
  mkdirSync(dir, { recursive: true });
  copyFileSync(fixtureServer, join(dir, 'server.cjs'));
  writeFileSync(join(dir, 'leak.json'), JSON.stringify(config));
  return dir;
}

/** A unique path per request, written as a scenario file in `parent`. */
export function writeUniquePathScenario(parent, name) {
  const path = join(parent, 'scenario.json');
  writeFileSync(path, JSON.stringify({ name, requests: [{ path: '/item/{{seq}}' }] }));
  return path;
}

export function compareFixtures({ baseDir, headDir, scenario, seed, start = 'node server.cjs' }) {
  const args = ['compare', '--base-dir', baseDir, '--head-dir', headDir, '--start', start];
  const result = spawnSync(
    process.execPath,
    [cli, ...args, '--scenario', scenario, '--seed', String(seed), '--json'],
    {
      encoding: 'utf8',
      maxBuffer: 64 * 2 ** 20,
    },
  );
  if (!result.stdout) throw new Error(`leakwatch failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

/**
 * `runs` comparisons of the same two folders (seeds 1..runs), each recorded with its verdict, slopes, load phase
 * per side and schedule; counts the regressions.
 */
export function compareSeries({ name, runs, baseDir, headDir, scenario, start }) {
  const results = [];
  for (let run = 0; run < runs; run++) {
    const started = Date.now();
    const report = compareFixtures({ baseDir, headDir, scenario, seed: run + 1, start });
    const head = report.head.fits.find((fit) => fit.metric === 'heapPlusExternal');
    results.push({
      verdict: report.comparison.verdict,
      deltaBytesPerRequest: report.comparison.deltaBytesPerRequest,
      headSlope: head?.steady?.slope ?? null,
      loadPhaseMsPerSide: { base: report.base.load.durationMs, head: report.head.load.durationMs },
      requestsPerSide: { base: report.base.load.requests, head: report.head.load.requests },
      schedule: report.schedule,
      wallMs: Date.now() - started,
      loadAverage1m: Number(loadavg()[0].toFixed(1)),
    });
    process.stderr.write(
      `${name} run ${run + 1}/${runs}: ${report.comparison.verdict}, ${report.comparison.reason}\n`,
    );
  }
  return { runs, regressions: results.filter((result) => result.verdict === 'regression').length, results };
}
