// The two settings that bound what untrusted code gets, run for real through the bundled CLI: a run past
// `time-limit-minutes` is stopped and cleaned up and names its phase; an `install-env` variable reaches the
// install (an npm lifecycle script sees it) and neither the build nor the app.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeGitRepo, projectRoot, quickCliLoad, tempDirs } from '../action/harness.js';

const tempDir = tempDirs('leakwatch-run-settings-');
const cli = join(projectRoot, 'dist', 'cli.js');

const isListed = (marker: string) =>
  execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).includes(marker);
const worktrees = (dir: string) =>
  execFileSync('git', ['-C', dir, 'worktree', 'list', '--porcelain'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.startsWith('worktree '));
/** The sandbox users a run announced that still exist (running as root, leakwatch makes one per side). */
const leftoverUsers = (stderr: string) => {
  const named = stderr.match(/\blw-[0-9a-f]+-[bh]\b/g) ?? [];
  const existing = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .map((line) => line.split(':')[0]);
  return named.filter((name) => existing.includes(name));
};

function logs(logDir: string): string {
  return readdirSync(logDir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => readFileSync(join(entry.parentPath, entry.name), 'utf8'))
    .join('\n');
}

/** A repo whose base and head differ in a version only; `files` go into both. */
function repoWith(files: Record<string, string>) {
  const manifest = (version: string) => JSON.stringify({ name: 'bounded', version, private: true });
  return makeGitRepo(
    tempDir(),
    { ...files, 'package.json': manifest('1.0.0') },
    {
      'package.json': manifest('1.0.1'),
    },
  );
}

function compare(repoDir: string, logDir: string, args: string[], env: Record<string, string> = {}) {
  return spawnSync(
    process.execPath,
    [cli, 'compare', '--base', 'main', '--head', 'bump', '--force', '--log-dir', logDir, ...args],
    { cwd: repoDir, encoding: 'utf8', env: { ...process.env, ...env } },
  );
}

describe('time-limit-minutes', () => {
  it('stops a run whose install outlasts the limit: error naming the phase, nothing left running', () => {
    const repo = repoWith({
      'server.js': "require('node:http').createServer((q, r) => r.end()).listen(process.env.PORT);",
    });
    const logDir = tempDir();
    // The shell builds the marker's end, so only the install's own processes show it.
    const marker = `leakwatch-slow-install-${process.pid}-42`;
    const hang = `node -e "setInterval(() => {}, 1000)" ${marker.slice(0, -2)}$((6 * 7))`;
    const started = Date.now();
    const run = compare(repo.dir, logDir, [
      '--install',
      `${hang} & ${hang}; wait`,
      '--start',
      'node server.js',
      '--time-limit-minutes',
      '0.1',
    ]);
    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr).toContain('the run passed its time limit of 6 s during install and build');
    expect(run.stderr).toMatch(/hint: Everything was stopped\. Make install and build faster/);
    // Killed at the limit, not at the install's own 15-minute timeout: the limit, then at most 60 s for the
    // killed work to unwind (time-limit.ts), then cleanup. Alone this takes ~10 s.
    expect(Date.now() - started).toBeLessThan(100_000);
    expect(isListed(marker)).toBe(false);
    expect(worktrees(repo.dir)).toEqual([`worktree ${repo.dir}`]);
    if (process.getuid?.() === 0)
      expect(run.stderr).toMatch(/isolation: install, build, app and stubs run as lw-/);
    expect(leftoverUsers(run.stderr)).toEqual([]);
  }, 90_000);

  it('stops a run whose measurement outlasts the limit, and its app', () => {
    const marker = `leakwatch-slow-app-${process.pid}`;
    const server = `require('node:http').createServer((q, r) => setTimeout(() => r.end('ok'), 20)).listen(Number(process.env.PORT), '127.0.0.1'); // ${marker}`;
    const repo = repoWith({ 'server.js': server });
    const logDir = tempDir();
    const run = compare(repo.dir, logDir, [
      '--install',
      'true',
      '--start',
      `node server.js ${marker}`,
      '--time-limit-minutes',
      '0.75',
      '--rounds',
      '1000',
      '--requests',
      '1000',
      '--heap-snapshots',
      'never',
    ]);
    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr).toContain('the run passed its time limit of 45 s during measurement');
    expect(isListed(marker)).toBe(false);
    expect(worktrees(repo.dir)).toEqual([`worktree ${repo.dir}`]);
    expect(leftoverUsers(run.stderr)).toEqual([]);
  }, 150_000);
});

describe('install-env', () => {
  it('passes a listed variable to the install (its lifecycle script sees it), not to build or app', () => {
    const report = (step: string) =>
      `node -e "console.log('${step.toUpperCase()} SAW ' + (process.env.LW_TEST_REGISTRY_TOKEN ?? 'nothing') + ' ' + (process.env.LW_TEST_UNLISTED ?? 'nothing'))"`;
    const manifest = (version: string) =>
      JSON.stringify({ name: 'creds', version, private: true, scripts: { postinstall: report('install') } });
    const server = `console.log('APP SAW ' + (process.env.LW_TEST_REGISTRY_TOKEN ?? 'nothing'));
require('node:http').createServer((q, r) => r.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');`;
    const lock = (version: string) =>
      JSON.stringify({
        name: 'creds',
        version,
        lockfileVersion: 3,
        requires: true,
        packages: { '': { name: 'creds', version } },
      });
    const repo = makeGitRepo(
      tempDir(),
      { 'package.json': manifest('1.0.0'), 'package-lock.json': lock('1.0.0'), 'server.js': server },
      { 'package.json': manifest('1.0.1'), 'package-lock.json': lock('1.0.1') },
    );
    const logDir = tempDir();
    const run = compare(
      repo.dir,
      logDir,
      [
        '--install-env',
        'LW_TEST_REGISTRY_TOKEN',
        '--build',
        report('build'),
        '--start',
        'node server.js',
        ...quickCliLoad(2),
      ],
      { LW_TEST_REGISTRY_TOKEN: 'npm_s3cret', LW_TEST_UNLISTED: 'other_s3cret' },
    );
    expect([0, 1], run.stderr).toContain(run.status);
    const text = logs(logDir);
    // Both sides ran `npm ci`, whose postinstall saw the listed variable and not the unlisted one.
    expect(text.match(/INSTALL SAW npm_s3cret nothing/g)).toHaveLength(2);
    expect(text.match(/BUILD SAW nothing nothing/g)).toHaveLength(2);
    expect(text.match(/APP SAW nothing/g)?.length).toBeGreaterThanOrEqual(2);
    expect(text).not.toMatch(/(BUILD|APP) SAW npm_s3cret/);
    expect(existsSync(logDir)).toBe(true);
  }, 150_000);
});
