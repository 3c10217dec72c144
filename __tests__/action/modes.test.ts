// The fork-safe pair across processes: `mode: measure` (no token) writes report-dir, `mode: report` in a
// workflow_run reads it as untrusted input, re-renders it and comments; one or several reports (a matrix).

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS_TOKEN, type FakeGitHub, startFakeGitHub } from '../helpers/fake-github.js';
import {
  type ActionRun,
  type GitRepo,
  makeGitRepo,
  npmFiles,
  OWNER,
  pullRequestPayload,
  QUICK_LOAD,
  REPO,
  runAction,
  tempDirs,
  tinyServer,
  workflowRunPayload,
} from './harness.js';

const PR = 31;
const tempDir = tempDirs('leakwatch-modes-');

let github: FakeGitHub;
let repo: GitRepo;
/** Measured once each, with the built-in `default` and `health-check` scenarios. */
const measured: Record<'default' | 'health-check', ActionRun> = {} as never;

function measure(scenario: 'default' | 'health-check') {
  return runAction({
    // No github-token: a fork's measuring run has nothing to comment with.
    inputs: {
      mode: 'measure',
      scenario,
      'report-dir': `out/${scenario}`,
      'start-command': 'node server.js',
      // The app needs none of the lockfile's packages; a no-op install keeps the test off the registry.
      'install-command': 'node -e 0',
      ...QUICK_LOAD,
    },
    eventName: 'pull_request',
    payload: pullRequestPayload(repo, PR),
    workspace: repo.dir,
    sha: repo.headSha,
    apiUrl: github.url,
  });
}

beforeAll(async () => {
  github = await startFakeGitHub();
  repo = makeGitRepo(
    tempDir(),
    { ...npmFiles({ 'left-pad': '1.0.0' }), 'server.js': tinyServer(0) },
    { ...npmFiles({ 'left-pad': '1.1.0' }), 'server.js': tinyServer(64_000) },
  );
  measured.default = await measure('default');
  measured['health-check'] = await measure('health-check');
}, 180_000);

afterAll(async () => {
  await github.close();
});

function reportJson(scenario: 'default' | 'health-check'): Record<string, unknown> {
  return JSON.parse(readFileSync(join(repo.dir, 'out', scenario, 'report.json'), 'utf8'));
}

/** A report run's workspace, as `actions/download-artifact` leaves it: one folder per artifact. */
function downloadedArtifacts(reports: Record<string, unknown>): string {
  const workspace = tempDir();
  for (const [artifact, report] of Object.entries(reports)) {
    const dir = join(workspace, 'leakwatch-report', artifact);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'report.json'), JSON.stringify(report));
    // report.md travels in the artifact too; report mode must never post it as is.
    writeFileSync(join(dir, 'report.md'), '<!-- leakwatch:default -->\nPLANTED <img src=x onerror=alert(1)>');
  }
  return workspace;
}

function report(
  workspace: string,
  inputs: Record<string, string> = {},
  pullRequestNumbers: number[] = [PR],
  headSha = repo.headSha,
  conclusion = 'failure',
) {
  return runAction({
    inputs: { mode: 'report', 'github-token': ACTIONS_TOKEN, ...inputs },
    eventName: 'workflow_run',
    payload: workflowRunPayload(headSha, pullRequestNumbers, conclusion),
    workspace,
    apiUrl: github.url,
  });
}

function commentsWith(marker: string) {
  return github.comments(OWNER, REPO, PR).filter((comment) => comment.body.startsWith(marker));
}

function writeRequests() {
  return github.requests.filter((request) => request.method !== 'GET');
}

describe('mode: measure', () => {
  it('measures without a token, writes report.json and report.md, and talks to no GitHub API', () => {
    for (const scenario of ['default', 'health-check'] as const) {
      const run = measured[scenario];
      // The head leaks 64 KB per request: the measuring step fails like a full run would.
      expect(run.exitCode, run.stdout + run.summary).toBe(1);
      expect(run.outputs.verdict).toBe('regression');
      expect(run.outputs['report-path']).toBe(join(repo.dir, 'out', scenario, 'report.json'));
      expect(Number(run.outputs.delta)).toBeGreaterThan(8);
      const json = reportJson(scenario);
      expect(json.pr).toEqual({ number: PR, headSha: repo.headSha, baseSha: repo.baseSha });
      expect(json.dependencyChanges).toEqual([
        { name: 'left-pad', from: '1.0.0', to: '1.1.0', kind: 'minor', direct: true },
      ]);
      expect((json.plan as { scenarioName: string }).scenarioName).toBe(scenario);
      const markdown = readFileSync(join(repo.dir, 'out', scenario, 'report.md'), 'utf8');
      expect(markdown).toMatch(/^## ❌ \+[\d.]+ KiB retained per request/m);
      // The job summary is the full detail, not a copy of the comment.
      expect(run.summary).not.toBe(markdown);
      expect(run.summary).toContain(markdown.split('\n')[2] ?? '');
      expect(existsSync(join(repo.dir, 'out', scenario, 'logs'))).toBe(true);
    }
    expect(github.requests).toEqual([]);
  });
});

describe('mode: report', () => {
  it('re-renders the measured report into the PR comment and fails the step on the regression', async () => {
    const result = await report(downloadedArtifacts({ default: reportJson('default') }));
    expect(result.exitCode, result.stdout).toBe(1);
    expect(result.outputs.verdict).toBe('regression');
    expect(result.stdout).toContain('::error::leakwatch: memory regression');
    const comments = commentsWith('<!-- leakwatch:default -->');
    expect(comments).toHaveLength(1);
    const body = comments[0]?.body ?? '';
    expect(body).toMatch(/^## ❌ \+[\d.]+ KiB retained per request/m);
    expect(body).toContain('<code>left-pad</code> 1.0.0 → 1.1.0');
    expect(body).toMatch(/\| <code>left-pad<\/code> +\| 1\.0\.0 → 1\.1\.0 \| minor, direct +\|/);
    expect(body).not.toContain('PLANTED');
    expect(result.outputs['comment-url']).toBe(comments[0]?.html_url);
  });

  it.each([
    ['never', 0],
    ['error', 0],
    ['regression', 1],
  ] as const)('fail-on %s: a regression exits %i and edits the same comment', async (failOn, exitCode) => {
    const result = await report(downloadedArtifacts({ default: reportJson('default') }), {
      'fail-on': failOn,
    });
    expect(result.exitCode, result.stdout).toBe(exitCode);
    expect(result.outputs.verdict).toBe('regression');
    expect(commentsWith('<!-- leakwatch:default -->')).toHaveLength(1);
  });

  it('publishes a check run named by check-name on the measured commit, failing exactly when the step does', async () => {
    const workspace = downloadedArtifacts({ default: reportJson('default') });
    const failing = await report(workspace, { 'check-name': 'leakwatch / memory' });
    expect(failing.exitCode, failing.stdout).toBe(1);
    const [check] = github.checkRuns(OWNER, REPO);
    expect(check).toMatchObject({
      name: 'leakwatch / memory',
      head_sha: repo.headSha,
      status: 'completed',
      conclusion: 'failure',
      output: { title: '❌ leakwatch: memory regression' },
    });
    expect(check?.output.summary).toContain('<code>left-pad</code> 1.0.0 → 1.1.0');
    expect(failing.outputs['check-run-url']).toBe(check?.html_url);

    // fail-on: never lets the step pass: the check says neutral, not success.
    const allowed = await report(workspace, { 'check-name': 'leakwatch / memory', 'fail-on': 'never' });
    expect(allowed.exitCode, allowed.stdout).toBe(0);
    expect(github.checkRuns(OWNER, REPO).at(-1)?.conclusion).toBe('neutral');
  });

  it('names the permission when the token cannot write checks, and still comments and fails the step', async () => {
    const readOnly = await startFakeGitHub({ isCheckWriteDenied: true });
    try {
      const result = await runAction({
        inputs: { mode: 'report', 'github-token': ACTIONS_TOKEN, 'check-name': 'leakwatch' },
        eventName: 'workflow_run',
        payload: workflowRunPayload(repo.headSha, [PR]),
        workspace: downloadedArtifacts({ default: reportJson('default') }),
        apiUrl: readOnly.url,
      });
      expect(result.exitCode, result.stdout).toBe(1);
      expect(result.stdout).toContain(
        '::error::publishing the check run `leakwatch` failed: 403 Resource not accessible by integration; the workflow needs `permissions: checks: write`',
      );
      expect(result.stdout).toMatch(
        /::error::leakwatch: memory regression: .*; publishing failed: publishing the check run/,
      );
      expect(readOnly.comments(OWNER, REPO, PR)).toHaveLength(1);
      expect(result.outputs['check-run-url']).toBeUndefined();
    } finally {
      await readOnly.close();
    }
  });

  it('merges a matrix of reports into one comment', async () => {
    const workspace = downloadedArtifacts({
      'leakwatch-default': reportJson('default'),
      'leakwatch-health-check': reportJson('health-check'),
    });
    const result = await report(workspace, { 'comment-key': 'matrix' });
    expect(result.exitCode, result.stdout).toBe(1);
    const comments = commentsWith('<!-- leakwatch:matrix -->');
    expect(comments).toHaveLength(1);
    const body = comments[0]?.body ?? '';
    expect(body).toContain('## <code>default</code> (2 of 2 scenarios): ❌ +');
    expect(body).toContain('### <code>default</code>: ❌ +');
    expect(body).toContain('### <code>health-check</code>: ❌ +');
    expect(body.match(/\| Under load/g)).toHaveLength(2);
    // The single-report comment is a different key and stays.
    expect(commentsWith('<!-- leakwatch:default -->')).toHaveLength(1);
  });

  it('accepts a fork PR (the run lists no PR) only after confirming its head through the API', async () => {
    const workspace = downloadedArtifacts({ default: reportJson('default') });
    github.seedPullRequest(OWNER, REPO, PR, 'f'.repeat(40));
    const before = writeRequests().length;
    const moved = await report(workspace, {}, []);
    expect(moved.exitCode).toBe(1);
    expect(moved.outputs.verdict).toBe('error');
    expect(moved.stdout).toContain(`is not the measured commit ${repo.headSha}`);
    expect(writeRequests().length).toBe(before);

    github.seedPullRequest(OWNER, REPO, PR, repo.headSha);
    const confirmed = await report(workspace, { 'fail-on': 'never' }, []);
    expect(confirmed.exitCode, confirmed.stdout).toBe(0);
    expect(confirmed.outputs.verdict).toBe('regression');
    expect(
      writeRequests()
        .slice(before)
        .map((request) => request.method),
    ).toEqual(['PATCH']);
  });

  const tamperings: [string, (json: Record<string, unknown>) => void, string][] = [
    [
      'an invalid verdict',
      (json) => {
        (json.comparison as Record<string, unknown>).verdict = 'TAMPERED <img src=x onerror=alert(1)>';
      },
      'does not match the report schema',
    ],
    [
      'another PR than the run’s',
      (json) => {
        (json.pr as Record<string, unknown>).number = PR + 1;
      },
      `PR #${PR + 1} is not the triggering run's`,
    ],
    [
      'another head commit than the run’s',
      (json) => {
        (json.pr as Record<string, unknown>).headSha = 'e'.repeat(40);
      },
      "is not the triggering run's head",
    ],
    [
      'a truncated file',
      (json) => {
        json.base = undefined;
      },
      "must have required property 'base'",
    ],
  ];

  it.each(tamperings)(
    'rejects a report with %s: error verdict, failed step, no comment',
    async (_, tamper, why) => {
      const json = reportJson('default');
      tamper(json);
      const before = writeRequests().length;
      const result = await report(downloadedArtifacts({ default: json }), { 'fail-on': 'error' });
      expect(result.exitCode).toBe(1);
      expect(result.outputs.verdict).toBe('error');
      expect(result.stdout).toContain('Rejected');
      expect(result.stdout).toContain(why);
      expect(writeRequests().length).toBe(before);
      expect(github.comments(OWNER, REPO, PR).some((comment) => comment.body.includes('TAMPERED'))).toBe(
        false,
      );
    },
  );

  it('rejects one bad report among good ones without commenting any', async () => {
    const bad = reportJson('health-check');
    (bad.pr as Record<string, unknown>).number = PR + 1;
    const before = writeRequests().length;
    const result = await report(downloadedArtifacts({ a: reportJson('default'), b: bad }), {
      'comment-key': 'matrix',
    });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('they name different pull requests');
    expect(writeRequests().length).toBe(before);
  });

  it('renders schema-valid hostile text from a report inert', async () => {
    const json = reportJson('default');
    (json.comparison as Record<string, unknown>).reason = '</details><img src=x onerror=alert(1)> @admin';
    (json.plan as Record<string, unknown>).scenarioName = '<script>alert(1)</script>';
    const result = await report(downloadedArtifacts({ default: json }), { 'comment-key': 'hostile' });
    expect(result.exitCode).toBe(1);
    const body = commentsWith('<!-- leakwatch:hostile -->')[0]?.body ?? '';
    // The comparison's sentence is not rendered (the headline says it in numbers); the scenario name is, escaped.
    expect(body).not.toContain('onerror');
    expect(body).toContain('&#60;script&#62;alert&#40;1&#41;&#60;/script&#62;');
    expect(body).not.toMatch(/<img|<script|@admin/);
  });

  it('skips with no comment when a successful measure run left no report (no dependency change)', async () => {
    const before = writeRequests().length;
    const result = await report(tempDir(), {}, [PR], repo.headSha, 'success');
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.outputs.verdict).toBe('skipped');
    expect(writeRequests().length).toBe(before);
  });

  it('fails, and says so on the PR, when the measure job failed before writing a report', async () => {
    const result = await report(tempDir(), { 'comment-key': 'measure-failed' });
    expect(result.exitCode, result.stdout).toBe(1);
    expect(result.outputs.verdict).toBe('error');
    expect(result.stdout).toMatch(/the measure job failed \(conclusion: failure\)/);
    expect(commentsWith('<!-- leakwatch:measure-failed -->')[0]?.body).toMatch(/measure job failed/);
  });

  it('rejects a forged verdict: `unchanged` next to a leaking head is an error, never green', async () => {
    const json = reportJson('default');
    (json.comparison as Record<string, unknown>).verdict = 'unchanged';
    const result = await report(downloadedArtifacts({ default: json }), { 'comment-key': 'forged' });
    expect(result.exitCode).toBe(1);
    expect(result.outputs.verdict).toBe('error');
    expect(result.stdout).toMatch(/claims `unchanged` but its numbers give `regression`/);
  });
});
