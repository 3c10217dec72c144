// A PR with one bump: the bump is the culprit without measuring a candidate, and the remedy measures the
// culprit's newer releases for real (contentful-sdk-core 6.4.4 keeps every client; 6.4.5 and later do not).
import { execFileSync } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bisectChanges } from '../../src/bisect/bisect.js';
import { diffDependencies } from '../../src/deps/diff.js';
import { compareRefs } from '../../src/pipeline/pipeline.js';
import { leakwatchVersion, probePath } from '../../src/process/package-files.js';
import { renderCompareText } from '../../src/report/terminal.js';
import { loadScenario } from '../../src/scenario/load.js';
import { gitIn, makeRepo, makeTempDir, removeDir, worktreeDirs } from '../prepare/fixtures.js';
import { buildReport } from '../report/build-report.js';

const demoDir = join(import.meta.dirname, '..', '..', 'demo');
const tempDirs: string[] = [];
afterAll(async () => {
  for (const dir of tempDirs) await removeDir(dir);
});

const manifest = (dependencies: Record<string, string>) =>
  `${JSON.stringify({ name: 'single-bump', private: true, dependencies }, null, 2)}\n`;
const lockOnly = (dir: string) =>
  execFileSync('npm', ['install', '--package-lock-only', '--no-audit', '--no-fund'], {
    cwd: dir,
    stdio: 'ignore',
  });

describe('a PR with a single bump', () => {
  it('next 14.1 → 14.2 moves many lockfile entries but is one bump: named without any candidate', async () => {
    const repo = await makeRepo();
    tempDirs.push(repo.dir);
    const deps = (next: string) => ({ next, react: '18.2.0', 'react-dom': '18.2.0' });
    await repo.commit({ 'package.json': manifest(deps('14.1.0')) }, 'app');
    lockOnly(repo.dir);
    await repo.commit({}, 'lock');
    gitIn(repo.dir, 'checkout', '-q', '-b', 'bump');
    await repo.commit({ 'package.json': manifest(deps('14.2.15')) }, 'bump next');
    lockOnly(repo.dir);
    await repo.commit({}, 'lock');
    const diff = await diffDependencies({ repoDir: repo.dir, baseRef: 'main', headRef: 'bump' });
    const transitive = diff.changes.filter((change) => !change.direct);
    expect(transitive.length).toBeGreaterThanOrEqual(10);
    expect(diff.units.map((unit) => [unit.kind, unit.lead, unit.changes.length])).toEqual([
      ['bump', 'next', diff.changes.length],
    ]);

    // The head comparison's numbers stand in for a measured regression; nothing here may start a candidate.
    const headReport = buildReport({
      verdict: 'regression',
      base: { slopeBytes: 40 },
      head: { slopeBytes: 9000 },
    });
    const lines: string[] = [];
    const logDir = await makeTempDir('single-bump-logs');
    tempDirs.push(logDir);
    const bisection = await bisectChanges({
      repoDir: repo.dir,
      baseSha: gitIn(repo.dir, 'rev-parse', 'main'),
      workingDirectory: '.',
      baseAppDir: join(repo.dir, 'not-built'),
      plan: headReport.plan,
      context: {
        scenario: await loadScenario({ nameOrPath: undefined, cwd: repo.dir }),
        scenarioDir: repo.dir,
        probePath: probePath(),
        leakwatchVersion: leakwatchVersion(),
        workDir: logDir,
        log: (line: string) => lines.push(line),
      },
      logDir,
      log: (line) => lines.push(line),
      units: diff.units,
      headReport,
      leakBytesPerRequest: 8960,
      timeBudgetMs: 60_000,
    });
    expect(bisection.steps).toEqual([]);
    expect(bisection.candidateCount).toBe(0);
    expect(worktreeDirs(repo.dir)).toEqual([repo.dir]);
    expect(bisection.outcome).toMatchObject({
      kind: 'culprit',
      confirmation: 'only-bump',
      isConfirmed: true,
    });
    const text = renderCompareText({ ...headReport, bisection });
    // The terminal wraps at 100 columns: read its lines joined back.
    expect(text.replace(/\s+/g, ' ')).toContain(
      `culprit next 14.1.0 → 14.2.15 with the ${transitive.length} transitive changes it brings in (the only bump in this PR: nothing else was measured)`,
    );
  }, 120_000);

  it('contentful-sdk-core 6.1.0 → 6.4.4 with a refreshed lockfile: one bump, no candidate, the remedy names a clean release', async () => {
    const repo = await makeRepo();
    tempDirs.push(repo.dir);
    await repo.commit(
      {
        'server.js': await readFile(join(demoDir, 'base', 'server.js'), 'utf8'),
        'scenario.yml': await readFile(join(demoDir, 'scenario.yml'), 'utf8'),
        // Older qs and lodash pinned once, so base's lockfile keeps them after the pins go.
        'package.json': manifest({
          axios: '0.27.2',
          'contentful-sdk-core': '6.1.0',
          qs: '6.5.2',
          lodash: '4.17.10',
        }),
      },
      'app',
    );
    lockOnly(repo.dir);
    await repo.commit(
      { 'package.json': manifest({ axios: '0.27.2', 'contentful-sdk-core': '6.1.0' }) },
      'unpin',
    );
    lockOnly(repo.dir);
    await repo.commit({}, 'base lock');
    gitIn(repo.dir, 'checkout', '-q', '-b', 'bump');
    await rm(join(repo.dir, 'package-lock.json'));
    await repo.commit(
      { 'package.json': manifest({ axios: '0.27.2', 'contentful-sdk-core': '6.4.4' }) },
      'bump',
    );
    lockOnly(repo.dir);
    await repo.commit({}, 'fresh lock');
    gitIn(repo.dir, 'checkout', '-q', 'main');

    const logDir = await makeTempDir('single-bump-logs');
    tempDirs.push(logDir);
    const lines: string[] = [];
    const outcome = await compareRefs({
      repoDir: repo.dir,
      baseRef: 'main',
      headRef: 'bump',
      workingDirectory: '.',
      settings: { startCommand: 'node server.js', warmupRequests: 1500, requestsPerRound: 150, rounds: 10 },
      scenario: 'scenario.yml',
      isForced: false,
      logDir,
      log: (line) => lines.push(line),
    });
    if (outcome.kind !== 'compared') throw new Error(`skipped: ${outcome.reason}`);
    const { report } = outcome;
    expect(report.comparison.verdict, JSON.stringify(report.comparison.finding)).toBe('regression');
    expect(report.dependencyChanges?.filter((change) => !change.direct).length).toBeGreaterThan(5);
    const bisection = report.bisection;
    expect(bisection?.candidateCount, lines.join('\n')).toBe(0);
    expect(bisection?.outcome).toMatchObject({ kind: 'culprit', confirmation: 'only-bump' });
    expect(lines.filter((line) => line.startsWith('bisect: candidate'))).toEqual([]);

    // The newest 6.x is measured against base first; it no longer keeps clients, so it is the remedy.
    const remedy = bisection?.remedy;
    expect(remedy?.advice, lines.join('\n')).toBe('bump');
    expect(remedy?.steps.map((step) => [step.packages, step.verdict])).toEqual([
      [[`contentful-sdk-core@${remedy?.version}`], 'clean'],
    ]);
    expect(remedy?.sentence).toBe(
      `contentful-sdk-core ${remedy?.version} (newest 6.x) does not leak: bump to it instead`,
    );
    expect(renderCompareText(report).replace(/\s+/g, ' ')).toContain(`remedy ${remedy?.sentence}`);
    expect(worktreeDirs(repo.dir)).toEqual([repo.dir]);
  }, 420_000);
});
