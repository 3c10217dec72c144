import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createWorktree } from '../../src/prepare/worktree.js';
import { gitIn, listDir, makeRepo, makeTempDir, removeDir, worktreeDirs } from './fixtures.js';

const log = () => {};
const cleanup: string[] = [];
afterAll(async () => {
  for (const dir of cleanup) await removeDir(dir);
});

async function twoCommitRepo() {
  const repo = await makeRepo();
  cleanup.push(repo.dir);
  const first = await repo.commit({ 'app.txt': 'first' }, 'first');
  await repo.commit({ 'app.txt': 'second' }, 'second');
  return { ...repo, first };
}

describe('createWorktree', () => {
  it('checks out the commit in a temp dir without touching the checkout, and removes it on dispose', async () => {
    const repo = await twoCommitRepo();
    const headBefore = gitIn(repo.dir, 'rev-parse', 'HEAD');
    const worktree = await createWorktree({ repoDir: repo.dir, sha: repo.first, label: 'base', log });

    expect(await readFile(join(worktree.dir, 'app.txt'), 'utf8')).toBe('first');
    expect(worktreeDirs(repo.dir)).toHaveLength(2);
    expect(gitIn(repo.dir, 'rev-parse', 'HEAD')).toBe(headBefore);
    expect(gitIn(repo.dir, 'status', '--porcelain')).toBe('');
    expect(await readFile(join(repo.dir, 'app.txt'), 'utf8')).toBe('second');

    await worktree[Symbol.asyncDispose]();
    await worktree[Symbol.asyncDispose]();
    expect(existsSync(worktree.dir)).toBe(false);
    expect(worktreeDirs(repo.dir)).toHaveLength(1);
  });

  it('is removed by `await using` when the work inside throws, untracked files included', async () => {
    const repo = await twoCommitRepo();
    const parentDir = await makeTempDir('parent');
    cleanup.push(parentDir);
    let worktreeDir = '';
    const work = async () => {
      await using worktree = await createWorktree({
        repoDir: repo.dir,
        sha: repo.first,
        label: 'head',
        log,
        parentDir,
      });
      worktreeDir = worktree.dir;
      await mkdir(join(worktree.dir, 'node_modules', 'dep'), { recursive: true });
      throw new Error('build exploded');
    };
    await expect(work()).rejects.toThrow('build exploded');
    expect(worktreeDir).not.toBe('');
    expect(existsSync(worktreeDir)).toBe(false);
    expect(await listDir(parentDir)).toEqual([]);
    expect(worktreeDirs(repo.dir)).toHaveLength(1);
  });

  it('fails with a LeakwatchError and leaves no temp dir for a commit that does not exist', async () => {
    const repo = await twoCommitRepo();
    const parentDir = await makeTempDir('parent');
    cleanup.push(parentDir);
    await expect(
      createWorktree({ repoDir: repo.dir, sha: 'deadbeef'.repeat(5), label: 'base', log, parentDir }),
    ).rejects.toMatchObject({ code: 'WORKTREE_FAILED' });
    expect(await listDir(parentDir)).toEqual([]);
  });
});
