// Bisection cost: a grouped bump of 8 packages, one of them leaking (contentful-sdk-core 6.4.5 -> 6.4.4), compared
// once with `--no-bisect` and once with the bisection, in the same run on the same repo. Records the number of
// candidate measurements and the extra wall time against the plain comparison. Targets: <= 4 candidates and extra
// time <= 4x one comparison. Writes bench/results/bisect.json.
// Usage: node bench/bisect.mjs   (run `npm run build` first; LEAKWATCH_CLI=<path> runs another build of the CLI)
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gitIn } from './lib/git.mjs';

const rootDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const cliPath = process.env.LEAKWATCH_CLI ?? join(rootDir, 'dist', 'cli.js');
if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: run \`npm run build\` first`);

// Zero-dependency packages, so the lockfile diff is exactly these 8 bumps.
const base = {
  axios: '0.27.2',
  bytes: '3.0.0',
  'contentful-sdk-core': '6.4.5',
  cookie: '0.5.0',
  'escape-html': '1.0.2',
  lodash: '4.17.20',
  ms: '2.1.2',
  semver: '7.6.0',
  uuid: '9.0.0',
};
const head = {
  ...base,
  bytes: '3.1.2',
  'contentful-sdk-core': '6.4.4',
  cookie: '0.6.0',
  'escape-html': '1.0.3',
  lodash: '4.17.21',
  ms: '2.1.3',
  semver: '7.6.2',
  uuid: '9.0.1',
};

const workDir = await mkdtemp(join(tmpdir(), 'leakwatch-bench-bisect-'));
const repoDir = join(workDir, 'repo');
const git = gitIn(repoDir);

async function commitDependencies(dependencies, message) {
  await writeFile(
    join(repoDir, 'package.json'),
    `${JSON.stringify({ name: 'bench-bisect', private: true, dependencies }, null, 2)}\n`,
  );
  execFileSync('npm', ['install', '--package-lock-only', '--no-audit', '--no-fund'], {
    cwd: repoDir,
    stdio: 'ignore',
  });
  git('add', '-A');
  git('commit', '-q', '-m', message);
}

function runCompare(extraArgs) {
  const startedMs = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        cliPath,
        'compare',
        '--base',
        'main',
        '--head',
        'bump',
        '--repo',
        repoDir,
        '--start',
        'node server.js',
        '--scenario',
        'scenario.yml',
        '--json',
        ...extraArgs,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      try {
        resolve({ code, wallMs: performance.now() - startedMs, report: JSON.parse(stdout) });
      } catch (error) {
        reject(new Error(`exit ${code}, no JSON report: ${error}`));
      }
    });
  });
}

try {
  execFileSync('git', ['init', '-q', '-b', 'main', repoDir]);
  const demoServer = await readFile(join(rootDir, 'demo', 'base', 'server.js'), 'utf8');
  const requires = Object.keys(base).filter((name) => name !== 'axios' && name !== 'contentful-sdk-core');
  await writeFile(
    join(repoDir, 'server.js'),
    `${requires.map((name) => `require('${name}');`).join('\n')}\n${demoServer}`,
  );
  await writeFile(
    join(repoDir, 'scenario.yml'),
    await readFile(join(rootDir, 'demo', 'scenario.yml'), 'utf8'),
  );
  await commitDependencies(base, 'base');
  git('checkout', '-q', '-b', 'bump');
  await commitDependencies(head, 'grouped bump of 8 packages');
  git('checkout', '-q', 'main');

  const plain = await runCompare(['--no-bisect']);
  const bisected = await runCompare([]);
  const { bisection } = bisected.report;
  const outcome = bisection?.outcome;
  const result = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, loadavg1: loadavg()[0], node: process.version },
    bumps: bisected.report.dependencyChanges?.length ?? null,
    plain: {
      verdict: plain.report.comparison.verdict,
      wallMs: Math.round(plain.wallMs),
      comparisonMs: plain.report.durationMs,
    },
    bisect: {
      verdict: bisected.report.comparison.verdict,
      wallMs: Math.round(bisected.wallMs),
      outcome: outcome?.kind ?? null,
      culprit:
        outcome?.kind === 'culprit' ? outcome.changes.map((change) => `${change.name}@${change.to}`) : null,
      isConfirmed: outcome?.kind === 'culprit' ? outcome.isConfirmed : null,
      candidateMeasurements:
        bisection?.steps.filter((step) => step.slopeBytesPerRequest !== null).length ?? 0,
      candidates: bisection?.candidateCount ?? 0,
      bisectionMs: Math.round(bisection?.durationMs ?? 0),
      steps: (bisection?.steps ?? []).map((step) => ({
        packages: step.packages,
        verdict: step.verdict,
        durationMs: Math.round(step.durationMs),
      })),
    },
  };
  result.extraWallMs = result.bisect.wallMs - result.plain.wallMs;
  result.extraOverPlain = Number((result.extraWallMs / result.plain.wallMs).toFixed(2));
  result.targets = {
    candidateMeasurementsAtMost4: result.bisect.candidateMeasurements <= 4,
    extraAtMost4xPlain: result.extraOverPlain <= 4,
  };
  await writeFile(join(rootDir, 'bench', 'results', 'bisect.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
} finally {
  await rm(workDir, { recursive: true, force: true });
}
