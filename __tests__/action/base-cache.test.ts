// The action's base cache for real: the bundled action (dist/index.js) and its @actions/cache against a local
// cache service v2 (__tests__/helpers/fake-actions-cache.ts) that scopes entries by ref as GitHub does. A real
// npm install from the registry and a build that stamps a random token; four runs of one PR's comparison.

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FakeActionsCache,
  runtimeToken,
  scopesFor,
  startFakeActionsCache,
} from '../helpers/fake-actions-cache.js';
import {
  type GitRepo,
  makeGitRepo,
  pullRequestPayload,
  QUICK_LOAD,
  runAction,
  tempDirs,
  tinyServer,
} from './harness.js';

const PR = 52;
const tempDir = tempDirs('leakwatch-action-cache-');
let cache: FakeActionsCache;
let repo: GitRepo;
/** One RUNNER_TEMP for every run, as on a runner: the service keys an entry by its paths as well as its key. */
let runnerTemp = '';

/** A real lockfile for `ms` at this version, resolved from the registry. */
function npmApp(msVersion: string): Record<string, string> {
  const dir = tempDir();
  const manifest = { name: 'cached', version: '1.0.0', private: true, dependencies: { ms: msVersion } };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  execFileSync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'], {
    cwd: dir,
    stdio: 'ignore',
  });
  return {
    'package.json': readFileSync(join(dir, 'package.json'), 'utf8'),
    'package-lock.json': readFileSync(join(dir, 'package-lock.json'), 'utf8'),
  };
}

function runPullRequest(event: 'pull_request' | 'pull_request_target') {
  return runAction({
    inputs: {
      'base-cache': 'true',
      comment: 'never',
      // The runs are about the cache, not the verdict (a null change at this short load can read inconclusive):
      // each run is checked for having measured both sides instead.
      'fail-on': 'never',
      'start-command': 'node server.js',
      // A build with output of its own (a random stamp), which the corrupt-entry case tampers with.
      'build-command': `node -e "require('fs').writeFileSync('built.txt', require('crypto').randomUUID())"`,
      ...QUICK_LOAD,
      'heap-snapshots': 'never',
    },
    eventName: event,
    payload: pullRequestPayload(repo, PR),
    workspace: repo.dir,
    sha: repo.headSha,
    env: {
      RUNNER_TEMP: runnerTemp,
      ACTIONS_CACHE_SERVICE_V2: 'true',
      ACTIONS_RESULTS_URL: cache.url,
      ACTIONS_RUNTIME_TOKEN: runtimeToken(scopesFor(event, { pr: PR, baseRef: 'main' })),
    },
  });
}

/** The report's base cache use, and the log lines that show whether base installed and built. */
async function baseCacheOf(run: Awaited<ReturnType<typeof runAction>>) {
  const report = JSON.parse(readFileSync(join(repo.dir, 'leakwatch-report', 'report.json'), 'utf8'));
  return {
    use: report.baseCache,
    isBaseInstalled: /base: npm ci/.test(run.stdout),
    isHeadInstalled: /head: npm ci/.test(run.stdout),
  };
}

beforeAll(async () => {
  cache = await startFakeActionsCache();
  runnerTemp = tempDir();
  mkdirSync(runnerTemp, { recursive: true });
  repo = makeGitRepo(
    tempDir(),
    { ...npmApp('2.1.2'), 'server.js': tinyServer(0) },
    { ...npmApp('2.1.3'), 'server.js': tinyServer(0) },
  );
});

afterAll(async () => {
  await cache.close();
});

describe('base-cache through @actions/cache (cache service v2)', () => {
  it('saves on a miss, skips base install and build on a hit, rebuilds a corrupt entry, keeps trusted scopes clean', async () => {
    const first = await runPullRequest('pull_request');
    expectMeasured(first);
    const firstCache = await baseCacheOf(first);
    expect(firstCache.use).toMatchObject({ status: 'miss', store: 'actions/cache', note: 'saved' });
    expect(firstCache.isBaseInstalled).toBe(true);
    const entries = cache.entries();
    expect(entries.map(({ key, scope, isFinalized }) => ({ key, scope, isFinalized }))).toEqual([
      { key: firstCache.use.key, scope: `refs/pull/${PR}/merge`, isFinalized: true },
    ]);
    expect(decoded(first.summary)).toMatch(
      /\| Base cache +\| \(actions\/cache\): miss: base installed and built \(saved\)/,
    );

    const second = await runPullRequest('pull_request');
    expectMeasured(second);
    const secondCache = await baseCacheOf(second);
    expect(secondCache.use).toMatchObject({ status: 'hit', key: firstCache.use.key });
    expect(secondCache.isBaseInstalled).toBe(false);
    expect(secondCache.isHeadInstalled).toBe(true);
    expect(second.stdout).toMatch(/base: restored from the base cache .*install and build skipped/);
    expect(decoded(second.summary)).toMatch(
      /\| Base cache +\| \(actions\/cache\): hit: base's install and build skipped/,
    );

    // The stored archive with the build's stamp changed in place: a valid tarball whose content no longer
    // matches the hash the entry's marker recorded.
    const entry = entries[0];
    if (!entry?.archive) throw new Error('no archive stored');
    entry.archive = tamperStamp(entry.archive);
    const third = await runPullRequest('pull_request');
    expectMeasured(third);
    const thirdCache = await baseCacheOf(third);
    expect(thirdCache.use).toMatchObject({ status: 'rebuilt' });
    // The service keeps entries immutable: the rebuilt base cannot replace the corrupt one under its key.
    expect(thirdCache.use.note).toMatch(/content does not match its hash; not saved/);
    expect(thirdCache.isBaseInstalled).toBe(true);

    // pull_request_target runs trusted, on the base branch's scope: the PR's entry (same key) is out of its
    // reach, and it saves nothing, so an entry built next to PR code never reaches that scope.
    const calls = cache.calls.length;
    const trusted = await runPullRequest('pull_request_target');
    expectMeasured(trusted);
    const trustedCache = await baseCacheOf(trusted);
    expect(trustedCache.use).toMatchObject({ status: 'miss', key: firstCache.use.key });
    expect(trustedCache.use.note).toMatch(/not saved: this event would put the entry where trusted runs/);
    expect(trustedCache.isBaseInstalled).toBe(true);
    const trustedCalls = cache.calls.slice(calls).map((call) => call.method);
    expect(trustedCalls).toEqual(['GetCacheEntryDownloadURL']);
    expect(cache.entries().map((e) => e.scope)).toEqual([`refs/pull/${PR}/merge`]);
  }, 600_000);
});

/** Both sides installed or restored, built, started and measured: whatever the verdict, not an error. */
function expectMeasured(run: Awaited<ReturnType<typeof runAction>>) {
  expect(run.exitCode, run.stdout + run.stderr).toBe(0);
  expect(run.outputs.verdict, run.stdout).toMatch(/^(no-regression|pre-existing|inconclusive|regression)$/);
}

/** The summary's table cells escape punctuation as numeric entities. */
const decoded = (markdown: string) =>
  markdown.replace(/&#(\d+);/g, (_entity, code: string) => String.fromCharCode(Number(code)));

/** Replaces the 36-character build stamp inside the (gzip or zstd) tar with another of the same length. */
function tamperStamp(archive: Buffer): Buffer {
  const isGzip = archive[0] === 0x1f && archive[1] === 0x8b;
  const tar = isGzip
    ? gunzipSync(archive)
    : execFileSync('zstd', ['-d', '-c', '--long=30'], { input: archive, maxBuffer: 2 ** 30 });
  const text = tar.toString('latin1');
  const stamp = text.match(/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/)?.[0];
  if (!stamp) throw new Error('no build stamp in the archive');
  const tampered = Buffer.from(text.replace(stamp, '00000000-0000-4000-8000-000000000000'), 'latin1');
  return isGzip ? gzipSync(tampered) : execFileSync('zstd', ['-c'], { input: tampered, maxBuffer: 2 ** 30 });
}
