// Shared by the engine benchmarks: fixture app folders (the test fixture server plus its leak.json) and one
// comparison through the bundled CLI, parsed from its --json report.
import { execFile, spawnSync } from 'node:child_process';
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

function compareArgs({ baseDir, headDir, scenario, seed, start = 'node server.cjs' }) {
  return [cli, 'compare', '--base-dir', baseDir, '--head-dir', headDir, '--start', start].concat([
    '--scenario',
    scenario,
    '--seed',
    String(seed),
    '--json',
  ]);
}

function parseReport(stdout, stderr) {
  if (!stdout) throw new Error(`leakwatch failed: ${stderr}`);
  return JSON.parse(stdout);
}

/** One comparison through the bundled CLI (exit code 1, a regression, still prints the report). */
export function compareFixtures(options) {
  const result = spawnSync(process.execPath, compareArgs(options), {
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
  });
  return parseReport(result.stdout, result.stderr);
}

const compareFixturesAsync = (options) =>
  new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      compareArgs(options),
      { maxBuffer: 64 * 2 ** 20 },
      (_error, stdout, stderr) => {
        try {
          resolve(parseReport(stdout, stderr));
        } catch (error) {
          reject(error);
        }
      },
    );
  });

/**
 * `runs` comparisons of the same two folders (seeds 1..runs), `concurrency` at a time (only for apps that wait
 * rather than compute), each recorded with its verdict, slopes, load phase per side and schedule. `onResult`
 * hears each finished run, so a long benchmark can save what ran so far; `shouldStart` can stop starting runs.
 */
export async function compareSeries({
  name,
  runs,
  baseDir,
  headDir,
  scenario,
  start,
  concurrency = 1,
  onResult = () => {},
  shouldStart = () => true,
}) {
  const results = [];
  let nextRun = 0;
  const worker = async () => {
    while (nextRun < runs && shouldStart()) {
      const run = nextRun++;
      const started = Date.now();
      const report = await compareFixturesAsync({ baseDir, headDir, scenario, seed: run + 1, start });
      const head = report.head.fits.find((fit) => fit.metric === 'heapPlusExternal');
      results[run] = {
        verdict: report.comparison.verdict,
        reason: JSON.stringify(report.comparison.finding),
        deltaBytesPerRequest: report.comparison.deltaBytesPerRequest,
        headSlope: head?.steady?.slope ?? null,
        loadPhaseMsPerSide: { base: report.base.load.durationMs, head: report.head.load.durationMs },
        requestsPerSide: { base: report.base.load.requests, head: report.head.load.requests },
        schedule: report.schedule,
        heapDiffs: (report.heapDiffs ?? []).map((diff) => ({
          label: diff.label,
          status: diff.status,
          ...(diff.status === 'analysed'
            ? {
                growing: diff.growing.slice(0, 5).map((row) => row.name),
                retainerPaths: diff.growing.slice(0, 5).map((row) => row.retainerPath),
              }
            : { reason: diff.reason }),
        })),
        wallMs: Date.now() - started,
        loadAverage1m: Number(loadavg()[0].toFixed(1)),
      };
      onResult(results);
      process.stderr.write(
        `${name} run ${run + 1}/${runs}: ${report.comparison.verdict}, ${JSON.stringify(report.comparison.finding)}\n`,
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, runs) }, worker));
  return {
    runs: results.filter(Boolean).length,
    concurrency,
    regressions: results.filter((result) => result.verdict === 'regression').length,
    results: results.filter(Boolean),
  };
}
