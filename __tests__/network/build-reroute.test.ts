// `leakwatch compare --base/--head` through the bundled CLI on a real Next.js app whose getStaticPaths and
// getStaticProps fetch a hard-coded https:// origin at build time (and whose getServerSideProps page does at
// request time): with the scenario's upstream, both builds are rerouted to the stub and build from fixtures,
// with no change to the app. Without it, both builds fail, and the error says that both did, names the host
// the build could not reach and the `hosts` setting.
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CompareReport } from '../../src/model/report.js';
import { cliPath, projectRoot, quickLoad } from './helpers.js';

const fixtures = join(projectRoot, '__tests__', 'fixtures');
const root = mkdtempSync(join(tmpdir(), 'leakwatch-build-reroute-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function git(dir: string, ...args: string[]): void {
  execFileSync('git', ['-C', dir, ...args], {
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'E2E',
      GIT_AUTHOR_EMAIL: 'e2e@example.com',
      GIT_COMMITTER_NAME: 'E2E',
      GIT_COMMITTER_EMAIL: 'e2e@example.com',
    },
  });
}

/** A repo with the app on `main` and a `head` branch that changes a page's text (measured with --force). */
function makeRepo(name: string): { dir: string; tmp: string; logDir: string } {
  const dir = join(root, name, 'repo');
  for (const file of ['package.json', 'package-lock.json', 'next.config.mjs', '.gitignore'])
    cpSync(join(fixtures, 'next-app', file), join(dir, file));
  cpSync(join(fixtures, 'next-pokeapi'), dir, { recursive: true });
  cpSync(join(fixtures, 'next-static-pokeapi'), dir, { recursive: true });
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'Next.js app');
  git(dir, 'checkout', '-q', '-b', 'head');
  const page = join(dir, 'pages', 'index.js');
  writeFileSync(page, readFileSync(page, 'utf8').replace('Color:', 'Colour:'));
  git(dir, 'commit', '-q', '-a', '-m', 'head: copy change');
  git(dir, 'checkout', '-q', 'main');
  const tmp = join(root, name, 'tmp');
  mkdirSync(tmp);
  return { dir, tmp, logDir: join(root, name, 'logs') };
}

function compare(repo: ReturnType<typeof makeRepo>, scenario: string) {
  const args = ['compare', '--repo', repo.dir, '--base', 'main', '--head', 'head', '--force'];
  args.push('--scenario', scenario, '--log-dir', repo.logDir, '--json', ...quickLoad);
  return new Promise<{ exitCode: number | null; report: CompareReport; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [cliPath, ...args],
      { cwd: repo.tmp, env: { ...process.env, TMPDIR: repo.tmp }, maxBuffer: 64 << 20 },
      (error, stdout, stderr) => {
        const exitCode = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ exitCode, report: JSON.parse(stdout || '{}') as CompareReport, stderr });
      },
    );
  });
}

describe('builds that fetch a hard-coded API', () => {
  it('build from fixtures on both sides when the scenario declares the origin, with no change to the app', async () => {
    const run = await compare(makeRepo('declared'), 'scenario.yml');
    // Base and head are the same app: anything but an error or a regression (so short a load on a busy machine
    // may be inconclusive, exit 2, for lack of precision; an error would be exit 2 too, hence the verdict).
    const finding = JSON.stringify(run.report.comparison?.finding);
    expect(run.report.comparison?.verdict, `${finding}\n${run.stderr}`).not.toMatch(/^(error|regression)$/);
    // The stub for the build was up before it, and both builds ran (a failed fetch fails them).
    expect(run.stderr).toMatch(/build: upstream stub "pokeapi" listening/);
    expect(run.stderr).toMatch(/base: npm run build/);
    expect(run.stderr).toMatch(/head: npm run build/);
    for (const side of [run.report.base, run.report.head]) {
      expect(side.error).toBeUndefined();
      expect(side.traffic?.failed).toBe(0);
      // The static pages are served from the build, the SSR page asks the stub at request time.
      const stub = side.network?.stubs[0];
      expect(stub).toMatchObject({ name: 'pokeapi', source: 'fixtures', misses: 0 });
      expect(side.network?.hosts.filter((host) => host.action !== 'stub')).toEqual([]);
    }
  }, 600_000);

  it('fail on both sides without it, naming the unreachable host and the hosts setting', async () => {
    const run = await compare(makeRepo('undeclared'), 'default');
    expect(run.exitCode, run.stderr).toBe(2);
    expect(run.report.comparison.verdict).toBe('error');
    for (const side of [run.report.base, run.report.head]) {
      expect(side.error?.code).toBe('BUILD_FAILED');
      expect(side.error?.hint).toContain(
        'Base and head both fail to build, so the cause is not this change.',
      );
      // The project pins no Node.js: the hint says which one both ran on, in case that is the cause.
      expect(side.error?.hint).toContain(`Both ran on Node.js ${process.versions.node}, the node on PATH`);
      expect(side.error?.hint).toMatch(/build called pokeapi\.co, which it could not reach/);
      expect(side.error?.hint).toContain('hosts: ["https://pokeapi.co"]');
      expect(side.error?.hint).toContain('outbound: allow');
    }
  }, 600_000);
});
