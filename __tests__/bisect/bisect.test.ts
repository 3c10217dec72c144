// Real repos, real installs from the npm registry, real measurements: the grouped bump of the demo app.
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { primaryFit } from '../../src/analysis/analysis.js';
import { compareRefs } from '../../src/pipeline/pipeline.js';
import { renderCompareText } from '../../src/report/terminal.js';
import type { PlanSettings } from '../../src/settings/table.js';
import { gitIn, makeRepo, makeTempDir, removeDir, worktreeDirs } from '../prepare/fixtures.js';

const demoDir = join(import.meta.dirname, '..', '..', 'demo');
const tempDirs: string[] = [];
afterAll(async () => {
  for (const dir of tempDirs) await removeDir(dir);
});

// The demo server, plus the other bumped packages loaded at startup so every candidate runs them.
const serverJs = async (dependencies: Record<string, string>) => {
  const others = Object.keys(dependencies).filter((name) => !['axios', 'contentful-sdk-core'].includes(name));
  const requires = others.map((name) => `require('${name}');\n`).join('');
  return `${requires}${await readFile(join(demoDir, 'base', 'server.js'), 'utf8')}`;
};

/** `main` with `baseDeps`, branch `bump` with `headDeps`, each with the lockfile npm writes for it. */
async function makeBumpRepo(baseDeps: Record<string, string>, headDeps: Record<string, string>) {
  const repo = await makeRepo();
  tempDirs.push(repo.dir);
  const manifest = (dependencies: Record<string, string>) =>
    `${JSON.stringify({ name: 'bisect-fixture', private: true, dependencies }, null, 2)}\n`;
  const lock = async (dependencies: Record<string, string>, message: string) => {
    await repo.commit({ 'package.json': manifest(dependencies) }, `${message} (manifest)`);
    execFileSync('npm', ['install', '--package-lock-only', '--no-audit', '--no-fund'], {
      cwd: repo.dir,
      stdio: 'ignore',
    });
    return repo.commit({}, message);
  };
  await repo.commit(
    {
      'server.js': await serverJs(baseDeps),
      'scenario.yml': await readFile(join(demoDir, 'scenario.yml'), 'utf8'),
    },
    'app',
  );
  gitIn(repo.dir, 'add', '-A');
  await lock(baseDeps, 'base dependencies');
  gitIn(repo.dir, 'checkout', '-q', '-b', 'bump');
  await lock(headDeps, 'grouped bump');
  gitIn(repo.dir, 'checkout', '-q', 'main');
  return repo.dir;
}

async function compare(repoDir: string, lines: string[], overrides: Partial<PlanSettings> = {}) {
  const logDir = await makeTempDir('bisect-logs');
  tempDirs.push(logDir);
  return compareRefs({
    repoDir,
    baseRef: 'main',
    headRef: 'bump',
    workingDirectory: '.',
    // A client per request makes a lot of JIT work: 400 warm-up requests left the sides drifting apart enough
    // for a false regression under load; 1,500 get them past it.
    settings: {
      startCommand: 'node server.js',
      warmupRequests: 1500,
      requestsPerRound: 150,
      rounds: 10,
      ...overrides,
    },
    scenario: 'scenario.yml',
    isForced: false,
    logDir,
    log: (line) => lines.push(line),
  });
}

// 7 bumps (ajv carries its transitive changes, semver drops lru-cache within its own bump) put ajv, ajv-keywords
// and contentful-sdk-core in the first half, so a later split tries ajv-keywords without ajv: 5 candidates, up to
// ~8 min on a loaded 2-core machine.
const harmless = { base: { ms: '2.1.2', semver: '7.5.4' }, head: { ms: '2.1.3', semver: '7.6.0' } };

describe('bisection of a grouped bump', () => {
  it('names contentful-sdk-core 6.4.4 and confirms it alone; the peer-conflicting candidate is skipped, not blamed', async () => {
    const repoDir = await makeBumpRepo(
      {
        axios: '0.27.2',
        'contentful-sdk-core': '6.4.5',
        ajv: '6.12.6',
        'ajv-keywords': '3.5.2',
        debug: '4.3.4',
        uuid: '9.0.0',
        ...harmless.base,
      },
      {
        axios: '0.27.2',
        'contentful-sdk-core': '6.4.4',
        ajv: '8.12.0',
        'ajv-keywords': '5.1.0',
        debug: '4.3.5',
        uuid: '9.0.1',
        ...harmless.head,
      },
    );
    const lines: string[] = [];
    const outcome = await compare(repoDir, lines);
    if (outcome.kind !== 'compared') throw new Error(`skipped: ${outcome.reason}`);
    const { report } = outcome;
    expect(report.comparison.verdict, JSON.stringify(report.comparison.finding)).toBe('regression');
    const bisection = report.bisection;
    expect(bisection, lines.join('\n')).toBeDefined();
    if (!bisection) return;
    const headFit = primaryFit(report.head)?.steady;
    const summary = JSON.stringify({
      head: headFit && [headFit.slope, headFit.low, headFit.high],
      steps: bisection.steps.map((step) => [step.packages, step.verdict, step.slopeBytesPerRequest]),
    });
    expect(bisection.outcome.kind, summary).toBe('culprit');
    if (bisection.outcome.kind !== 'culprit') return;
    expect(bisection.outcome.changes.map((change) => [change.name, change.from, change.to])).toEqual([
      ['contentful-sdk-core', '6.4.5', '6.4.4'],
    ]);
    expect(bisection.outcome.isConfirmed, summary).toBe(true);
    // The CLI's output names the culprit, the verdict line first, every line within 100 columns.
    const text = renderCompareText(report);
    expect(text.replace(/\n {5}/g, ' ').split('\n')[0]).toMatch(
      /^FAIL .* · contentful-sdk-core 6\.4\.5 → 6\.4\.4 \(downgrade\) \(culprit of \d+ bumps\)$/,
    );
    expect(text).toContain('\n  culprit contentful-sdk-core 6.4.5 → 6.4.4');
    for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(100);
    expect(bisection.outcome.confirmation).toBe('slope');
    // A downgrade's remedy is base's version, with nothing more measured.
    expect(bisection.remedy).toMatchObject({ advice: 'stay', version: '6.4.5', steps: [] });
    expect(bisection.outcome.deltaBytesPerRequest).toBeGreaterThan(report.plan.thresholdBytesPerRequest);
    const confirmation = bisection.steps.find((step) => step.isConfirmation);
    expect(confirmation?.packages).toEqual(['contentful-sdk-core']);
    expect(confirmation?.verdict).toBe('regression');

    // ajv-keywords 5 needs ajv 8: alone on base, npm refuses it (ERESOLVE). Reported, never a pass or a culprit.
    const conflicted = bisection.steps.filter((step) => step.verdict === 'install-failed');
    expect(conflicted.length, summary).toBeGreaterThan(0);
    for (const step of conflicted) {
      expect(step.packages).toContain('ajv-keywords');
      expect(step.packages).not.toContain('contentful-sdk-core');
      expect(step.slopeBytesPerRequest).toBeNull();
      expect(step.reason).toMatch(/install/);
    }
    expect(bisection.candidateCount).toBe(bisection.steps.length);
    // Every candidate worktree is gone, and so are base and head.
    expect(worktreeDirs(repoDir)).toEqual([repoDir]);
  }, 900_000);

  it('a grouped bump of 6 where one runs out of memory: the culprit is named and confirmed by its death', async () => {
    const others = {
      base: { ms: '2.1.2', semver: '7.5.4', debug: '4.3.4', uuid: '9.0.0', picocolors: '1.0.0' },
      head: { ms: '2.1.3', semver: '7.6.0', debug: '4.3.5', uuid: '9.0.1', picocolors: '1.0.1' },
    };
    const repoDir = await makeBumpRepo(
      { axios: '0.27.2', 'contentful-sdk-core': '6.4.5', ...others.base },
      { axios: '0.27.2', 'contentful-sdk-core': '6.4.4', ...others.head },
    );
    const lines: string[] = [];
    // ~4 KB kept per request against a 16 MB heap: head dies within its 6,000 requests, base never grows. The RSS
    // watchdog is set far above a Node process's own ~60 MB, so the death is V8's own out-of-memory.
    const outcome = await compare(repoDir, lines, {
      heapCapMb: 16,
      rssLimitMb: 512,
      requestsPerRound: 450,
      heapSnapshots: 'never',
    });
    if (outcome.kind !== 'compared') throw new Error(`skipped: ${outcome.reason}`);
    const { report } = outcome;
    expect(report.head.exit?.kind, JSON.stringify(report.comparison.finding)).toMatch(/oom|watchdog/);
    expect(report.base.exit).toBeNull();
    const bisection = report.bisection;
    const summary = JSON.stringify(
      bisection?.steps.map((step) => [step.packages, step.verdict, step.diedAfterRequests]),
    );
    expect(bisection?.units.filter((unit) => unit.kind === 'bump')).toHaveLength(6);
    expect(bisection?.outcome, summary).toMatchObject({
      kind: 'culprit',
      isConfirmed: true,
      confirmation: 'ran-out-of-memory',
    });
    if (bisection?.outcome.kind !== 'culprit') return;
    expect(bisection.outcome.changes[0]?.name).toBe('contentful-sdk-core');
    const confirmation = bisection.steps.find((step) => step.isConfirmation);
    expect(confirmation?.packages).toEqual(['contentful-sdk-core']);
    expect(confirmation?.diedAfterRequests).toBeGreaterThan(0);
    // ⌈log2 6⌉ + 1 candidates at most.
    expect(bisection.candidateCount, summary).toBeLessThanOrEqual(4);
    expect(worktreeDirs(repoDir)).toEqual([repoDir]);
  }, 600_000);

  it('never starts a bisection when a grouped bump does not leak', async () => {
    const repoDir = await makeBumpRepo(
      { axios: '0.27.2', 'contentful-sdk-core': '6.4.5', debug: '4.3.4', ...harmless.base },
      { axios: '0.27.2', 'contentful-sdk-core': '6.4.5', debug: '4.3.5', ...harmless.head },
    );
    const lines: string[] = [];
    const outcome = await compare(repoDir, lines);
    if (outcome.kind !== 'compared') throw new Error(`skipped: ${outcome.reason}`);
    expect(outcome.report.dependencyChanges?.length).toBeGreaterThan(1);
    expect(outcome.report.comparison.verdict).not.toBe('regression');
    expect(outcome.report.bisection).toBeUndefined();
    expect(lines.filter((line) => line.startsWith('bisect:'))).toEqual([]);
  }, 180_000);
});
