import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { change, fixtureRepo, fixturesDir, groupedBump, trackedRepos } from './repo.js';

// Fixtures are real lockfiles written by npm 11, pnpm 8/9, yarn 1/4 and bun 1 (see fixtures/generate.mjs).
const { track, diff } = trackedRepos();

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
    expect(result.changes.length).toBeGreaterThan(0);
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
