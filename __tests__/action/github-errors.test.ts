// GitHub answering badly: the real client (Octokit with the retry and throttling plugins) against a local fake
// GitHub that gives 403s, 500s and rate limits. Retries are seen in the requests that reached the server; what
// still fails names the call and the permission, leaves the verdict output true, and fails the step per fail-on.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runAction } from '../../src/action/run-action.js';
import { type FakeFault, type FakeGitHub, startFakeGitHub } from '../helpers/fake-github.js';
import { OWNER, REPO, runAction as runBundledAction, tempDirs, workflowRunPayload } from './harness.js';
import { config, deps, headSha, PR, workflowRun, writeReport } from './report-workspace.js';

const tempDir = tempDirs('leakwatch-github-errors-');
const COMMENTS = /\/issues\/\d+\/comments$/;
const CHECKS = /\/check-runs$/;
const NOT_ACCESSIBLE = 'Resource not accessible by integration';

let github: FakeGitHub;
let lines: string[];
beforeEach(async () => {
  github = await startFakeGitHub();
  lines = [];
});
afterEach(() => github.close());

async function reportRun(faults: FakeFault[], verdict: 'regression' | 'unchanged', inputs = {}) {
  for (const fault of faults) github.fail(fault);
  const workspace = writeReport(tempDir(), verdict);
  const given = { mode: 'report', comment: 'always', 'check-name': 'memory', ...inputs };
  return runAction(config(workspace, given, workflowRun), deps(github, lines));
}

const calls = (method: string, path: RegExp) =>
  github.requests.filter((request) => request.method === method && path.test(request.path)).length;

describe('GitHub API errors', () => {
  it('a 403 on the comment names the call and permission, still publishes the check, keeps the verdict', async () => {
    const deny = { method: 'POST', path: COMMENTS, status: 403, times: 99, message: NOT_ACCESSIBLE };
    const result = await reportRun([deny], 'regression');
    expect(result.publishErrors).toEqual([
      expect.stringMatching(
        /^creating the comment failed: 403 Resource not accessible by integration; the workflow needs `permissions: pull-requests: write`/,
      ),
    ]);
    // Not retried: a 403 is an answer.
    expect(calls('POST', COMMENTS)).toBe(1);
    expect(result.outputs.verdict).toBe('regression');
    expect(result.comment).toBeNull();
    expect(github.checkRuns(OWNER, REPO)).toMatchObject([{ name: 'memory', conclusion: 'failure' }]);
    expect(result.failure).toMatch(
      /^leakwatch: memory regression: .*; publishing failed: creating the comment/,
    );
    expect(lines.join('\n')).not.toMatch(/this is a bug/);
  });

  it('fails a passing step on a publishing failure unless fail-on is never', async () => {
    const deny = { method: 'POST', path: COMMENTS, status: 403, times: 99, message: NOT_ACCESSIBLE };
    const failing = await reportRun([deny], 'unchanged');
    expect(failing.outputs.verdict).toBe('no-regression');
    expect(failing.check?.conclusion).toBe('success');
    expect(failing.failure).toMatch(
      /^leakwatch: no-regression, but publishing failed: creating the comment failed: 403/,
    );
    const tolerated = await reportRun([deny], 'unchanged', { 'fail-on': 'never' });
    expect(tolerated.failure).toBeNull();
    expect(tolerated.publishErrors).toHaveLength(1);
    expect(lines).toContainEqual(expect.stringMatching(/^creating the comment failed: 403/));
  });

  it('a 403 on the check still comments, and names `checks: write`', async () => {
    const deny = { method: 'POST', path: CHECKS, status: 403, times: 99, message: NOT_ACCESSIBLE };
    const result = await reportRun([deny], 'unchanged');
    expect(github.comments(OWNER, REPO, PR)).toHaveLength(1);
    expect(result.outputs['comment-url']).toBe(github.comments(OWNER, REPO, PR)[0]?.html_url);
    expect(result.publishErrors).toEqual([
      expect.stringMatching(/^publishing the check run `memory` failed: 403 .*`permissions: checks: write`/),
    ]);
  });

  it('retries a 500, then succeeds with one comment', async () => {
    const flaky = { method: 'POST', path: COMMENTS, status: 500, times: 1, message: 'Server Error' };
    const result = await reportRun([flaky], 'regression');
    expect(calls('POST', COMMENTS)).toBe(2);
    expect(result.publishErrors).toEqual([]);
    expect(github.comments(OWNER, REPO, PR)).toHaveLength(1);
    expect(result.failure).toMatch(/^leakwatch: memory regression: [^;]*$/);
  });

  it('waits out a secondary rate limit (429, retry-after) and a primary one (403, limit reset)', async () => {
    const secondary: FakeFault = {
      method: 'POST',
      path: CHECKS,
      status: 429,
      times: 2,
      message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
      headers: { 'retry-after': '3' },
    };
    const resetAt = String(Math.floor(Date.now() / 1000) + 2);
    const primary: FakeFault = {
      method: 'GET',
      path: COMMENTS,
      status: 403,
      times: 1,
      message: 'API rate limit exceeded for installation ID 1.',
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': resetAt },
    };
    const result = await reportRun([secondary, primary], 'unchanged');
    expect(result.publishErrors).toEqual([]);
    expect(calls('POST', CHECKS)).toBe(3);
    expect(github.checkRuns(OWNER, REPO)).toHaveLength(1);
    expect(github.comments(OWNER, REPO, PR)).toHaveLength(1);
    expect(lines).toContainEqual(
      expect.stringMatching(/^GitHub secondary rate limit on POST .*: retrying in 3 s/),
    );
    expect(lines).toContainEqual(expect.stringMatching(/^GitHub rate limit on GET .*: retrying in \d s/));
  });

  it('gives up on a persistent 500 after 4 tries, and a rate limit that does not reset soon', async () => {
    const down = { method: 'GET', path: COMMENTS, status: 502, times: 99, message: 'Bad Gateway' };
    const limited: FakeFault = {
      method: 'POST',
      path: CHECKS,
      status: 403,
      times: 99,
      message: 'API rate limit exceeded for installation ID 1.',
      headers: {
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      },
    };
    const result = await reportRun([down, limited], 'regression', { 'fail-on': 'error' });
    expect(calls('GET', COMMENTS)).toBe(4);
    expect(calls('POST', CHECKS)).toBe(1);
    expect(result.publishErrors).toEqual([
      expect.stringMatching(
        /^listing the PR comments failed: 502 Bad Gateway; GitHub answered with a server error 4 times: rerun the job/,
      ),
      expect.stringMatching(
        /^publishing the check run `memory` failed: 403 API rate limit exceeded.*; GitHub kept rate-limiting the token/,
      ),
    ]);
    expect(result.outputs.verdict).toBe('regression');
    // fail-on error: the regression alone would pass the step; the publishing failure fails it.
    expect(result.failure).toMatch(/^leakwatch: regression, but publishing failed: listing the PR comments/);
  });

  it('through dist/index.js: a 403 on the comment is a failed step with the call named, not a bug', async () => {
    github.fail({ method: 'POST', path: COMMENTS, status: 403, times: 99, message: NOT_ACCESSIBLE });
    github.seedPullRequest(OWNER, REPO, PR, headSha);
    const workspace = writeReport(tempDir(), 'regression');
    const run = await runBundledAction({
      inputs: {
        mode: 'report',
        'github-token': 'ghs_fake_actions_token',
        comment: 'always',
        'check-name': 'memory',
        threshold: '256',
      },
      eventName: 'workflow_run',
      payload: workflowRunPayload(headSha, [PR], 'success'),
      workspace,
      apiUrl: github.url,
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.verdict).toBe('regression');
    expect(run.stdout).toMatch(
      /::error::leakwatch: memory regression: .*publishing failed: creating the comment failed: 403 Resource not accessible by integration; the workflow needs `permissions: pull-requests: write`/,
    );
    expect(run.stdout).not.toMatch(/this is a bug/);
    expect(github.checkRuns(OWNER, REPO)).toMatchObject([{ name: 'memory', conclusion: 'failure' }]);
  }, 60_000);
});
