import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffDependencies } from '../../src/deps/diff.js';
import { LeakwatchError } from '../../src/settings/errors.js';
import { change, fixtureRepo, fixturesDir, groupedBump, makeRepo, trackedRepos } from './repo.js';

const { track, diff } = trackedRepos();

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
    expect(result.changes).toEqual([]);
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
    expect(error.code).toBe('REF_NOT_FOUND');
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
    expect(error.code).toBe('LOCKFILE_UNPARSABLE');
    expect(error.message).toBe('Could not parse yarn.lock at head.');
    expect(error.hint).toContain('Regenerate yarn.lock');
  });

  it('a working directory without package.json at head points at the input', async () => {
    const repo = track(fixtureRepo('npm-monorepo'));
    const error = await caught(diff(repo, 'apps/missing'));
    expect(error.code).toBe('MANIFEST_MISSING');
    expect(error.hint).toContain('working-directory');
    await expect(diff(repo, '../elsewhere')).rejects.toMatchObject({
      code: 'WORKING_DIRECTORY_OUTSIDE',
    });
  });

  it('a directory outside any repository', async () => {
    const error = await caught(
      diffDependencies({ repoDir: fixturesDir.slice(0, 1), baseRef: 'a', headRef: 'b' }),
    );
    expect(error.code).toBe('NOT_A_GIT_REPO');
  });
});

describe('a lockfile on one side only', () => {
  it('falls back to package.json ranges on both sides rather than mixing ranges with versions', async () => {
    const manifest = (side: string) =>
      readFileSync(join(fixturesDir, `npm-grouped/${side}/package.json`), 'utf8');
    const repo = track(
      makeRepo([
        { files: { 'package.json': manifest('base') }, tag: 'base' },
        { fixture: 'npm-grouped/head', tag: 'head' },
      ]),
    );
    const result = await diff(repo);
    expect(result.lockfilePath).toBeNull();
    expect(result.packageManager).toBe('npm');
    expect(result.changes).toEqual(groupedBump.filter((entry) => entry.direct));
  });
});
