import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const fixturesDir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

/** A commit's content: a fixture folder to copy in, and/or files to write (null deletes). */
export interface CommitSpec {
  fixture?: string;
  files?: Record<string, string | null>;
  tag: string;
}

/** A throwaway git repository with one real commit per spec, each tagged; returns its directory. */
export function makeRepo(commits: CommitSpec[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'leakwatch-deps-'));
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  for (const commit of commits) {
    if (commit.fixture) cpSync(join(fixturesDir, commit.fixture), dir, { recursive: true });
    for (const [path, content] of Object.entries(commit.files ?? {})) {
      if (content === null) rmSync(join(dir, path), { force: true });
      else {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), content);
      }
    }
    git('add', '-A');
    git('commit', '-q', '--allow-empty', '-m', commit.tag);
    git('tag', commit.tag);
  }
  return dir;
}

/** Base and head commits straight from a generated fixture's base/ and head/ folders. */
export function fixtureRepo(name: string, reverse = false): string {
  const [first, second] = reverse ? ['head', 'base'] : ['base', 'head'];
  return makeRepo([
    { fixture: `${name}/${first}`, tag: 'base' },
    { fixture: `${name}/${second}`, tag: 'head' },
  ]);
}
