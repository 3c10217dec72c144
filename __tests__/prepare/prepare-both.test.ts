import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareBoth } from '../../src/prepare/prepare-both.js';
import { listDir, makeRepo, makeTempDir, removeDir, worktreeDirs, writeFiles } from './fixtures.js';

const log = () => {};
const cleanup: string[] = [];
let repoDir = '';
let logDir = '';
let baseSha = '';
let headSha = '';
let brokenHeadSha = '';

/** An npm workspace whose app is in `web/`, with the lockfile at the root pinning `ms` at `msVersion`. */
async function commitApp(repo: Awaited<ReturnType<typeof makeRepo>>, msVersion: string, build: string) {
  const root = { name: 'monorepo', private: true, workspaces: ['web'] };
  const app = { name: 'web', private: true, scripts: { build }, dependencies: { ms: msVersion } };
  await writeFiles(repo.dir, {
    'package.json': JSON.stringify(root),
    'web/package.json': JSON.stringify(app),
  });
  execFileSync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'], {
    cwd: repo.dir,
    stdio: 'ignore',
  });
  return repo.commit({}, `ms ${msVersion}`);
}

beforeAll(async () => {
  const repo = await makeRepo();
  repoDir = repo.dir;
  logDir = await makeTempDir('logs');
  cleanup.push(repoDir, logDir);
  const build = "node -e \"require('fs').writeFileSync('built.txt', require('ms/package.json').version)\"";
  baseSha = await commitApp(repo, '2.1.2', build);
  headSha = await commitApp(repo, '2.1.3', build);
  brokenHeadSha = await commitApp(repo, '2.1.3', 'node -e "process.exit(2)"');
});
afterAll(async () => {
  for (const dir of cleanup) await removeDir(dir);
});

describe('prepareBoth', () => {
  it('builds base and head in their own worktrees and removes them on dispose', async () => {
    const parentDir = await makeTempDir('worktrees');
    cleanup.push(parentDir);
    let dirs: string[] = [];
    {
      await using prepared = await prepareBoth({
        logDir,
        repoDir,
        baseSha,
        headSha,
        workingDirectory: 'web',
        log,
        worktreeParentDir: parentDir,
      });
      expect(prepared.base.result.ok && prepared.head.result.ok).toBe(true);
      expect(await readFile(join(prepared.base.appDir, 'built.txt'), 'utf8')).toBe('2.1.2');
      expect(await readFile(join(prepared.head.appDir, 'built.txt'), 'utf8')).toBe('2.1.3');
      expect(worktreeDirs(repoDir)).toHaveLength(3);
      expect(existsSync(join(prepared.head.dir, 'node_modules/ms'))).toBe(true);
      dirs = [prepared.base.dir, prepared.head.dir];
    }
    expect(dirs.some((dir) => existsSync(dir))).toBe(false);
    expect(await listDir(parentDir)).toEqual([]);
    expect(worktreeDirs(repoDir)).toHaveLength(1);
  });

  it('reports a broken head build as a result when building sequentially', async () => {
    await using prepared = await prepareBoth({
      logDir,
      repoDir,
      baseSha,
      headSha: brokenHeadSha,
      workingDirectory: 'web',
      log,
      mode: 'sequential',
    });
    expect(prepared.base.result.ok).toBe(true);
    expect(prepared.head.result).toMatchObject({ ok: false, stage: 'build', exitCode: 2 });
  });

  it('removes both worktrees when preparing throws', async () => {
    const parentDir = await makeTempDir('worktrees');
    cleanup.push(parentDir);
    const controller = new AbortController();
    const preparing = prepareBoth({
      logDir,
      repoDir,
      baseSha,
      headSha,
      workingDirectory: 'web',
      log: (line) => {
        if (line.includes('npm ci')) controller.abort();
      },
      signal: controller.signal,
      worktreeParentDir: parentDir,
    });
    await expect(preparing).rejects.toMatchObject({ code: 'ABORTED' });
    expect(await listDir(parentDir)).toEqual([]);
    expect(worktreeDirs(repoDir)).toHaveLength(1);
  });
});
