// Units from the real lockfiles of npm, pnpm and yarn: a bump brings its transitive changes along.
import { describe, expect, it } from 'vitest';
import type { BumpUnit } from '../../src/model/deps.js';
import { fixtureRepo, trackedRepos } from './repo.js';

const { track, diff } = trackedRepos();
const summary = (units: BumpUnit[]) =>
  units.map((unit) => [unit.kind, unit.lead, unit.changes.map((change) => change.name)]);

describe('units of a grouped bump', () => {
  it.each([
    'npm-grouped',
    'npm-v2-grouped',
    'pnpm9-grouped',
    'pnpm8-grouped',
    'yarn1-grouped',
    'berry-grouped',
  ])('%s: chalk 5 carries away the tree chalk 4 needed', async (fixture) => {
    const result = await diff(track(fixtureRepo(fixture)));
    expect(summary(result.units)).toEqual([
      [
        'bump',
        'chalk',
        ['chalk', 'ansi-styles', 'color-convert', 'color-name', 'has-flag', 'supports-color'],
      ],
      ['bump', 'is-number', ['is-number']],
      ['bump', 'ms', ['ms']],
      ['bump', 'semver', ['semver']],
    ]);
  });

  it.each(['npm-grouped', 'berry-grouped'])('%s reversed: chalk 4 brings its tree back', async (fixture) => {
    const result = await diff(track(fixtureRepo(fixture, true)));
    expect(result.units.find((unit) => unit.lead === 'chalk')?.changes).toHaveLength(6);
    expect(result.units).toHaveLength(4);
  });

  it('without a lockfile graph (bun), every change is a unit of its own', async () => {
    const result = await diff(track(fixtureRepo('bun-grouped')));
    expect(result.units).toHaveLength(result.changes.length);
  });
});

describe('transitive changes no direct change explains', () => {
  it.each(['npm-transitive', 'pnpm9-transitive'])(
    '%s: one unit under the direct dependency they sit under',
    async (fixture) => {
      const result = await diff(track(fixtureRepo(fixture)));
      expect(summary(result.units)).toEqual([
        ['transitive', 'chalk', ['@types/color-name', 'ansi-styles', 'supports-color']],
      ]);
    },
  );
});

describe('a workspace library the app links', () => {
  it.each(['npm-monorepo', 'pnpm9-monorepo', 'berry-monorepo'])(
    '%s: its package.json line is a bump of its own',
    async (fixture) => {
      const result = await diff(track(fixtureRepo(fixture)), 'apps/web');
      expect(summary(result.units)).toEqual([['bump', 'semver', ['semver']]]);
    },
  );
});
