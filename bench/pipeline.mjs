// The whole pipeline (`leakwatch compare --base/--head` through dist/cli.js, default scenario and load settings) on
// the Next.js fixture, against two plain installs and builds of the same two commits done by hand in the same run,
// one after the other. Each repetition runs the pipeline twice with one fresh --cache-dir: cold (base cache miss:
// base is installed, built and saved), then the hand runs, then warm (hit: base's install and build skipped). Targets: cold / by-hand
// ≤ 1.3, warm / by-hand ≤ 0.8. Also splits the pipeline's wall time into its stages, from timestamps on its
// progress lines and the JSON report's samples. Writes bench/results/pipeline.json.
// Usage: node bench/pipeline.mjs [repetitions]   (run `npm run build` first)
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gitIn } from './lib/git.mjs';

const rootDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const cliPath = join(rootDir, 'dist', 'cli.js');
const fixtureDir = join(rootDir, '__tests__', 'fixtures', 'next-app');
const repetitions = Number(process.argv[2] ?? 1);
if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: run \`npm run build\` first`);

const workDir = await mkdtemp(join(tmpdir(), 'leakwatch-bench-pipeline-'));
const repoDir = join(workDir, 'repo');
const git = gitIn(repoDir);

// The e2e test's repository: the fixture on main, and a PR branch that moves contentful-sdk-core to 6.4.4.
for (const file of ['package.json', 'package-lock.json', 'next.config.mjs', 'pages/index.js', '.gitignore']) {
  cpSync(join(fixtureDir, file), join(repoDir, file), { recursive: true });
}
git('init', '-q', '-b', 'main');
git('add', '-A');
git('commit', '-q', '-m', 'Next.js app');
git('checkout', '-q', '-b', 'bump');
execFileSync(
  'npm',
  [
    'install',
    '--package-lock-only',
    '--ignore-scripts',
    '--no-audit',
    '--no-fund',
    '-E',
    'contentful-sdk-core@6.4.4',
  ],
  { cwd: repoDir, stdio: 'ignore' },
);
git('commit', '-q', '-a', '-m', 'contentful-sdk-core 6.4.4');
git('checkout', '-q', 'main');

// Both the pipeline and the hand runs use the machine's npm cache, warm after the first install below.
const appEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };

function timed(command, args, cwd) {
  const startMs = performance.now();
  execFileSync(command, args, { cwd, env: appEnv, stdio: 'ignore' });
  return Math.round(performance.now() - startMs);
}

/** Two checkouts installed and built one after the other, as a developer would do it by hand. */
async function byHand(index) {
  const sides = {};
  const startMs = performance.now();
  for (const [label, ref] of [
    ['base', 'main'],
    ['head', 'bump'],
  ]) {
    const dir = join(workDir, `hand-${index}-${label}`);
    git('worktree', 'add', '-q', '--detach', dir, ref);
    sides[label] = { installMs: timed('npm', ['ci'], dir), buildMs: timed('npm', ['run', 'build'], dir) };
  }
  const wallMs = Math.round(performance.now() - startMs);
  for (const label of ['base', 'head'])
    git('worktree', 'remove', '--force', join(workDir, `hand-${index}-${label}`));
  return { wallMs, ...sides };
}

/** Runs the CLI and stamps every progress line with the time since spawn. */
function runPipeline(index, cacheDir) {
  const reportPath = join(workDir, `report-${index}.json`);
  const args = [
    cliPath,
    'compare',
    '--base',
    'main',
    '--head',
    'bump',
    '--repo',
    repoDir,
    '--start',
    'npm start',
  ];
  args.push('--report', reportPath, '--log-dir', join(workDir, `logs-${index}`), '--cache-dir', cacheDir);
  const startMs = performance.now();
  const startWallClockMs = Date.now();
  const lines = [];
  let exitAtMs = null;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: workDir, stdio: ['ignore', 'ignore', 'pipe'] });
    let pending = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      const atMs = Math.round(performance.now() - startMs);
      pending += chunk;
      const complete = pending.split('\n');
      pending = complete.pop() ?? '';
      for (const text of complete) lines.push({ atMs, text: text.replace(/^leakwatch: /, '') });
    });
    child.on('error', reject);
    // 'close' also waits for every process that inherited the CLI's stderr; 'exit' is the CLI alone.
    child.on('exit', () => {
      exitAtMs = Math.round(performance.now() - startMs);
    });
    child.on('close', async (exitCode) => {
      const wallMs = Math.round(performance.now() - startMs);
      try {
        const report = JSON.parse(await readFile(reportPath, 'utf8'));
        const reportWrittenAtMs = Math.round((await stat(reportPath)).mtimeMs - startWallClockMs);
        resolve({ exitCode, wallMs, exitAtMs, reportWrittenAtMs, lines, report });
      } catch (error) {
        reject(
          new Error(`no report (exit ${exitCode}):\n${lines.map((line) => line.text).join('\n')}`, {
            cause: error,
          }),
        );
      }
    });
  });
}

/** The stages the progress lines and the report's samples let us see; what they do not show stays null. */
function splitStages({ wallMs, exitAtMs, reportWrittenAtMs, lines, report }) {
  const at = (pattern) => lines.find((line) => pattern.test(line.text))?.atMs ?? null;
  const lastAt = (pattern) => lines.findLast((line) => pattern.test(line.text))?.atMs ?? null;
  const span = (from, to) => (from === null || to === null ? null : to - from);
  const startingAt = at(/^starting base and head/);
  const readyAt = lastAt(/: ready at /);
  const side = (label) => ({
    installMs: span(at(new RegExp(`^${label}: npm ci`)), at(new RegExp(`^${label}: npm run build`))),
    buildStartedAtMs: at(new RegExp(`^${label}: npm run build`)),
  });
  const buildStarts = ['base', 'head']
    .map((label) => side(label).buildStartedAtMs)
    .filter((atMs) => atMs !== null);
  // The apps start right after `starting base and head`, and each sample's elapsedMs counts from its app's start.
  // Walking both sides' samples in time order, each stretch of one phase runs from the end of the previous
  // stretch (or from both apps being ready) to its last sample; a phase's time is the sum of its stretches.
  const samples = [report.base, report.head]
    .flatMap((result) => result.samples)
    .map((sample) => ({ phase: sample.phase, atMs: startingAt + sample.elapsedMs }))
    .sort((a, b) => a.atMs - b.atMs);
  const phaseMs = {};
  let stretchStartMs = readyAt;
  for (const [index, sample] of samples.entries()) {
    if (samples[index + 1]?.phase === sample.phase) continue;
    phaseMs[sample.phase] = (phaseMs[sample.phase] ?? 0) + Math.max(0, sample.atMs - stretchStartMs);
    stretchStartMs = sample.atMs;
  }
  const isObservable = startingAt !== null && readyAt !== null && samples.length > 0;
  return {
    mergeBaseAndDependencyDiffMs: at(/: checked out /),
    prepareWallMs: span(at(/: checked out /), startingAt),
    install: { base: side('base').installMs, head: side('head').installMs },
    buildPhaseWallMs: span(buildStarts.length > 0 ? Math.min(...buildStarts) : null, startingAt),
    appStartMs: span(startingAt, readyAt),
    warmupMs: isObservable ? (phaseMs.warmup ?? 0) : null,
    measurementMs: isObservable ? (phaseMs.measure ?? 0) : null,
    heapSnapshotsMs: isObservable ? (phaseMs.explain ?? 0) : null,
    // The settles' waits are 'idle' samples, and only each settle's last one is 'settle': both count here. The
    // stretch to a settle's first idle sample also holds what ran before it unsampled (the third snapshot's write).
    settleMs: isObservable ? (phaseMs.settle ?? 0) + (phaseMs.idle ?? 0) : null,
    heapSnapshotsWallMs: span(at(/: taking 3 heap snapshots/), afterSnapshots(lines)),
    reportAndCleanupMs: isObservable ? wallMs - samples[samples.length - 1].atMs : null,
    // Within reportAndCleanupMs: the report file is written before the worktrees and sandbox users are removed.
    lastSampleToReportWrittenMs: isObservable ? reportWrittenAtMs - samples[samples.length - 1].atMs : null,
    reportWrittenToExitMs: exitAtMs === null ? null : exitAtMs - reportWrittenAtMs,
    exitToStreamsClosedMs: exitAtMs === null ? null : wallMs - exitAtMs,
  };
}

/** The first settle started after the first heap snapshots were asked for: where the snapshot phase ends. */
function afterSnapshots(lines) {
  const snapshotIndex = lines.findIndex((line) => /: taking 3 heap snapshots/.test(line.text));
  if (snapshotIndex < 0) return null;
  return lines.slice(snapshotIndex).find((line) => /^settling: /.test(line.text))?.atMs ?? null;
}

const load = () => Number(loadavg()[0].toFixed(2));
const sizeOf = (dir) => Number(execFileSync('du', ['-sb', dir], { encoding: 'utf8' }).split('\t')[0]);

/** One arm of the pipeline with the load average around it. */
async function pipelineArm(index, arm, cacheDir) {
  process.stderr.write(`run ${index + 1}/${repetitions}: pipeline, ${arm} base cache\n`);
  const loadAverageBefore = load();
  const pipeline = await runPipeline(`${index}-${arm}`, cacheDir);
  return {
    loadAverageBefore,
    loadAverageAfter: load(),
    exitCode: pipeline.exitCode,
    verdict: pipeline.report.comparison.verdict,
    baseCache: pipeline.report.baseCache?.status ?? null,
    baseCacheMs: pipeline.report.baseCache ? Math.round(pipeline.report.baseCache.durationMs) : null,
    wallMs: pipeline.wallMs,
    reportDurationMs: pipeline.report.durationMs,
    schedule: pipeline.report.schedule,
    requestsPerSide: { base: pipeline.report.base.load.requests, head: pipeline.report.head.load.requests },
    stages: splitStages(pipeline),
    progressLines: pipeline.lines,
  };
}

// Cold, by hand, then warm: the hand runs sit between the two arms, so drift in the machine's load (the other
// jobs on it) reaches both ratios alike; each arm records its own load average.
const runs = [];
for (let index = 0; index < repetitions; index++) {
  const cacheDir = join(workDir, `cache-${index}`);
  const cold = await pipelineArm(index, 'cold', cacheDir);
  const cacheEntryBytes = sizeOf(cacheDir);
  process.stderr.write(`run ${index + 1}/${repetitions}: by hand\n`);
  const handLoadBefore = load();
  const hand = { loadAverageBefore: handLoadBefore, ...(await byHand(index)), loadAverageAfter: load() };
  process.stderr.write(`  ${JSON.stringify(hand)}\n`);
  const warm = await pipelineArm(index, 'warm', cacheDir);
  const run = {
    byHand: hand,
    pipeline: cold,
    warmPipeline: warm,
    cacheEntryBytes,
    pipelineOverByHand: Number((cold.wallMs / hand.wallMs).toFixed(3)),
    warmPipelineOverByHand: Number((warm.wallMs / hand.wallMs).toFixed(3)),
  };
  runs.push(run);
  process.stderr.write(`  ${JSON.stringify({ ...run, pipeline: undefined, warmPipeline: undefined })}\n`);
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const result = {
  what:
    'leakwatch compare --base main --head bump (default scenario and load settings, dist/cli.js) on the Next.js fixture ' +
    '(Next 15.5.28 pages router; head: contentful-sdk-core 6.4.5 -> 6.4.4), versus npm ci + npm run build of base then ' +
    'head by hand in the same run; npm cache warm for both. pipeline: cold --cache-dir (miss, base saved); ' +
    'warmPipeline: the same --cache-dir right after (hit: base restored, its install and build skipped)',
  target: 'pipelineOverByHand (cold base cache) <= 1.3, warmPipelineOverByHand <= 0.8',
  date: new Date().toISOString(),
  node: process.version,
  cpuCount: cpus().length,
  cpuModel: cpus()[0]?.model,
  repetitions,
  summary: {
    pipelineWallMsMedian: median(runs.map((run) => run.pipeline.wallMs)),
    byHandWallMsMedian: median(runs.map((run) => run.byHand.wallMs)),
    pipelineOverByHandMedian: median(runs.map((run) => run.pipelineOverByHand)),
    warmPipelineWallMsMedian: median(runs.map((run) => run.warmPipeline.wallMs)),
    warmPipelineOverByHandMedian: median(runs.map((run) => run.warmPipelineOverByHand)),
  },
  stageNotes: {
    timing:
      'ms since the CLI was spawned, from when each progress line reached the bench (stderr is unbuffered)',
    install: 'per side, from its `npm ci` line to its `npm run build` line; the two sides overlap',
    build:
      'not observable per side: no line marks the end of one side’s build. buildPhaseWallMs runs from the first ' +
      'build start to `starting base and head`, so it includes the rest of the slower side’s install',
    phases:
      'warmupMs, measurementMs, heapSnapshotsMs (the explain phase) and settleMs (idle waits and their samples; up to 2026-12-01 15:50 UTC only each settle’s last sample, which left most of it uncounted) come ' +
      'from the report’s samples: each sample’s elapsedMs counts from its app’s start, right after `starting base ' +
      'and head`; in time order over both sides, each stretch of one phase runs from the previous stretch’s last ' +
      'sample (or both apps ready) to its own last sample',
    heapSnapshotsWallMs:
      'from the `taking 3 heap snapshots` line to the next `settling:` line: the three snapshots’ writes and the two ' +
      'batches between them (the sample-based heapSnapshotsMs misses the third write, which the settle stretch holds)',
    reportAndCleanupMs:
      'from the last sample to the CLI’s stderr closing: stopping the apps, fitting, writing the report (its file ' +
      'mtime, on the same clock), then removing both worktrees and the sandbox users and exiting; split into ' +
      'lastSampleToReportWrittenMs (time to the verdict), reportWrittenToExitMs (the cleanup and the event loop ' +
      'draining) and exitToStreamsClosedMs (processes holding the CLI’s stderr)',
  },
  runs,
};
await mkdir(join(rootDir, 'bench/results'), { recursive: true });
await writeFile(join(rootDir, 'bench/results/pipeline.json'), `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(result.summary, null, 2)}\n`);
await rm(workDir, { recursive: true, force: true });
