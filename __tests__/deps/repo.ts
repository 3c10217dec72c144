import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import { diffDependencies } from '../../src/deps/diff.js';
import type { ChangeKind, DependencyChange } from '../../src/model/deps.js';

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

/** Registers an afterAll that deletes every repo passed to `track`; `diff` compares tags base..head. */
export function trackedRepos() {
  const repos: string[] = [];
  afterAll(() => {
    for (const dir of repos) rmSync(dir, { recursive: true, force: true });
  });
  const track = (dir: string) => {
    repos.push(dir);
    return dir;
  };
  const diff = (repoDir: string, workingDirectory = '.') =>
    diffDependencies({ repoDir, baseRef: 'base', headRef: 'head', workingDirectory });
  return { track, diff };
}

export const change = (
  name: string,
  from: string | null,
  to: string | null,
  kind: ChangeKind,
  direct: boolean,
): DependencyChange => ({ name, from, to, kind, direct });

/** The *-grouped fixtures: chalk 4 → 5 drops chalk's whole tree; the rest is the patch/minor/major trio. */
export const groupedBump = [
  change('chalk', '4.1.2', '5.3.0', 'major', true),
  change('is-number', '6.0.0', '7.0.0', 'major', true),
  change('ms', '2.1.2', '2.1.3', 'patch', true),
  change('semver', '7.5.0', '7.6.0', 'minor', true),
  change('ansi-styles', '4.3.0', null, 'removed', false),
  change('color-convert', '2.0.1', null, 'removed', false),
  change('color-name', '1.1.4', null, 'removed', false),
  change('has-flag', '4.0.0', null, 'removed', false),
  change('supports-color', '7.2.0', null, 'removed', false),
];
