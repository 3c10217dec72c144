import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { diffDependencies, hasDependencyChanges } from '../../src/deps/diff.js';
import type { ChangeKind, DependencyChange } from '../../src/deps/types.js';
import { LeakwatchError } from '../../src/errors.js';
import { fixtureRepo, fixturesDir, makeRepo } from './repo.js';

// Fixtures are real lockfiles written by npm 11, pnpm 8/9, yarn 1/4 and bun 1 (see fixtures/generate.mjs).
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

const change = (
  name: string,
  from: string | null,
  to: string | null,
  kind: ChangeKind,
  direct: boolean,
): DependencyChange => ({
  name,
  from,
  to,
  kind,
  direct,
});

// chalk 4 → 5 drops chalk's whole dependency tree; the other three are the classic patch/minor/major trio.
const groupedBump = [
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

describe('Dependabot-style grouped bump', () => {
  it.each([
    ['npm-grouped', 'npm', 'package-lock.json'],
    ['npm-v2-grouped', 'npm', 'package-lock.json'],
    ['npm-v1-grouped', 'npm', 'package-lock.json'],
    ['pnpm9-grouped', 'pnpm', 'pnpm-lock.yaml'],
    ['pnpm8-grouped', 'pnpm', 'pnpm-lock.yaml'],
    ['yarn1-grouped', 'yarn-classic', 'yarn.lock'],
    ['berry-grouped', 'yarn-berry', 'yarn.lock'],
    ['bun-grouped', 'bun', 'bun.lock'],
  ])('%s: every bump and every dropped transitive package', async (fixture, packageManager, lockfile) => {
    const result = await diff(track(fixtureRepo(fixture)));
    expect(result.changes).toEqual(groupedBump);
    expect(result.packageManager).toBe(packageManager);
    expect(result.lockfilePath).toBe(lockfile);
    expect(result.manifestsCompared).toEqual([lockfile, 'package.json'].sort());
    expect(hasDependencyChanges(result)).toBe(true);
  });

  it.each(['npm-grouped', 'berry-grouped'])(
    '%s reversed: downgrades, and re-added transitive packages',
    async (fixture) => {
      const result = await diff(track(fixtureRepo(fixture, true)));
      expect(result.changes).toContainEqual(change('chalk', '5.3.0', '4.1.2', 'downgrade', true));
      expect(result.changes).toContainEqual(change('ms', '2.1.3', '2.1.2', 'downgrade', true));
      expect(result.changes).toContainEqual(change('supports-color', null, '7.2.0', 'added', false));
      expect(result.changes).toHaveLength(groupedBump.length);
    },
  );
});

describe('lockfile-only bump of transitive packages', () => {
  it.each(['npm-transitive', 'pnpm9-transitive'])('%s: reported as transitive', async (fixture) => {
    const base = readFileSync(join(fixturesDir, fixture, 'base/package.json'), 'utf8');
    expect(readFileSync(join(fixturesDir, fixture, 'head/package.json'), 'utf8')).toBe(base);
    const result = await diff(track(fixtureRepo(fixture)));
    // chalk 4.1.0's old ansi-styles 4.2.1 pulled in @types/color-name; 4.3.0 does not.
    expect(result.changes).toEqual([
      change('@types/color-name', '1.1.5', null, 'removed', false),
      change('ansi-styles', '4.2.1', '4.3.0', 'minor', false),
      change('supports-color', '7.1.0', '7.2.0', 'minor', false),
    ]);
  });
});

describe('several installed copies of one package', () => {
  it.each(['npm-duplicates', 'pnpm9-duplicates'])('%s: one change, every copy listed', async (fixture) => {
    const result = await diff(track(fixtureRepo(fixture)));
    expect(result.changes).toEqual([
      { ...change('ms', '2.1.2', '2.1.3', 'patch', true), toVersions: ['2.1.2', '2.1.3'] },
    ]);
  });
});

describe('monorepo with the lockfile at the root', () => {
  const libBump = change('semver', '7.5.0', '7.6.0', 'minor', false);
  it.each(['npm-monorepo', 'pnpm9-monorepo', 'berry-monorepo', 'bun-monorepo'])(
    '%s: the app sees its workspace library bump, not a sibling app bump',
    async (fixture) => {
      const repo = track(fixtureRepo(fixture));
      const web = await diff(repo, 'apps/web');
      expect(web.changes).toEqual([libBump]);
      expect(web.manifestsCompared).toContain('apps/web/package.json');

      const other = await diff(repo, './apps/other/');
      expect(other.changes[0]).toEqual(change('chalk', '4.1.2', '5.3.0', 'major', true));
      expect(other.changes.map((entry) => entry.name)).not.toContain('semver');

      const root = await diff(repo, '.');
      expect(root.changes.map((entry) => entry.name)).toEqual(expect.arrayContaining(['chalk', 'semver']));
    },
  );
});

describe('no dependency change', () => {
  it('a commit that only touches code yields an empty diff', async () => {
    const repo = track(
      makeRepo([
        { fixture: 'pnpm9-grouped/base', tag: 'base' },
        { files: { 'server.js': 'export {};\n', 'README.md': '# app\n' }, tag: 'head' },
      ]),
    );
    const result = await diff(repo);
    expect(result.changes).toEqual([]);
    expect(hasDependencyChanges(result)).toBe(false);
    expect(result.packageManager).toBe('pnpm');
  });
});

describe('without a lockfile', () => {
  it('compares package.json ranges, overrides included, and takes the manager from packageManager', async () => {
    const manifest = (extra: object) =>
      `${JSON.stringify({ name: 'x', packageManager: 'yarn@4.5.0', ...extra })}\n`;
    const repo = track(
      makeRepo([
        {
          files: {
            'package.json': manifest({
              dependencies: { express: '^4.18.0', lodash: '4.17.20' },
              devDependencies: { typescript: '~5.3.0' },
              resolutions: { '**/qs': '6.11.0' },
            }),
          },
          tag: 'base',
        },
        {
          files: {
            'package.json': manifest({
              dependencies: { express: '^5.0.0', 'left-pad': 'github:left-pad/left-pad' },
              devDependencies: { typescript: '~5.3.0' },
              resolutions: { '**/qs': '6.11.2' },
            }),
          },
          tag: 'head',
        },
      ]),
    );
    const result = await diff(repo);
    expect(result.changes).toEqual([
      change('express', '^4.18.0', '^5.0.0', 'major', true),
      change('left-pad', null, 'github:left-pad/left-pad', 'added', true),
      change('lodash', '4.17.20', null, 'removed', true),
      change('qs', '6.11.0', '6.11.2', 'patch', false),
    ]);
    expect(result.lockfilePath).toBeNull();
    expect(result.packageManager).toBe('yarn-berry');
  });
});

describe('choice of lockfile', () => {
  it('prefers the lockfile of the packageManager field when several sit side by side', async () => {
    const yarnLock = (side: string) =>
      readFileSync(join(fixturesDir, `yarn1-grouped/${side}/yarn.lock`), 'utf8');
    const withField = (side: string) => {
      const manifest = JSON.parse(
        readFileSync(join(fixturesDir, `npm-grouped/${side}/package.json`), 'utf8'),
      );
      return JSON.stringify({ ...manifest, packageManager: 'yarn@1.22.22' });
    };
    const repo = track(
      makeRepo([
        {
          fixture: 'npm-grouped/base',
          files: { 'yarn.lock': yarnLock('base'), 'package.json': withField('base') },
          tag: 'base',
        },
        {
          fixture: 'npm-grouped/head',
          files: { 'yarn.lock': yarnLock('head'), 'package.json': withField('head') },
          tag: 'head',
        },
      ]),
    );
    const result = await diff(repo);
    expect(result.lockfilePath).toBe('yarn.lock');
    expect(result.packageManager).toBe('yarn-classic');
    expect(result.changes).toEqual(groupedBump);
  });
});

describe('git access', () => {
  it('reads only committed content and leaves the working tree and HEAD as they were', async () => {
    const repo = track(fixtureRepo('npm-grouped'));
    writeFileSync(join(repo, 'package-lock.json'), '{ not json');
    const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' });
    const before = [git('status', '--porcelain'), git('rev-parse', 'HEAD')];
    const result = await diff(repo);
    expect(result.changes).toEqual(groupedBump);
    expect([git('status', '--porcelain'), git('rev-parse', 'HEAD')]).toEqual(before);
    expect(readFileSync(join(repo, 'package-lock.json'), 'utf8')).toBe('{ not json');
  });

  it('accepts SHAs and relative refs', async () => {
    const repo = track(fixtureRepo('npm-grouped'));
    const headSha = execFileSync('git', ['-C', repo, 'rev-parse', 'head'], { encoding: 'utf8' }).trim();
    const result = await diffDependencies({ repoDir: repo, baseRef: 'HEAD~1', headRef: headSha });
    expect(result.changes).toEqual(groupedBump);
  });
});

describe('errors', () => {
  const caught = async (promise: Promise<unknown>): Promise<LeakwatchError> => {
    const error = await promise.then(
      () => null,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(LeakwatchError);
    return error as LeakwatchError;
  };

  it('an unknown ref says which ref and how to fetch it', async () => {
    const repo = track(fixtureRepo('npm-grouped'));
    const error = await caught(diffDependencies({ repoDir: repo, baseRef: 'origin/nope', headRef: 'head' }));
    expect(error.code).toBe('ref-not-found');
    expect(error.message).toContain('origin/nope');
    expect(error.hint).toContain('fetch-depth');
  });

  it('an unparsable lockfile names the file and the ref', async () => {
    const repo = track(
      makeRepo([
        { fixture: 'berry-grouped/base', tag: 'base' },
        { files: { 'yarn.lock': '<<<<<<< HEAD\n"ms@npm:2.1.2":\n  version: [\n' }, tag: 'head' },
      ]),
    );
    const error = await caught(diff(repo));
    expect(error.code).toBe('lockfile-unparsable');
    expect(error.message).toBe('Could not parse yarn.lock at head.');
    expect(error.hint).toContain('Regenerate yarn.lock');
  });

  it('a working directory without package.json at head points at the input', async () => {
    const repo = track(fixtureRepo('npm-monorepo'));
    const error = await caught(diff(repo, 'apps/missing'));
    expect(error.code).toBe('manifest-missing');
    expect(error.hint).toContain('working-directory');
    await expect(diff(repo, '../elsewhere')).rejects.toMatchObject({
      code: 'working-directory-outside-repo',
    });
  });

  it('a directory outside any repository', async () => {
    const error = await caught(
      diffDependencies({ repoDir: fixturesDir.slice(0, 1), baseRef: 'a', headRef: 'b' }),
    );
    expect(error.code).toBe('not-a-git-repo');
  });
});

// Keeps the expected list honest: it must match the fixtures, not just the code.
it('the expected grouped bump matches the committed npm manifests', () => {
  const read = (side: string) =>
    JSON.parse(readFileSync(join(fixturesDir, `npm-grouped/${side}/package.json`), 'utf8')).dependencies;
  const direct = groupedBump.filter((entry) => entry.direct && entry.name !== 'is-number');
  for (const entry of direct) {
    expect(read('base')[entry.name]).toBe(entry.from);
    expect(read('head')[entry.name]).toBe(entry.to);
  }
});
