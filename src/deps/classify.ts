import semver from 'semver';
import type { ChangeKind } from '../model/deps.js';

/**
 * The semver kind of a move from `from` to `to`. A move onto a prerelease is `prerelease` whatever
 * part changed, since prereleases carry their own risk; non-semver versions (git, tarballs) are `other`.
 */
export function classifyChange(from: string | null, to: string | null): ChangeKind {
  if (from === null) return 'added';
  if (to === null) return 'removed';
  const before = semver.valid(from);
  const after = semver.valid(to);
  if (!before || !after) return 'other';
  if (semver.lt(after, before)) return 'downgrade';
  if (semver.prerelease(after)) return 'prerelease';
  switch (semver.diff(before, after)) {
    case 'major':
    case 'premajor':
      return 'major';
    case 'minor':
    case 'preminor':
      return 'minor';
    case 'patch':
    case 'prepatch':
      return 'patch';
    default:
      return 'other';
  }
}

/** Highest first by semver, non-semver strings after in plain order: picks `from`/`to` among several copies. */
export function compareVersionsDescending(a: string, b: string): number {
  const validA = semver.valid(a);
  const validB = semver.valid(b);
  if (validA && validB) return semver.rcompare(validA, validB);
  if (validA || validB) return validA ? -1 : 1;
  return a.localeCompare(b);
}

/** The version a package.json range installs at least, for classifying range changes without a lockfile. */
export function lowestInRange(range: string): string | null {
  try {
    return semver.validRange(range) ? (semver.minVersion(range)?.version ?? null) : null;
  } catch {
    return null;
  }
}
