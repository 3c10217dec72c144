// One-bump PR and remedy cost: contentful-sdk-core 6.1.0 -> 6.4.4 with a refreshed lockfile (the bump brings its
// own transitive changes), compared at the demo scenario's settings through dist/cli.js. Records the extra time
// bisection took (target 0: one bump is named without a candidate) and the time per remedy candidate (the newest
// 6.x measured against base). Writes bench/results/bisect-single.json.
// Usage: node bench/bisect-single.mjs   (run `npm run build` first)
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gitIn } from './lib/git.mjs';

const rootDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const cliPath = join(rootDir, 'dist', 'cli.js');
if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: run \`npm run build\` first`);

const workDir = await mkdtemp(join(tmpdir(), 'leakwatch-bench-single-'));
const repoDir = join(workDir, 'repo');
const git = gitIn(repoDir);
const manifest = (dependencies) =>
  writeFile(
    join(repoDir, 'package.json'),
    `${JSON.stringify({ name: 'single', private: true, dependencies }, null, 2)}\n`,
  );
const lockOnly = () =>
  execFileSync('npm', ['install', '--package-lock-only', '--no-audit', '--no-fund'], {
    cwd: repoDir,
    stdio: 'ignore',
  });

execFileSync('mkdir', ['-p', repoDir]);
git('init', '-q', '-b', 'main');
await copyFile(join(rootDir, 'demo', 'base', 'server.js'), join(repoDir, 'server.js'));
await copyFile(join(rootDir, 'demo', 'scenario.yml'), join(repoDir, 'scenario.yml'));
// Older qs and lodash pinned once, so base's lockfile keeps them; head's lockfile is written fresh.
await manifest({ axios: '0.27.2', 'contentful-sdk-core': '6.1.0', qs: '6.5.2', lodash: '4.17.10' });
lockOnly();
await manifest({ axios: '0.27.2', 'contentful-sdk-core': '6.1.0' });
lockOnly();
git('add', '-A');
git('commit', '-q', '-m', 'base');
git('checkout', '-q', '-b', 'bump');
await rm(join(repoDir, 'package-lock.json'));
await manifest({ axios: '0.27.2', 'contentful-sdk-core': '6.4.4' });
lockOnly();
git('add', '-A');
git('commit', '-q', '-m', 'bump');
git('checkout', '-q', 'main');

const loadavgBefore = loadavg()[0];
const reportPath = join(workDir, 'report.json');
const startMs = performance.now();
await new Promise((resolve, reject) => {
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
    'node server.js',
  ];
  args.push('--scenario', 'scenario.yml', '--report', reportPath);
  const child = spawn(process.execPath, args, { cwd: workDir, stdio: ['ignore', 'ignore', 'inherit'] });
  child.on('error', reject);
  child.on('close', resolve);
});
const wallMs = Math.round(performance.now() - startMs);
const report = JSON.parse(await readFile(reportPath, 'utf8'));
const { bisection } = report;
const result = {
  date: new Date().toISOString(),
  machine: {
    cpus: cpus().length,
    loadavg1Before: loadavgBefore,
    loadavg1After: loadavg()[0],
    node: process.version,
  },
  what: 'contentful-sdk-core 6.1.0 -> 6.4.4, one package.json line, lockfile refreshed; demo scenario settings',
  lockfileChanges: report.dependencyChanges.length,
  transitiveChanges: report.dependencyChanges.filter((change) => !change.direct).length,
  verdict: report.comparison.verdict,
  wallMs,
  comparisonMs: report.durationMs,
  bisection: {
    units: bisection?.units.length ?? null,
    candidates: bisection?.candidateCount ?? null,
    extraMs: Math.round(bisection?.durationMs ?? 0),
    outcome: bisection?.outcome.kind ?? null,
    confirmation: bisection?.outcome.confirmation ?? null,
  },
  remedy: bisection?.remedy && {
    sentence: bisection.remedy.sentence,
    totalMs: Math.round(bisection.remedy.durationMs),
    candidates: bisection.remedy.steps.map((step) => ({
      packages: step.packages,
      verdict: step.verdict,
      ms: Math.round(step.durationMs),
    })),
  },
};
await writeFile(
  join(rootDir, 'bench', 'results', 'bisect-single.json'),
  `${JSON.stringify(result, null, 2)}\n`,
);
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
await rm(workDir, { recursive: true, force: true });
