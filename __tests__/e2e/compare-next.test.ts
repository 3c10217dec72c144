// `leakwatch compare --base/--head` through the bundled CLI on a real Next.js app (__tests__/fixtures/next-app),
// in a throwaway git repo: a head branch that downgrades contentful-sdk-core 6.4.5 → 6.4.4 (which keeps every
// client in a module-level Map) is a regression; a head branch without a dependency change is skipped before any
// install. Both runs must leave the user's checkout, branches and worktree list as they were.
import { execFile, execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const projectRoot = join(import.meta.dirname, '..', '..');
const cliPath = join(projectRoot, 'dist', 'cli.js');
const fixtureDir = join(projectRoot, '__tests__', 'fixtures', 'next-app');
const fixtureFiles = ['package.json', 'package-lock.json', 'next.config.mjs', 'pages/index.js', '.gitignore'];

// Small enough for a 2-core box (Next SSR serves ~100 req/s here), large enough for a leak of ~4 KB per request.
const quickLoad = ['--warmup', '300', '--requests', '100', '--rounds', '8'];

const tempRoots: string[] = [];

beforeAll(() => {
  if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: run \`npm run build\` first`);
});

afterAll(() => {
  for (const dir of tempRoots) rmSync(dir, { recursive: true, force: true });
});

interface Checkout {
  dir: string;
  /** The TMPDIR the CLI runs with, so its worktrees land where the test can look for leftovers. */
  cliTmpDir: string;
  logDir: string;
}

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-C', dir, ...args], {
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'E2E',
      GIT_AUTHOR_EMAIL: 'e2e@example.com',
      GIT_COMMITTER_NAME: 'E2E',
      GIT_COMMITTER_EMAIL: 'e2e@example.com',
    },
  }).trim();
}

/** A repo with the fixture app on `main`, a head branch made by `changeHead`, and `main` checked out again. */
function makeCheckout(headBranch: string, changeHead: (dir: string) => void): Checkout {
  const root = mkdtempSync(join(tmpdir(), 'leakwatch-e2e-next-'));
  tempRoots.push(root);
  const dir = join(root, 'repo');
  for (const file of fixtureFiles) cpSync(join(fixtureDir, file), join(dir, file), { recursive: true });
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'Next.js app');
  git(dir, 'checkout', '-q', '-b', headBranch);
  changeHead(dir);
  git(dir, 'commit', '-q', '-a', '-m', `head: ${headBranch}`);
  git(dir, 'checkout', '-q', 'main');
  // Work in progress in the user's checkout: leakwatch must neither commit, stash nor clean it.
  writeFileSync(join(dir, 'notes.txt'), 'uncommitted work\n');
  writeFileSync(
    join(dir, 'pages', 'index.js'),
    `${readFileSync(join(dir, 'pages', 'index.js'), 'utf8')}// wip\n`,
  );
  const cliTmpDir = join(root, 'tmp');
  const logDir = join(root, 'logs');
  mkdirSync(cliTmpDir);
  return { dir, cliTmpDir, logDir };
}

/** Everything about the checkout the user could notice: HEAD, branches, status, the dirty files, worktrees. */
function describeCheckout(dir: string) {
  return {
    head: git(dir, 'rev-parse', 'HEAD'),
    branch: git(dir, 'branch', '--show-current'),
    refs: git(dir, 'for-each-ref', '--format=%(refname) %(objectname)'),
    status: git(dir, 'status', '--porcelain', '--untracked-files=all'),
    notes: readFileSync(join(dir, 'notes.txt'), 'utf8'),
    page: readFileSync(join(dir, 'pages', 'index.js'), 'utf8'),
    worktrees: git(dir, 'worktree', 'list', '--porcelain'),
  };
}

interface CliRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

function runCli(checkout: Checkout, args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cliPath, 'compare', '--repo', checkout.dir, '--json', '--log-dir', checkout.logDir, ...args],
      { cwd: checkout.cliTmpDir, env: { ...process.env, TMPDIR: checkout.cliTmpDir }, maxBuffer: 64 << 20 },
      (error, stdout, stderr) => {
        const exitCode = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ exitCode, stdout, stderr });
      },
    );
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('leakwatch compare --base/--head on a Next.js app', () => {
  it('catches contentful-sdk-core 6.4.5 → 6.4.4 as a regression and leaves the checkout as it was', async () => {
    const checkout = makeCheckout('bump-contentful', (dir) => {
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
        { cwd: dir, stdio: 'ignore' },
      );
    });
    const before = describeCheckout(checkout.dir);

    const run = await runCli(checkout, [
      '--base',
      'main',
      '--head',
      'bump-contentful',
      '--start',
      'npm start',
      ...quickLoad,
    ]);

    expect(run.exitCode, run.stderr).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report.kind).toBe('compare');
    expect(report.comparison.verdict, JSON.stringify(report.comparison.finding)).toBe('regression');
    expect(report.head.verdict).toBe('leak');
    expect(report.base.traffic?.failed).toBe(0);
    expect(report.head.traffic?.failed).toBe(0);
    // CI runs this file under Node 20, 22 and 24: leakwatch and both apps run on the Node that runs the test.
    expect(report.environment.nodeVersion).toBe(process.version);
    expect([report.base.nodeVersion, report.head.nodeVersion]).toEqual([process.version, process.version]);
    expect(report.dependencyChanges).toEqual([
      { name: 'contentful-sdk-core', from: '6.4.5', to: '6.4.4', kind: 'downgrade', direct: true },
    ]);
    // Both sides were installed and built from their own commit.
    expect(run.stderr).toMatch(/base: npm ci/);
    expect(run.stderr).toMatch(/head: npm run build/);

    expect(describeCheckout(checkout.dir)).toEqual(before);
    expect(readdirSync(checkout.cliTmpDir).filter((name) => /^leakwatch-(base|head)-/.test(name))).toEqual(
      [],
    );
    const appPids = [...run.stderr.matchAll(/ready at \S+ \(pid (\d+)/g)].map((match) => Number(match[1]));
    expect(appPids).toHaveLength(2);
    expect(appPids.filter(isAlive)).toEqual([]);
  }, 420_000);

  it('skips a head without dependency changes before any checkout or install', async () => {
    const checkout = makeCheckout('copy-change', (dir) => {
      // A package.json edit that is not a dependency change, and a page change.
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      manifest.description = 'A new description';
      writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
      const page = readFileSync(join(dir, 'pages', 'index.js'), 'utf8');
      writeFileSync(join(dir, 'pages', 'index.js'), page.replace('leakwatch Next.js fixture', 'Hello'));
    });
    const before = describeCheckout(checkout.dir);

    const run = await runCli(checkout, ['--base', 'main', '--head', 'copy-change', '--start', 'npm start']);

    expect(run.exitCode, run.stderr).toBe(0);
    const outcome = JSON.parse(run.stdout);
    expect(outcome.kind).toBe('skipped');
    expect(outcome.dependencyChanges).toEqual([]);
    expect(run.stderr).toMatch(/skipped: no dependency changes/);
    expect(run.stderr).not.toMatch(/checked out|npm ci|npm run build|starting/);
    expect(describeCheckout(checkout.dir)).toEqual(before);
    expect(readdirSync(checkout.cliTmpDir)).toEqual([]);
  }, 60_000);
});
