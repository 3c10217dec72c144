import { posix } from 'node:path';
import { parseSyml } from '@yarnpkg/parsers';
import yaml from 'js-yaml';
import JSON5 from 'json5';
import type { PackageManagerName } from '../model/deps.js';
import { LeakwatchError } from '../settings/errors.js';
import { resolveBunLock } from './bun-lock.js';
import { resolveNpmLock } from './npm-lock.js';
import { resolvePnpmLock } from './pnpm-lock.js';
import { isRecord, type LockGraph, type ResolvedVersions } from './resolved.js';
import { resolveYarnBerryLock, resolveYarnClassicLock } from './yarn-lock.js';

// Within one directory, npm itself prefers the shrinkwrap over package-lock.json. bun.lockb is binary
// and unsupported: such repos fall back to comparing package.json ranges.
// Without `packageManager`, the same precedence as the install's detection (prepare/package-manager.ts): with both
// package-lock.json and pnpm-lock.yaml the install runs pnpm, so the diff must read pnpm's lockfile.
const lockfileNames = ['pnpm-lock.yaml', 'yarn.lock', 'bun.lock', 'npm-shrinkwrap.json', 'package-lock.json'];
const lockfileOfManager: Record<string, string[]> = {
  npm: ['npm-shrinkwrap.json', 'package-lock.json'],
  pnpm: ['pnpm-lock.yaml'],
  yarn: ['yarn.lock'],
  bun: ['bun.lock'],
};

/** Every lockfile path that could govern `appDir`, nearest directory first (workspaces lock at the root). */
export function lockfileCandidates(appDir: string): string[] {
  const dirs: string[] = [];
  for (let dir = appDir; ; dir = posix.dirname(dir)) {
    dirs.push(dir);
    if (dir === '.') break;
  }
  return dirs.flatMap((dir) => lockfileNames.map((name) => posix.join(dir, name)));
}

/** The nearest existing lockfile; in a directory with several, the one `packageManager` (e.g. `pnpm@9`) names. */
export function pickLockfile(
  candidates: string[],
  existing: Set<string>,
  packageManager: string | null,
): string | null {
  const preferred = lockfileOfManager[packageManager?.split('@')[0] ?? ''] ?? [];
  const present = candidates.filter((path) => existing.has(path));
  const nearestDir = present[0] === undefined ? null : posix.dirname(present[0]);
  const sameDir = present.filter((path) => posix.dirname(path) === nearestDir);
  return sameDir.find((path) => preferred.includes(posix.basename(path))) ?? sameDir[0] ?? null;
}

export interface ParsedLockfile {
  packageManager: PackageManagerName;
  /**
   * `importer` is the app dir relative to the lockfile's dir, or null for the whole lockfile;
   * `roots` the app's declared dependencies. With `graph`, the edges walked are recorded in it too
   * (npm v2+, pnpm and yarn; bun and npm v1 lockfiles leave it empty).
   */
  resolve(importer: string | null, roots: [string, string][], graph?: LockGraph): ResolvedVersions;
}

export function parseLockfile(path: string, ref: string, text: string): ParsedLockfile {
  const fail = (cause: unknown): never => {
    throw new LeakwatchError('LOCKFILE_UNPARSABLE', `Could not parse ${path} at ${ref}.`, {
      hint: `Regenerate ${posix.basename(path)} with its package manager at that commit (merge conflicts and hand edits break it).`,
      cause,
    });
  };
  try {
    switch (posix.basename(path)) {
      case 'pnpm-lock.yaml': {
        // js-yaml, not the `yaml` package: 34 ms against 526 ms on a 463 KB lockfile (bench/yaml.mjs), and
        // @yarnpkg/parsers reads yarn.lock with js-yaml too.
        const lock = asRecord(yaml.load(text), fail);
        return {
          packageManager: 'pnpm',
          resolve: (importer, _roots, graph) => resolvePnpmLock(lock, importer, graph),
        };
      }
      case 'yarn.lock':
        return parseYarnLock(text, fail);
      case 'bun.lock': {
        // bun.lock is JSON with trailing commas; JSON5 is a well-kept superset that accepts them.
        const lock = asRecord(JSON5.parse(text), fail);
        return { packageManager: 'bun', resolve: (importer) => resolveBunLock(lock, importer) };
      }
      default: {
        const lock = asRecord(JSON.parse(text), fail);
        return {
          packageManager: 'npm',
          resolve: (importer, _roots, graph) => resolveNpmLock(lock, importer, graph),
        };
      }
    }
  } catch (error) {
    if (error instanceof LeakwatchError) throw error;
    return fail(error);
  }
}

// parseSyml reads both formats (berry migrates classic lockfiles with it), and unlike @yarnpkg/lockfile it
// bundles into ESM without needing __filename.
function parseYarnLock(text: string, fail: (cause: unknown) => never): ParsedLockfile {
  const lock = asRecord(parseSyml(text), fail);
  if (isRecord(lock.__metadata)) {
    return {
      packageManager: 'yarn-berry',
      resolve: (importer, _roots, graph) => resolveYarnBerryLock(lock, importer, graph),
    };
  }
  return {
    packageManager: 'yarn-classic',
    resolve: (importer, roots, graph) =>
      resolveYarnClassicLock(lock, importer === null ? null : roots, graph),
  };
}

function asRecord(value: unknown, fail: (cause: unknown) => never): Record<string, unknown> {
  return isRecord(value) ? value : fail(new Error('the top level is not a mapping'));
}
