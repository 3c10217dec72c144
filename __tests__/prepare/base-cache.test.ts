// The CLI's base cache for real: npm workspaces installed and built in git worktrees, a folder store on disk.
import { execFileSync } from 'node:child_process';
import { appendFile, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { folderStore } from '../../src/prepare/base-cache.js';
import { prepareBoth } from '../../src/prepare/prepare-both.js';
import { makeRepo, makeTempDir, removeDir, writeFiles } from './fixtures.js';

const cleanup: string[] = [];
let repoDir = '';
let logDir = '';
let cacheDir = '';
let baseSha = '';
let headSha = '';
let otherBaseSha = '';

/** An npm workspace (app in web/, lockfile at the root) whose build stamps a random token into web/built.txt. */
async function commitApp(repo: Awaited<ReturnType<typeof makeRepo>>, msVersion: string) {
  const build = "node -e \"require('fs').writeFileSync('built.txt', String(Math.random()))\"";
  await writeFiles(repo.dir, {
    'package.json': JSON.stringify({ name: 'monorepo', private: true, workspaces: ['web'] }),
    'web/package.json': JSON.stringify({
      name: 'web',
      private: true,
      scripts: { build },
      dependencies: { ms: msVersion },
    }),
  });
  execFileSync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'], {
    cwd: repo.dir,
    stdio: 'ignore',
  });
  return repo.commit({}, `ms ${msVersion}`);
}

beforeAll(async () => {
  const repo = await makeRepo();
  repoDir = repo.dir;
  logDir = await makeTempDir('cache-logs');
  cacheDir = await makeTempDir('cache');
  cleanup.push(repoDir, logDir, cacheDir);
  baseSha = await commitApp(repo, '2.1.2');
  headSha = await commitApp(repo, '2.1.3');
  otherBaseSha = await commitApp(repo, '2.0.0');
});
afterAll(async () => {
  for (const dir of cleanup) await removeDir(dir);
});

/** Prepares base (with the cache) and head; returns what a later stage would see of base. */
async function prepareBase(sha: string) {
  const lines: string[] = [];
  await using prepared = await prepareBoth({
    repoDir,
    baseSha: sha,
    headSha,
    workingDirectory: 'web',
    logDir,
    log: (line) => lines.push(line),
    baseCache: folderStore(cacheDir),
  });
  const { base } = prepared;
  const stamp = await readFile(join(base.appDir, 'built.txt'), 'utf8');
  const ms = execFileSync('node', ['-p', "require('ms/package.json').version"], {
    cwd: base.appDir,
    encoding: 'utf8',
  });
  const link = await readlink(join(base.dir, 'node_modules', 'web'));
  return { base, stamp, ms: ms.trim(), link, lines };
}

const entryDirs = async () => (await readdir(cacheDir)).filter((name) => !name.startsWith('.'));

describe('base cache in a folder (--cache-dir)', () => {
  it('misses and saves, then hits without installing or building, then rebuilds a corrupt or partial entry', async () => {
    const first = await prepareBase(baseSha);
    expect(first.base.cache).toMatchObject({ status: 'miss', store: `folder ${cacheDir}` });
    expect(first.base.result).toMatchObject({ ok: true });
    expect(first.ms).toBe('2.1.2');
    expect(await entryDirs()).toEqual([first.base.cache?.key]);

    const second = await prepareBase(baseSha);
    expect(second.base.cache).toMatchObject({ status: 'hit', key: first.base.cache?.key });
    expect(second.base.result).toMatchObject({ ok: true, installMs: 0, buildMs: 0 });
    // The build did not run again: its random stamp is the first run's, and the app resolves its dependency.
    expect(second.stamp).toBe(first.stamp);
    expect(second.ms).toBe('2.1.2');
    // npm's workspace link stays relative, so it points into this worktree, not the one that was cached.
    expect(second.link).toBe('../web');
    expect(second.lines.join('\n')).toMatch(/restored from the base cache .*install and build skipped/);
    expect(second.lines.filter((line) => line.startsWith('base: npm'))).toEqual([]);
    expect(first.lines.filter((line) => line.startsWith('base: npm'))).not.toEqual([]);

    // One changed byte in the stored app: detected by the hash, discarded, rebuilt and saved again.
    const key = first.base.cache?.key as string;
    await appendFile(join(cacheDir, key, 'content', 'node_modules', 'ms', 'index.js'), '\n// tampered\n');
    const third = await prepareBase(baseSha);
    expect(third.base.cache).toMatchObject({
      status: 'rebuilt',
      note: expect.stringMatching(/does not match its hash/),
    });
    expect(third.stamp).not.toBe(first.stamp);
    expect((await prepareBase(baseSha)).base.cache?.status).toBe('hit');

    // An entry without its completion marker (a save that died midway) is never trusted.
    await rm(join(cacheDir, key, 'leakwatch-entry.json'));
    const partial = await prepareBase(baseSha);
    expect(partial.base.cache).toMatchObject({
      status: 'rebuilt',
      note: expect.stringMatching(/no completion marker/),
    });
  }, 300_000);

  it('another merge base with another lockfile is another key: a miss', async () => {
    const other = await prepareBase(otherBaseSha);
    expect(other.base.cache?.status).toBe('miss');
    expect(other.ms).toBe('2.0.0');
  }, 120_000);
});
