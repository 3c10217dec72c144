// A cancelled job or Ctrl-C while base and head build: the bundled CLI kills every build process and deletes
// both worktrees before it dies of the signal.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { gitIn, makeRepo, removeDir, worktreeDirs } from './fixtures.js';

const cli = resolve(import.meta.dirname, '../../dist/cli.js');
const repos: string[] = [];
afterAll(async () => {
  for (const dir of repos) await removeDir(dir);
});

const isListed = (marker: string) =>
  execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).includes(marker);

describe('interrupting leakwatch during the build', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'on %s kills the build and its background children, and removes both worktrees',
    async (signal) => {
      const repo = await makeRepo();
      repos.push(repo.dir);
      const manifest = (version: string) => JSON.stringify({ name: 'interrupted', version, private: true });
      await repo.commit({ 'package.json': manifest('1.0.0') }, 'base');
      execFileSync('npm', ['install', '--package-lock-only', '--no-audit', '--no-fund'], {
        cwd: repo.dir,
        stdio: 'ignore',
      });
      await repo.commit({}, 'lockfile');
      gitIn(repo.dir, 'checkout', '-q', '-b', 'head');
      await repo.commit({ 'package.json': manifest('1.0.1') }, 'head');

      // A build that never ends, with a child in the background and one in the foreground. The shell expands
      // the marker's end, so only the build's own processes show it, not leakwatch's command line.
      const marker = `leakwatch-build-${signal}-${process.pid}-42`;
      const hang = `node -e "setInterval(() => {}, 1000)" ${marker.slice(0, -2)}$((6 * 7))`;
      const child = spawn(
        process.execPath,
        [cli, 'compare', '--base', 'main', '--head', 'head', '--force', '--build', `${hang} & ${hang}; wait`],
        { cwd: repo.dir, stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const exited = new Promise<NodeJS.Signals | null>((resolveExit) =>
        child.once('exit', (_code, exitSignal) => resolveExit(exitSignal)),
      );
      for (let waited = 0; !isListed(marker); waited += 100) {
        if (waited > 60_000 || child.exitCode !== null)
          throw new Error(`the build never started:\n${stderr}`);
        await sleep(100);
      }
      const checkouts = worktreeDirs(repo.dir).filter((dir) => dir !== repo.dir);
      expect(checkouts.length, stderr).toBeGreaterThan(0);

      child.kill(signal);
      expect(await exited).toBe(signal);
      expect(isListed(marker)).toBe(false);
      expect(worktreeDirs(repo.dir)).toEqual([repo.dir]);
      for (const dir of checkouts) expect(existsSync(dir)).toBe(false);
      // Nothing the user had is touched: still on their branch, with a clean tree.
      expect(gitIn(repo.dir, 'status', '--porcelain')).toBe('');
      expect(gitIn(repo.dir, 'branch', '--show-current')).toBe('head');
    },
    90_000,
  );
});
