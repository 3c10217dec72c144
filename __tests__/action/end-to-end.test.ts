// The bundled action on real repositories: a real dependency bump that leaks (the demo's contentful-sdk-core
// 6.4.5 → 6.4.4, installed from the npm registry) fails the PR with a comment naming it; and a copy of the
// bundle with no node_modules anywhere above it measures a push.

import { cpSync, existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS_TOKEN, type FakeGitHub, startFakeGitHub } from '../helpers/fake-github.js';
import {
  makeGitRepo,
  npmFiles,
  OWNER,
  projectRoot,
  pullRequestPayload,
  QUICK_LOAD,
  REPO,
  runAction,
  tempDirs,
  tinyServer,
} from './harness.js';

const tempDir = tempDirs('leakwatch-e2e-');
let github: FakeGitHub;

beforeAll(async () => {
  github = await startFakeGitHub();
});

afterAll(async () => {
  await github.close();
});

const demoFile = (path: string) => readFileSync(join(projectRoot, 'demo', path), 'utf8');

describe('a leaking dependency bump in a pull request', () => {
  it('fails the step with a comment that names contentful-sdk-core 6.4.5 → 6.4.4', async () => {
    const repo = makeGitRepo(
      tempDir(),
      {
        'package.json': demoFile('base/package.json'),
        'package-lock.json': demoFile('base/package-lock.json'),
        'server.js': demoFile('base/server.js'),
        'scenario.yml': demoFile('scenario.yml'),
      },
      {
        'package.json': demoFile('head/package.json'),
        'package-lock.json': demoFile('head/package-lock.json'),
      },
    );
    const number = 41;
    const result = await runAction({
      inputs: {
        'github-token': ACTIONS_TOKEN,
        'start-command': 'node server.js',
        scenario: 'scenario.yml',
      },
      eventName: 'pull_request',
      payload: pullRequestPayload(repo, number),
      workspace: repo.dir,
      sha: repo.headSha,
      apiUrl: github.url,
    });
    expect(result.exitCode, result.stdout + result.stderr).toBe(1);
    expect(result.outputs.verdict).toBe('regression');
    expect(result.stdout).toContain('::error::leakwatch: memory regression');
    // Both sides really installed from the registry (npm ci), not from the demo's node_modules.
    expect(result.stdout).toMatch(/base: npm ci/);
    expect(result.stdout).toMatch(/head: npm ci/);

    const comments = github.comments(OWNER, REPO, number);
    expect(comments).toHaveLength(1);
    const body = comments[0]?.body ?? '';
    expect(body.startsWith('<!-- leakwatch:scenario.yml -->')).toBe(true);
    expect(body).toMatch(
      /^## ❌ \+[\d.]+ KiB retained per request \(±[\d.]+, 95 % CI\) · <code>contentful-sdk-core<\/code> 6\.4\.5 → 6\.4\.4 \(downgrade\)$/m,
    );
    expect(body).toMatch(
      /^- \*\*Cause:\*\* <code>Map<\/code> \(<code>defaultsByInstance<\/code>\) in contentful-sdk-core keeps /m,
    );
    expect(body).toMatch(/^\| Under load +\|/m);
    expect(body).toMatch(
      /\| <code>contentful-sdk-core<\/code> +\| 6\.4\.5 → 6\.4\.4 +\| downgrade, direct +\|/,
    );
    expect(body).toContain('xychart-beta');
    // CI runs this file under Node 20, 22 and 24: the action and both apps run on the Node that runs the test.
    const v = process.version.replaceAll('.', '\\.');
    expect(body).toMatch(
      new RegExp(`\\| Node\\.js +\\| ${v} \\(leakwatch\\); base app ${v}, head app ${v} +\\|`),
    );
    expect(body).toContain('<code>demo-cms-client-per-request</code>');
    expect(Number(result.outputs['head-slope'])).toBeGreaterThan(Number(result.outputs['base-slope']));
    expect(result.summary).toMatch(/^## ❌ \+[\d.]+ KiB retained per request/m);
    expect(result.summary).not.toContain('<!-- leakwatch:');
  }, 240_000);
});

describe('the bundle alone', () => {
  it('runs from a folder with no node_modules and measures a push without commenting', async () => {
    const actionDir = tempDir();
    for (const path of ['dist', 'action.yml', 'package.json', 'scenarios']) {
      cpSync(join(projectRoot, path), join(actionDir, path), { recursive: true });
    }
    for (let dir = actionDir; dir !== dirname(dir); dir = dirname(dir)) {
      expect(existsSync(join(dir, 'node_modules')), `${dir}/node_modules`).toBe(false);
    }
    const repo = makeGitRepo(
      tempDir(),
      { ...npmFiles({ 'left-pad': '1.0.0' }), 'server.js': tinyServer(0) },
      { ...npmFiles({ 'left-pad': '1.1.0' }), 'server.js': tinyServer(64_000) },
    );
    const before = github.requests.length;
    const result = await runAction({
      entry: join(actionDir, 'dist', 'index.js'),
      inputs: {
        'github-token': ACTIONS_TOKEN,
        comment: 'always',
        'start-command': 'node server.js',
        'install-command': 'node -e 0',
        ...QUICK_LOAD,
      },
      eventName: 'push',
      payload: { ref: 'refs/heads/bump', before: repo.baseSha, after: repo.headSha },
      workspace: repo.dir,
      sha: repo.headSha,
      apiUrl: github.url,
    });
    expect(result.exitCode, result.stdout + result.stderr).toBe(1);
    expect(result.outputs.verdict).toBe('regression');
    expect(result.stdout).toContain(`baseline: merge base ${repo.baseSha.slice(0, 12)}`);
    expect(result.summary).toMatch(/^## ❌ \+[\d.]+ KiB retained per request/m);
    expect(result.summary).toContain('<code>left-pad</code> 1.0.0 → 1.1.0');
    expect(result.outputs['comment-url']).toBeUndefined();
    // No PR: nothing reached GitHub, not even a listing.
    expect(github.requests.slice(before)).toEqual([]);
  });
});
