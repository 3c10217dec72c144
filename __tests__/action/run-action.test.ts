// runAction in-process: gating, publishing and comment policy, with the real @actions/github client talking to
// a local fake GitHub and real files in a temp workspace. The config comes from readActionConfig, as in the action.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ActionContext, tryReadActionConfig } from '../../src/action/config.js';
import { runAction } from '../../src/action/run-action.js';
import type { ComparisonVerdict } from '../../src/model/report.js';
import { ACTIONS_TOKEN, type FakeGitHub, startFakeGitHub } from '../helpers/fake-github.js';
import { contentfulBump } from '../report/build-report.js';
import { makeGitRepo, npmFiles, OWNER, pullRequestPayload, REPO, tempDirs } from './harness.js';
import { config, deps as depsFor, headSha, PR, workflowRun, writeReport } from './report-workspace.js';

const tempDir = tempDirs('leakwatch-run-action-');

let github: FakeGitHub;
let lines: string[];
beforeEach(async () => {
  github = await startFakeGitHub();
  lines = [];
});
afterEach(() => github.close());

const deps = () => depsFor(github, lines);

/** A workspace holding one measured report for PR 58, as `mode: measure` would leave it. */
function workspaceWith(verdict: ComparisonVerdict, changes = [contentfulBump]): string {
  return writeReport(tempDir(), verdict, changes);
}

describe('runAction', () => {
  it('fails the step on a regression, comments once and publishes a failing check', async () => {
    const workspace = workspaceWith('regression');
    const given = { mode: 'report', 'check-name': 'memory' };
    const result = await runAction(config(workspace, given, workflowRun), deps());
    expect(result.verdict).toBe('regression');
    expect(result.failure).toMatch(/^leakwatch: memory regression: /);
    expect(result.outputs).toMatchObject({ verdict: 'regression', delta: '3960.0' });
    expect(github.comments(OWNER, REPO, PR)).toHaveLength(1);
    expect(result.comment?.url).toBe(github.comments(OWNER, REPO, PR)[0]?.html_url);
    expect(result.check?.conclusion).toBe('failure');
    expect(github.checkRuns(OWNER, REPO)).toMatchObject([{ name: 'memory', head_sha: headSha }]);

    // The next run edits the same comment; with fail-on never the regression no longer fails the step.
    const again = await runAction(config(workspace, { ...given, 'fail-on': 'never' }, workflowRun), deps());
    expect(again.failure).toBeNull();
    expect(again.check?.conclusion).toBe('neutral');
    expect(github.comments(OWNER, REPO, PR)).toHaveLength(1);
  });

  it('comments on-change only when a dependency changed; always and never mean what they say', async () => {
    const unchanged = workspaceWith('unchanged', []);
    const onChange = await runAction(config(unchanged, { mode: 'report' }, workflowRun), deps());
    expect(onChange).toMatchObject({ verdict: 'no-regression', comment: null, failure: null });
    expect(github.requests.filter((request) => request.method !== 'GET')).toEqual([]);

    const always = await runAction(
      config(unchanged, { mode: 'report', comment: 'always' }, workflowRun),
      deps(),
    );
    expect(always.comment).not.toBeNull();
    const never = await runAction(
      config(workspaceWith('regression'), { mode: 'report', comment: 'never' }, workflowRun),
      deps(),
    );
    expect(never.comment).toBeNull();
    expect(never.failure).not.toBeNull();
    expect(github.comments(OWNER, REPO, PR)).toHaveLength(1);
  });

  it('an error fails the step unless fail-on is never, and is commented', async () => {
    const rejected = tempDir();
    mkdirSync(join(rejected, 'leakwatch-report'), { recursive: true });
    writeFileSync(join(rejected, 'leakwatch-report', 'report.json'), '{"schemaVersion": 1');
    const result = await runAction(config(rejected, { mode: 'report' }, workflowRun), deps());
    expect(result.verdict).toBe('error');
    expect(result.failure).toMatch(/^leakwatch: could not measure: Rejected leakwatch-report\/report.json/);
    // No PR is known from a rejected report: nothing to comment on.
    expect(result.comment).toBeNull();
    const tolerated = await runAction(
      config(rejected, { mode: 'report', 'fail-on': 'never' }, workflowRun),
      deps(),
    );
    expect(tolerated.failure).toBeNull();
  });

  it('reports invalid inputs as an error without touching GitHub', async () => {
    process.env.INPUT_THRESHOLD = '-1';
    process.env['INPUT_GITHUB-TOKEN'] = ACTIONS_TOKEN;
    try {
      const configError = tryReadActionConfig();
      const result = await runAction(configError, deps());
      expect(result.verdict).toBe('error');
      expect(result.failure).toContain('`threshold` must be a number > 0 (got `-1`)');
      expect(github.requests).toEqual([]);
    } finally {
      delete process.env.INPUT_THRESHOLD;
      delete process.env['INPUT_GITHUB-TOKEN'];
    }
  });

  it('skips a PR that changed no dependency, writing no report and leaving no comment', async () => {
    const repo = makeGitRepo(tempDir(), npmFiles({ 'left-pad': '1.0.0' }), { 'README.md': 'docs only' });
    const context: ActionContext = {
      eventName: 'pull_request',
      runId: 9,
      serverUrl: 'https://github.com',
      payload: pullRequestPayload(repo, PR),
    };
    const result = await runAction(config(repo.dir, {}, context), deps());
    expect(result).toMatchObject({ verdict: 'skipped', comment: null, check: null, failure: null });
    expect(result.outputs['report-path']).toBeUndefined();
    expect(github.comments(OWNER, REPO, PR)).toEqual([]);
    expect(lines.at(-1)).toMatch(/^leakwatch: skipped/);
  });
});
