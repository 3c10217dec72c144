import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Runs git in `dir` with a fixed identity and no user config, returning trimmed stdout. */
export function gitIn(dir: string, ...args: string[]): string {
  return execFileSync(
    'git',
    ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-C', dir, ...args],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  ).trim();
}

export async function makeTempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `leakwatch-test-${prefix}-`));
}

export async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
}

/** A repo on branch `main`; `commit` writes files, commits them all and returns the SHA. */
export async function makeRepo(): Promise<{
  dir: string;
  commit: (files: Record<string, string>, message: string) => Promise<string>;
}> {
  const dir = await makeTempDir('repo');
  gitIn(dir, 'init', '-q', '-b', 'main');
  return {
    dir,
    commit: async (files, message) => {
      await writeFiles(dir, files);
      gitIn(dir, 'add', '-A');
      gitIn(dir, 'commit', '-q', '--allow-empty', '-m', message);
      return gitIn(dir, 'rev-parse', 'HEAD');
    },
  };
}

/** Lists the worktrees git knows of, the main checkout included. */
export function worktreeDirs(repoDir: string): string[] {
  return gitIn(repoDir, 'worktree', 'list', '--porcelain')
    .split('\n')
    .filter((line) => line.startsWith('worktree '))
    .map((line) => line.slice('worktree '.length));
}

export async function listDir(dir: string): Promise<string[]> {
  return readdir(dir);
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
