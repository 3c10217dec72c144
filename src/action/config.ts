// Action inputs (by the settings table), environment and event payload → one typed, frozen config. The only place
// the action reads `core.getInput`, the environment or the GitHub context.

import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import * as core from '@actions/core';
import * as github from '@actions/github';
import type { NodeSource } from '../prepare/node-runtime.js';
import { LeakwatchError } from '../settings/errors.js';
import { pickPlanSettings, readSettings } from '../settings/read.js';
import { type PlanSettings, type SettingValue, settings } from '../settings/table.js';
import { folderInsideRepo } from '../settings/working-directory.js';

export type ActionMode = SettingValue<'mode'>;
export type FailOn = SettingValue<'failOn'>;
export type CommentPolicy = SettingValue<'comment'>;

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
  /** The measuring run's page, for the "measure job failed" message. */
  htmlUrl: string | null;
  /** The run's head commit lives in another repository (a fork PR). */
  isFork: boolean;
}

/** Any other event (push, workflow_dispatch): the change under test is the pushed range, else the last commit. */
export interface OtherTrigger {
  kind: 'none';
  eventName: string;
  /** A push's `before` commit; null when there is none (a new branch, another event). */
  pushedFrom: string | null;
}

export type ActionTrigger = PullRequestTrigger | WorkflowRunTrigger | OtherTrigger;

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
  /** Input `base-cache`; `maySave` only where a saved entry stays in the PR's own cache scope. */
  baseCache: { isEnabled: boolean; maySave: boolean };
  /** Where a pinned Node.js comes from when base and head pin different ones (input `node-source`). */
  nodeSource: NodeSource;
  failOn: FailOn;
  comment: CommentPolicy;
  commentKey: string;
  reportDir: string;
  /** Keep heap snapshots here; null deletes them after the analysis. */
  heapSnapshotsDir: string | null;
  /** Wall-time limit of the whole run. */
  timeLimitMinutes: number;
  /** Variables passed to the install only. */
  installEnv: string[];
  /** Publish a check run of this name on the measured commit; null for none. */
  checkName: string | null;
  trigger: ActionTrigger;
  repository: { owner: string; repo: string } | null;
  runUrl: string | null;
  /** GITHUB_WORKSPACE: the checkout; report-dir and heap-snapshots-dir are relative to it. */
  workspace: string;
  /** GITHUB_SHA: the commit the workflow runs on; null when unset. */
  commitSha: string | null;
  /** RUNNER_TEMP: the runner's scratch folder (the base cache stages there). */
  runnerTemp: string;
}

/** The part of `@actions/github`'s context the config reads. */
export interface ActionContext {
  eventName: string;
  payload: Record<string, unknown>;
  runId: number;
  serverUrl: string;
}

type GetInput = (name: string) => string;

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
      htmlUrl: typeof workflowRun.html_url === 'string' ? workflowRun.html_url : null,
      isFork:
        asRecord(workflowRun.head_repository)?.full_name !== undefined &&
        asRecord(workflowRun.head_repository)?.full_name !== asRecord(context.payload.repository)?.full_name,
    };
  }
  const before = context.payload.before;
  const pushedFrom = typeof before === 'string' && before !== '' && !/^0+$/.test(before) ? before : null;
  return { kind: 'none', eventName: context.eventName, pushedFrom };
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

/** Commenting and publishing a check need a token, and a mode that may hold one. */
function tokenProblems(
  config: Pick<ActionConfig, 'mode' | 'comment' | 'githubToken' | 'checkName'>,
): string[] {
  const { mode, comment, githubToken, checkName } = config;
  const problems: string[] = [];
  if (mode !== 'measure' && comment !== 'never' && !githubToken) {
    problems.push(
      `\`github-token\` is required to comment (set \`comment: never\` or \`mode: measure\` to run without one)`,
    );
  }
  if (checkName && (mode === 'measure' || !githubToken)) {
    problems.push(
      '`check-name` needs a token with `checks: write`: publish the check from `mode: full` or `mode: report`',
    );
  }
  return problems;
}

/** Reads and validates every input at once, so one failed run lists every mistake. */
export function readActionConfig(
  getInput: GetInput = (name) => core.getInput(name),
  env: NodeJS.ProcessEnv = process.env,
  context: ActionContext = github.context,
): Readonly<ActionConfig> {
  const problems: string[] = [];
  const given = readSettings('input', (name) => getInput(name).trim(), problems);
  const mode = given.mode ?? settings.mode.default;
  const trigger = readTrigger(context);
  if (mode === 'report' && trigger.kind !== 'workflow-run') {
    problems.push(
      `\`mode: report\` runs in a \`workflow_run\` workflow (got event \`${context.eventName}\`)`,
    );
  }
  const forkRefusal = refuseForkHead(context.eventName, mode, trigger);
  if (forkRefusal) throw forkRefusal;
  if (
    trigger.kind === 'pull-request' &&
    (!Number.isInteger(trigger.number) ||
      !/^[0-9a-f]{40}$/.test(trigger.headSha) ||
      !/^[0-9a-f]{40}$/.test(trigger.baseSha))
  ) {
    problems.push(`the \`${context.eventName}\` payload has no pull request number and head/base SHAs`);
  }
  const workingDirectory = readWorkingDirectory(
    given.workingDirectory ?? settings.workingDirectory.default,
    problems,
  );
  const comment = given.comment ?? settings.comment.default;
  const githubToken = given.githubToken ?? null;
  const checkName = given.checkName ?? null;
  problems.push(...tokenProblems({ mode, comment, githubToken, checkName }));
  if (problems.length > 0) {
    throw new LeakwatchError('CONFIG_INVALID', `Invalid action inputs: ${problems.join('; ')}.`, {
      hint: 'See the inputs in action.yml or docs/action.md.',
    });
  }

  const scenario = given.scenario ?? settings.scenario.default;
  const repository = readRepository(env);
  const serverUrl = env.GITHUB_SERVER_URL ?? context.serverUrl;
  return deepFreeze({
    mode,
    githubToken,
    workingDirectory,
    ...(given.installCommand ? { installCommand: given.installCommand } : {}),
    ...(given.buildCommand ? { buildCommand: given.buildCommand } : {}),
    scenario,
    settings: pickPlanSettings(given),
    onlyOnDependencyChange: given.onlyOnDependencyChange ?? settings.onlyOnDependencyChange.default,
    bisect: {
      isEnabled: given.bisect ?? settings.bisect.default,
      timeBudgetMs: given.bisectTimeBudgetMs,
    },
    remedy: { isEnabled: given.remedy ?? settings.remedy.default },
    baseCache: {
      isEnabled: given.baseCache ?? settings.baseCache.default,
      maySave: context.eventName === 'pull_request',
    },
    nodeSource: given.nodeSource ?? settings.nodeSource.default,
    failOn: given.failOn ?? settings.failOn.default,
    comment,
    commentKey: given.commentKey ?? (workingDirectory === '.' ? scenario : `${workingDirectory}:${scenario}`),
    reportDir: given.reportDir ?? settings.reportDir.default,
    heapSnapshotsDir: given.heapSnapshotsDir ?? null,
    timeLimitMinutes: given.timeLimitMinutes ?? settings.timeLimitMinutes.default,
    installEnv: (given.installEnv ?? '').split(/[\s,]+/).filter(Boolean),
    checkName,
    trigger,
    repository,
    workspace: resolve(env.GITHUB_WORKSPACE || process.cwd()),
    commitSha: env.GITHUB_SHA || null,
    runnerTemp: env.RUNNER_TEMP || tmpdir(),
    runUrl:
      repository && serverUrl && context.runId
        ? `${serverUrl}/${repository.owner}/${repository.repo}/actions/runs/${context.runId}`
        : null,
  });
}

/**
 * Events whose token can write and whose checkout is a fork's head would run unreviewed code next to that token:
 * `pull_request_target` (any mode that measures) and `workflow_run` in `full` mode. They are refused.
 */
function refuseForkHead(eventName: string, mode: ActionMode, trigger: ActionTrigger): LeakwatchError | null {
  const isForkHead =
    (trigger.kind === 'pull-request' &&
      trigger.isFork &&
      eventName === 'pull_request_target' &&
      mode !== 'report') ||
    (trigger.kind === 'workflow-run' && trigger.isFork && mode === 'full');
  if (!isForkHead) return null;
  return new LeakwatchError(
    'UNSAFE_EVENT',
    `refused: \`${eventName}\` with a head from another repository would run the fork's code with this workflow's write token`,
    {
      hint: 'Use the fork-safe pair: `on: pull_request` with `mode: measure` (no token; upload report-dir as an artifact) and a second workflow `on: workflow_run` with `mode: report`, which never runs PR code. See docs/action.md#fork-pull-requests.',
    },
  );
}

/** Relative to the repository root, normalized, never outside it. */
function readWorkingDirectory(raw: string, problems: string[]): string {
  const workingDirectory = folderInsideRepo(raw);
  if (workingDirectory === null) {
    problems.push(`\`working-directory\` must be a folder inside the repository (got \`${raw}\`)`);
  }
  return workingDirectory ?? raw;
}

/** The config, or the mistake that keeps it from being read: the run then reports that instead of measuring. */
export function tryReadActionConfig(): Readonly<ActionConfig> | LeakwatchError {
  try {
    return readActionConfig();
  } catch (error) {
    if (error instanceof LeakwatchError) return error;
    throw error;
  }
}
