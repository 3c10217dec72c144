// Action inputs, environment and event payload → one typed, frozen config. The only place the action
// reads `core.getInput`, the environment or the GitHub context; defaults mirror action.yml.

import { isAbsolute, normalize } from 'node:path';
import * as core from '@actions/core';
import * as github from '@actions/github';
import type { PlanSettings } from '../measure/compare.js';
import { LeakwatchError } from '../model/errors.js';
import type { HeapSnapshotPolicy, OutboundPolicy } from '../model/report.js';
import { defaults } from '../settings/defaults.js';

export type ActionMode = 'full' | 'measure' | 'report';
export type FailOn = 'regression' | 'error' | 'never';
export type CommentPolicy = 'always' | 'on-change' | 'never';

export interface PullRequestTrigger {
  kind: 'pull-request';
  number: number;
  headSha: string;
  baseSha: string;
  /** The head branch lives in another repository: the token is read-only there. */
  isFork: boolean;
}

/** A `workflow_run` trigger: the measuring run whose artifacts `mode: report` reads. */
export interface WorkflowRunTrigger {
  kind: 'workflow-run';
  runId: number;
  headSha: string;
  /** Empty for fork PRs: GitHub leaves `pull_requests` empty when the head is in another repository. */
  pullRequestNumbers: number[];
  conclusion: string | null;
}

export type ActionTrigger = PullRequestTrigger | WorkflowRunTrigger | { kind: 'none'; eventName: string };

export interface ActionConfig {
  mode: ActionMode;
  /** Null when not given; needed only to comment. */
  githubToken: string | null;
  /** Relative to the repository root, normalized, never outside it. */
  workingDirectory: string;
  installCommand?: string;
  buildCommand?: string;
  scenario: string;
  settings: PlanSettings;
  onlyOnDependencyChange: boolean;
  /** After a regression of a grouped bump, bisect it to name the culprit (inputs `bisect`, `bisect-time-budget-ms`). */
  bisect: { isEnabled: boolean; timeBudgetMs?: number };
  /** Once the culprit is known, measure its newer releases for a clean one (input `remedy`). */
  remedy: { isEnabled: boolean };
  failOn: FailOn;
  comment: CommentPolicy;
  commentKey: string;
  reportDir: string;
  /** Keep heap snapshots here; null deletes them after the analysis. */
  heapSnapshotsDir: string | null;
  /** Publish a check run of this name on the measured commit; null for none. */
  checkName: string | null;
  trigger: ActionTrigger;
  repository: { owner: string; repo: string } | null;
  runUrl: string | null;
}

/** The part of `@actions/github`'s context the config reads. */
export interface ActionContext {
  eventName: string;
  payload: Record<string, unknown>;
  runId: number;
  serverUrl: string;
}

type GetInput = (name: string) => string;

function oneOf<T extends string>(name: string, raw: string, allowed: readonly T[], problems: string[]): T {
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  problems.push(
    `\`${name}\` must be one of ${allowed.map((value) => `\`${value}\``).join(', ')} (got \`${raw}\`)`,
  );
  return allowed[0] as T;
}

function parseBoolean(name: string, raw: string, problems: string[]): boolean {
  if (['true', 'True', 'TRUE'].includes(raw)) return true;
  if (['false', 'False', 'FALSE'].includes(raw)) return false;
  problems.push(`\`${name}\` must be \`true\` or \`false\` (got \`${raw}\`)`);
  return false;
}

function parseNumber(
  name: string,
  raw: string,
  rule: 'positive' | 'whole-positive' | 'whole-non-negative',
  problems: string[],
): number | undefined {
  if (raw === '') return undefined;
  const value = Number(raw);
  const isWhole = Number.isInteger(value);
  const [isValid, expected] =
    rule === 'positive'
      ? [Number.isFinite(value) && value > 0, '> 0']
      : rule === 'whole-positive'
        ? [isWhole && value > 0, 'a whole number > 0']
        : [isWhole && value >= 0, 'a whole number ≥ 0'];
  if (isValid) return value;
  problems.push(`\`${name}\` must be ${expected} (got \`${raw}\`)`);
  return undefined;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

function readTrigger(context: ActionContext): ActionTrigger {
  const pullRequest = asRecord(context.payload.pull_request);
  if ((context.eventName === 'pull_request' || context.eventName === 'pull_request_target') && pullRequest) {
    const head = asRecord(pullRequest.head);
    const base = asRecord(pullRequest.base);
    const headRepo = asRecord(head?.repo)?.full_name;
    const baseRepo = asRecord(base?.repo)?.full_name;
    return {
      kind: 'pull-request',
      number: Number(pullRequest.number),
      headSha: String(head?.sha ?? ''),
      baseSha: String(base?.sha ?? ''),
      isFork: headRepo !== undefined && headRepo !== baseRepo,
    };
  }
  const workflowRun = asRecord(context.payload.workflow_run);
  if (context.eventName === 'workflow_run' && workflowRun) {
    const pullRequests = Array.isArray(workflowRun.pull_requests) ? workflowRun.pull_requests : [];
    return {
      kind: 'workflow-run',
      runId: Number(workflowRun.id),
      headSha: String(workflowRun.head_sha ?? ''),
      pullRequestNumbers: pullRequests
        .map((entry) => Number(asRecord(entry)?.number))
        .filter(Number.isInteger),
      conclusion: typeof workflowRun.conclusion === 'string' ? workflowRun.conclusion : null,
    };
  }
  return { kind: 'none', eventName: context.eventName };
}

function readRepository(env: NodeJS.ProcessEnv): ActionConfig['repository'] {
  const [owner, repo, ...rest] = (env.GITHUB_REPOSITORY ?? '').split('/');
  return owner && repo && rest.length === 0 ? { owner, repo } : null;
}

function deepFreeze<T>(value: T): Readonly<T> {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** Reads and validates every input at once, so one failed run lists every mistake. */
export function readActionConfig(
  getInput: GetInput = (name) => core.getInput(name),
  env: NodeJS.ProcessEnv = process.env,
  context: ActionContext = github.context,
): Readonly<ActionConfig> {
  const problems: string[] = [];
  const input = (name: string, fallback = '') => {
    const raw = getInput(name).trim();
    return raw === '' ? fallback : raw;
  };

  const mode = oneOf<ActionMode>('mode', input('mode', 'full'), ['full', 'measure', 'report'], problems);
  const trigger = readTrigger(context);
  if (mode === 'report' && trigger.kind !== 'workflow-run') {
    problems.push(
      `\`mode: report\` runs in a \`workflow_run\` workflow (got event \`${context.eventName}\`)`,
    );
  }
  if (
    trigger.kind === 'pull-request' &&
    (!Number.isInteger(trigger.number) || !trigger.headSha || !trigger.baseSha)
  ) {
    problems.push(`the \`${context.eventName}\` payload has no pull request number and head/base SHAs`);
  }

  const workingDirectory = normalize(input('working-directory', '.')).replace(/\/+$/, '') || '.';
  if (isAbsolute(workingDirectory) || workingDirectory === '..' || workingDirectory.startsWith('../')) {
    problems.push(
      `\`working-directory\` must be a folder inside the repository (got \`${getInput('working-directory')}\`)`,
    );
  }

  const settings: PlanSettings = {
    startCommand: input('start-command', defaults.startCommand),
    thresholdBytesPerRequest:
      parseNumber(
        'threshold',
        input('threshold', String(defaults.thresholdBytesPerRequest)),
        'positive',
        problems,
      ) ?? defaults.thresholdBytesPerRequest,
  };
  const readyPath = input('ready-path');
  if (readyPath && !readyPath.startsWith('/')) {
    problems.push(`\`ready-path\` must start with \`/\` (got \`${readyPath}\`)`);
  }
  if (readyPath) settings.readyPath = readyPath;
  const numbers = [
    ['heap-cap-mb', 'heapCapMb', 'whole-positive'],
    ['requests', 'requestsPerRound', 'whole-positive'],
    ['rounds', 'rounds', 'whole-positive'],
    ['warmup', 'warmupRequests', 'whole-non-negative'],
    ['settle-ms', 'settleMs', 'whole-non-negative'],
    ['time-budget-ms', 'timeBudgetMs', 'whole-positive'],
    ['rate', 'ratePerSecond', 'positive'],
  ] as const;
  for (const [name, key, rule] of numbers) {
    const value = parseNumber(name, input(name), rule, problems);
    if (value !== undefined) settings[key] = value;
  }

  settings.heapSnapshots = oneOf<HeapSnapshotPolicy>(
    'heap-snapshots',
    input('heap-snapshots', defaults.heapSnapshots),
    ['on-regression', 'always', 'never'],
    problems,
  );

  // Empty: the scenario's `outbound`, else block.
  if (input('outbound') !== '') {
    settings.outbound = oneOf<OutboundPolicy>('outbound', input('outbound'), ['block', 'allow'], problems);
  }

  const comment = oneOf<CommentPolicy>(
    'comment',
    input('comment', 'on-change'),
    ['always', 'on-change', 'never'],
    problems,
  );
  const githubToken = input('github-token') || null;
  if (mode !== 'measure' && comment !== 'never' && !githubToken) {
    problems.push(
      `\`github-token\` is required to comment (set \`comment: never\` or \`mode: measure\` to run without one)`,
    );
  }

  const checkName = input('check-name') || null;
  if (checkName && (mode === 'measure' || !githubToken)) {
    problems.push(
      '`check-name` needs a token with `checks: write`: publish the check from `mode: full` or `mode: report`',
    );
  }

  const scenario = input('scenario', defaults.scenario);
  const installCommand = input('install-command') || undefined;
  const buildCommand = input('build-command') || undefined;
  const serverUrl = env.GITHUB_SERVER_URL ?? context.serverUrl;
  const repository = readRepository(env);
  const config: ActionConfig = {
    mode,
    githubToken,
    workingDirectory,
    ...(installCommand ? { installCommand } : {}),
    ...(buildCommand ? { buildCommand } : {}),
    scenario,
    settings,
    onlyOnDependencyChange: parseBoolean(
      'only-on-dependency-change',
      input('only-on-dependency-change', 'true'),
      problems,
    ),
    bisect: {
      isEnabled: parseBoolean('bisect', input('bisect', 'true'), problems),
      timeBudgetMs: parseNumber(
        'bisect-time-budget-ms',
        input('bisect-time-budget-ms'),
        'whole-positive',
        problems,
      ),
    },
    remedy: { isEnabled: parseBoolean('remedy', input('remedy', 'true'), problems) },
    failOn: oneOf<FailOn>(
      'fail-on',
      input('fail-on', 'regression'),
      ['regression', 'error', 'never'],
      problems,
    ),
    comment,
    commentKey: input('comment-key', workingDirectory === '.' ? scenario : `${workingDirectory}:${scenario}`),
    reportDir: input('report-dir', 'leakwatch-report'),
    heapSnapshotsDir: input('heap-snapshots-dir') || null,
    checkName,
    trigger,
    repository,
    runUrl:
      repository && serverUrl && context.runId
        ? `${serverUrl}/${repository.owner}/${repository.repo}/actions/runs/${context.runId}`
        : null,
  };

  if (problems.length > 0) {
    throw new LeakwatchError('CONFIG_INVALID', `Invalid action inputs: ${problems.join('; ')}.`, {
      hint: 'See the inputs in action.yml or docs/action.md.',
    });
  }
  return deepFreeze(config);
}
