// The base cache: many PRs (Dependabot, Renovate) share one merge base and one base lockfile, so the installed and
// built base app is kept under a key of everything that shapes it, and a hit skips base's install and build.
// An entry is trusted only when its completion marker is there and its content hashes to what the marker says;
// anything else is discarded and rebuilt.
import { createHash, randomUUID } from 'node:crypto';
import { cp, mkdir, readdir, readFile, readlink, rename, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

/** Bumped when the entry layout or what the key covers changes: old entries then simply miss. */
const FORMAT = 1;
const MARKER = 'leakwatch-entry.json';

export interface BaseCacheKeyParts {
  mergeBaseSha: string;
  workingDirectory: string;
  /** sha256 of base's lockfile, or of its package.json when there is none. */
  lockfileHash: string;
  installCommand: string;
  /** Empty when there is nothing to build. */
  buildCommand: string;
  nodeVersion: string;
  platform: string;
}

export function baseCacheKey(parts: BaseCacheKeyParts): string {
  const digest = createHash('sha256')
    .update(JSON.stringify({ format: FORMAT, ...parts }))
    .digest('hex');
  return `leakwatch-base-${parts.mergeBaseSha.slice(0, 12)}-${digest.slice(0, 32)}`;
}

export type RestoreOutcome = { status: 'hit' } | { status: 'miss' } | { status: 'corrupt'; reason: string };

/** Where entries live: a folder for the CLI, the Actions cache service for the action. */
export interface BaseCacheStore {
  /** For the log and the report, e.g. `folder /tmp/cache`. */
  description: string;
  /** Copies the entry's content over `targetDir` (the fresh base worktree's install folder) on a hit. */
  restore(key: string, targetDir: string): Promise<RestoreOutcome>;
  /** Stores `sourceDir` (installed and built, not yet run) under `key`: true, or why the store declined. */
  save(key: string, sourceDir: string): Promise<true | string>;
}

/** `--cache-dir`: one folder per key holding `content/` and, written last, the completion marker. */
export function folderStore(cacheDir: string): BaseCacheStore {
  return {
    description: `folder ${cacheDir}`,
    async restore(key, targetDir) {
      const entryDir = join(cacheDir, key);
      const verdict = await verifyEntry(entryDir, key);
      if (verdict.status !== 'hit') {
        if (verdict.status === 'corrupt') await rm(entryDir, { recursive: true, force: true });
        return verdict;
      }
      await restoreEntry(entryDir, targetDir);
      return verdict;
    },
    async save(key, sourceDir) {
      const finalDir = join(cacheDir, key);
      const partialDir = join(cacheDir, `.partial-${key}-${randomUUID().slice(0, 8)}`);
      try {
        await mkdir(partialDir, { recursive: true });
        await writeEntry(sourceDir, partialDir, key);
        // A rename is atomic: readers see no entry or a whole one.
        await rename(partialDir, finalDir);
        return true;
      } finally {
        await rm(partialDir, { recursive: true, force: true });
      }
    },
  };
}

/** Copies a verified entry's content over `targetDir`. */
export async function restoreEntry(entryDir: string, targetDir: string): Promise<void> {
  await copyTree(join(entryDir, 'content'), targetDir);
}

/** Copies `sourceDir` to `entryDir/content` and writes the marker with the copy's hash, last. */
export async function writeEntry(sourceDir: string, entryDir: string, key: string): Promise<void> {
  const contentDir = join(entryDir, 'content');
  await copyTree(sourceDir, contentDir);
  const contentHash = await hashTree(contentDir);
  const marker = { format: FORMAT, key, contentHash, createdAt: new Date().toISOString() };
  await writeFile(join(entryDir, MARKER), `${JSON.stringify(marker, null, 2)}\n`);
}

/** A hit only with a marker for this key whose hash matches the content now on disk. */
export async function verifyEntry(entryDir: string, key: string): Promise<RestoreOutcome> {
  let text: string;
  try {
    text = await readFile(join(entryDir, MARKER), 'utf8');
  } catch {
    const exists = await readdir(entryDir).then(
      () => true,
      () => false,
    );
    return exists
      ? { status: 'corrupt', reason: 'no completion marker (a partial entry)' }
      : { status: 'miss' };
  }
  let marker: { format?: unknown; key?: unknown; contentHash?: unknown };
  try {
    marker = JSON.parse(text) as typeof marker;
  } catch {
    return { status: 'corrupt', reason: 'unreadable completion marker' };
  }
  if (marker.format !== FORMAT || marker.key !== key)
    return { status: 'corrupt', reason: 'marker for another key' };
  const actual = await hashTree(join(entryDir, 'content')).catch(() => null);
  if (actual !== marker.contentHash) return { status: 'corrupt', reason: 'content does not match its hash' };
  return { status: 'hit' };
}

/**
 * Symlinks stay as written (pnpm's node_modules is made of relative links), and a worktree's `.git` file, which
 * points at one checkout's metadata, is never copied.
 */
async function copyTree(from: string, to: string): Promise<void> {
  await cp(from, to, {
    recursive: true,
    force: true,
    verbatimSymlinks: true,
    filter: (source) => relative(from, source) !== '.git',
  });
}

/** sha256 over every path, its kind, and its bytes or link target, in sorted order. */
export async function hashTree(root: string): Promise<string> {
  const hash = createHash('sha256');
  const walk = async (dir: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const entry of entries) {
      const path = join(dir, entry.name);
      const name = relative(root, path);
      if (name === '.git') continue;
      if (entry.isSymbolicLink()) hash.update(`l\0${name}\0${await readlink(path)}\0`);
      else if (entry.isDirectory()) {
        hash.update(`d\0${name}\0`);
        await walk(path);
      } else if (entry.isFile()) {
        const bytes = await readFile(path);
        hash.update(`f\0${name}\0${bytes.length}\0`).update(bytes);
      }
    }
  };
  await walk(root);
  return hash.digest('hex');
}
