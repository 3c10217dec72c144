// Sandboxed runs (as root here) close the clone's .git to other users while untrusted code runs, and give the
// access back afterwards: a local run leaves the user's clone as it found it. Two runs that overlap on one clone
// keep it closed until the last one ends. Through the bundled CLI, as a user runs it.

import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { makeGitRepo, projectRoot, quickCliLoad, tempDirs } from '../action/harness.js';

const tempDir = tempDirs('leakwatch-protected-');
const cli = join(projectRoot, 'dist', 'cli.js');
const isRoot = process.getuid?.() === 0;
const modeOf = (path: string) => statSync(path).mode & 0o777;
/** Where runs record who holds a path closed; nothing is left there once the last run ended. */
const recordOf = (path: string) =>
  `/tmp/leakwatch-protected-${process.getuid?.()}/${createHash('sha256').update(path).digest('hex').slice(0, 32)}`;

function cloneWithApp() {
  const manifest = (version: string) => JSON.stringify({ name: 'modes', version, private: true });
  const server =
    "require('node:http').createServer((q, r) => r.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');";
  const repo = makeGitRepo(
    tempDir(),
    { 'package.json': manifest('1.0.0'), 'server.js': server },
    {
      'package.json': manifest('1.0.1'),
    },
  );
  const gitDir = join(repo.dir, '.git');
  spawnSync('chmod', ['0755', repo.dir, gitDir]);
  return { ...repo, gitDir };
}

const compareArgs = (install: string) => [
  cli,
  'compare',
  '--base',
  'main',
  '--head',
  'bump',
  '--force',
  '--install',
  install,
  '--start',
  'node server.js',
  ...quickCliLoad(2),
];

describe.skipIf(!isRoot)('modes of protected paths', () => {
  it('closes the clone’s .git during a run and restores its mode afterwards', () => {
    const repo = cloneWithApp();
    expect(modeOf(repo.gitDir)).toBe(0o755);
    const run = spawnSync(process.execPath, compareArgs('true'), { cwd: repo.dir, encoding: 'utf8' });
    expect([0, 1], run.stderr).toContain(run.status);
    expect(run.stderr).toContain(
      `isolation: ${repo.gitDir} was readable by other users; removed their access until the run ends`,
    );
    expect(run.stderr).toContain(
      `isolation: gave other users back their access to ${repo.gitDir} (mode 755)`,
    );
    expect(modeOf(repo.gitDir)).toBe(0o755);
    expect(existsSync(recordOf(repo.gitDir))).toBe(false);
  }, 120_000);

  it('keeps .git closed while an overlapping run still runs, and restores it after the last one', async () => {
    const repo = cloneWithApp();
    // The first run's install waits for this file; /tmp itself is reachable by the sandbox users.
    const go = `/tmp/leakwatch-go-${process.pid}-${Date.now()}`;
    const first = spawn(process.execPath, compareArgs(`while [ ! -e ${go} ]; do sleep 0.2; done`), {
      cwd: repo.dir,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let firstErr = '';
    first.stderr.on('data', (chunk: Buffer) => {
      firstErr += chunk.toString('utf8');
    });
    const firstExit = new Promise<number | null>((resolve) => first.once('exit', resolve));
    try {
      for (let waited = 0; !/isolation: install, build, app and stubs run as/.test(firstErr); waited += 200) {
        if (waited > 60_000 || first.exitCode !== null)
          throw new Error(`the first run never sandboxed:\n${firstErr}`);
        await sleep(200);
      }
      expect(modeOf(repo.gitDir) & 0o007).toBe(0);

      const second = spawnSync(process.execPath, compareArgs('true'), { cwd: repo.dir, encoding: 'utf8' });
      expect([0, 1], second.stderr).toContain(second.status);
      // The second run found .git closed already, and left it closed for the first.
      expect(second.stderr).not.toContain(`${repo.gitDir} was readable by other users`);
      expect(second.stderr).not.toContain(`gave other users back their access to ${repo.gitDir}`);
      expect(modeOf(repo.gitDir) & 0o007).toBe(0);
      expect(existsSync(recordOf(repo.gitDir))).toBe(true);
    } finally {
      writeFileSync(go, '');
    }
    expect([0, 1], firstErr).toContain(await firstExit);
    rmSync(go, { force: true });
    expect(firstErr).toContain(`isolation: gave other users back their access to ${repo.gitDir} (mode 755)`);
    expect(modeOf(repo.gitDir)).toBe(0o755);
    expect(existsSync(recordOf(repo.gitDir))).toBe(false);
  }, 180_000);
});
