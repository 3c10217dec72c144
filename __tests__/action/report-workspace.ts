// In-process runAction in `mode: report`: a workspace holding one measured report, the config read by
// readActionConfig from inputs, and deps with the real GitHub client pointed at a local fake GitHub.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { type ActionContext, readActionConfig } from '../../src/action/config.js';
import type { ActionDeps } from '../../src/action/run-action.js';
import { githubClient } from '../../src/github/client.js';
import type { CompareReport, ComparisonVerdict } from '../../src/model/report.js';
import { ACTIONS_TOKEN, type FakeGitHub } from '../helpers/fake-github.js';
import { buildReport, contentfulBump } from '../report/build-report.js';
import { OWNER, REPO } from './harness.js';

export const PR = 58;
export const headSha = 'c'.repeat(40);
const declared = (
  load(readFileSync(new URL('../../action.yml', import.meta.url), 'utf8')) as { inputs: unknown }
).inputs as Record<string, { default: string }>;

/** The action's deps; GitHub's waits are shrunk to 1 ms per second so retries keep tests fast. */
export function deps(github: FakeGitHub, lines: string[]): ActionDeps {
  const log = (line: string) => lines.push(line);
  return {
    octokit: (token) => githubClient(token, { baseUrl: github.url, waitUnitMs: 1, log }),
    log: { info: log, warning: log, error: log },
    fs,
  };
}

export function config(workspace: string, given: Record<string, string>, context: ActionContext) {
  // The fixture reports were measured at a 256 B/request threshold; report mode re-derives their verdicts at it.
  const inputs: Record<string, string> = { 'github-token': ACTIONS_TOKEN, threshold: '256', ...given };
  const getInput = (name: string) => inputs[name] ?? declared[name]?.default ?? '';
  const env = { GITHUB_REPOSITORY: `${OWNER}/${REPO}`, GITHUB_WORKSPACE: workspace, GITHUB_SHA: headSha };
  return readActionConfig(getInput, env, context);
}

export const workflowRun: ActionContext = {
  eventName: 'workflow_run',
  runId: 9,
  serverUrl: 'https://github.com',
  payload: {
    workflow_run: { id: 5, head_sha: headSha, conclusion: 'success', pull_requests: [{ number: PR }] },
  },
};

/** Writes one measured report for PR 58 into `dir`, as `mode: measure` would leave it. */
export function writeReport(dir: string, verdict: ComparisonVerdict, changes = [contentfulBump]): string {
  const report: CompareReport = {
    ...buildReport({
      verdict,
      base: { slopeBytes: 40 },
      head: { slopeBytes: verdict === 'regression' ? 4000 : 50 },
      dependencyChanges: changes,
    }),
    pr: { number: PR, headSha, baseSha: 'b'.repeat(40) },
  };
  mkdirSync(join(dir, 'leakwatch-report', 'default'), { recursive: true });
  writeFileSync(join(dir, 'leakwatch-report', 'default', 'report.json'), JSON.stringify(report));
  return dir;
}
