import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { type ActionContext, readActionConfig } from '../../src/action/config.js';
import { settings } from '../../src/settings/table.js';

const headSha = 'a'.repeat(40);
const baseSha = 'b'.repeat(40);
const env = { GITHUB_REPOSITORY: 'acme/shop', GITHUB_SERVER_URL: 'https://github.com' };

const pullRequestContext = (headRepo = 'acme/shop'): ActionContext => ({
  eventName: 'pull_request',
  runId: 77,
  serverUrl: 'https://github.com',
  payload: {
    pull_request: {
      number: 12,
      head: { sha: headSha, repo: { full_name: headRepo } },
      base: { sha: baseSha, repo: { full_name: 'acme/shop' } },
    },
  },
});

// Inputs as the runner passes them: every input of action.yml with its default, then the workflow's `with:`.
const actionInputs = (
  load(readFileSync(new URL('../../action.yml', import.meta.url), 'utf8')) as { inputs: unknown }
).inputs as Record<string, { default?: string }>;
function inputs(given: Record<string, string> = {}) {
  const values: Record<string, string> = {};
  for (const [name, spec] of Object.entries(actionInputs)) values[name] = String(spec.default ?? '');
  values['github-token'] = 'ghs_token';
  Object.assign(values, given);
  return (name: string) => {
    if (!(name in values))
      throw new Error(`readActionConfig asked for \`${name}\`, which action.yml does not declare`);
    return values[name] ?? '';
  };
}

describe('readActionConfig', () => {
  it('reads action.yml defaults into a frozen config matching the settings table', () => {
    const config = readActionConfig(inputs(), env, pullRequestContext());
    expect(config).toMatchObject({
      mode: 'full',
      workingDirectory: '.',
      scenario: settings.scenario.default,
      settings: {
        startCommand: settings.startCommand.default,
        thresholdBytesPerRequest: settings.thresholdBytesPerRequest.default,
      },
      onlyOnDependencyChange: true,
      failOn: 'regression',
      comment: 'on-change',
      commentKey: 'default',
      reportDir: 'leakwatch-report',
      trigger: { kind: 'pull-request', number: 12, headSha, baseSha, isFork: false },
      repository: { owner: 'acme', repo: 'shop' },
      runUrl: 'https://github.com/acme/shop/actions/runs/77',
    });
    expect(config.settings).not.toHaveProperty('rounds');
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.settings)).toBe(true);
  });

  it('parses overrides and keys the comment by working directory and scenario', () => {
    const config = readActionConfig(
      inputs({
        'working-directory': 'apps/web/',
        scenario: 'ssr',
        requests: '1000',
        rounds: '12',
        warmup: '0',
        'heap-cap-mb': '128',
        threshold: '64.5',
        'ready-path': '/health',
      }),
      env,
      pullRequestContext('fork/shop'),
    );
    expect(config.settings).toMatchObject({
      requestsPerRound: 1000,
      rounds: 12,
      warmupRequests: 0,
      heapCapMb: 128,
      thresholdBytesPerRequest: 64.5,
      readyPath: '/health',
    });
    expect(config.commentKey).toBe('apps/web:ssr');
    expect(config.trigger).toMatchObject({ isFork: true });
  });

  it('names every invalid input in one error', () => {
    const read = () =>
      readActionConfig(
        inputs({
          threshold: '-1',
          rounds: '2.5',
          mode: 'fast',
          'fail-on': 'sometimes',
          'working-directory': '../x',
          rate: '0.5',
        }),
        env,
        pullRequestContext(),
      );
    let message = '';
    try {
      read();
    } catch (error) {
      message = (error as Error).message;
    }
    for (const problem of [
      '`mode` must be one of `full`, `measure`, `report` (got `fast`)',
      '`working-directory` must be a folder inside the repository',
      '`threshold` must be a number > 0 (got `-1`)',
      '`rounds` must be a whole number > 0 and ≤ 1000 (got `2.5`)',
      '`fail-on` must be one of',
    ]) {
      expect(message).toContain(problem);
    }
    // A fractional rate is valid here as in the CLI and the scenario file.
    expect(message).not.toContain('`rate`');
  });

  it('needs a token to comment, except in measure mode', () => {
    expect(() => readActionConfig(inputs({ 'github-token': '' }), env, pullRequestContext())).toThrow(
      /`github-token` is required to comment/,
    );
    const measure = readActionConfig(
      inputs({ 'github-token': '', mode: 'measure' }),
      env,
      pullRequestContext(),
    );
    expect(measure.githubToken).toBeNull();
  });

  it('publishes a check run only with a token that can write it, never from mode: measure', () => {
    expect(readActionConfig(inputs(), env, pullRequestContext()).checkName).toBeNull();
    expect(readActionConfig(inputs({ 'check-name': 'leakwatch' }), env, pullRequestContext()).checkName).toBe(
      'leakwatch',
    );
    expect(() =>
      readActionConfig(
        inputs({ 'check-name': 'leakwatch', mode: 'measure', 'github-token': '' }),
        env,
        pullRequestContext(),
      ),
    ).toThrow(/`check-name` needs a token with `checks: write`/);
  });

  it('has no PR on push and workflow_dispatch', () => {
    for (const eventName of ['push', 'workflow_dispatch']) {
      const config = readActionConfig(inputs(), env, { eventName, runId: 1, serverUrl: '', payload: {} });
      expect(config.trigger).toEqual({ kind: 'none', eventName, pushedFrom: null });
    }
  });

  it('reads the triggering run in report mode, and refuses report mode elsewhere', () => {
    const workflowRun: ActionContext = {
      eventName: 'workflow_run',
      runId: 2,
      serverUrl: 'https://github.com',
      payload: {
        workflow_run: { id: 99, head_sha: headSha, conclusion: 'success', pull_requests: [{ number: 12 }] },
      },
    };
    expect(readActionConfig(inputs({ mode: 'report' }), env, workflowRun).trigger).toEqual({
      kind: 'workflow-run',
      runId: 99,
      headSha,
      pullRequestNumbers: [12],
      htmlUrl: null,
      isFork: false,
      conclusion: 'success',
    });
    expect(() => readActionConfig(inputs({ mode: 'report' }), env, pullRequestContext())).toThrow(
      /`mode: report` runs in a `workflow_run` workflow \(got event `pull_request`\)/,
    );
  });
});
