// The GitHub Action over the engine: `full` measures and comments, `measure` measures and writes report-dir (no
// token, for fork PRs), `report` reads report-dir in a workflow_run and comments. runAction reads nothing from the
// process: the config and the dependencies come in, a result goes out, and the entry (index.ts) performs it.
import type { Dirent } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { GitHubClient } from '../github/client.js';
import { confirmPullRequestHead } from '../github/pull-request.js';
import type { CompareReport } from '../model/report.js';
import { type CompareRefsOutcome, compareRefs } from '../pipeline/pipeline.js';
import { withTimeLimit } from '../process/time-limit.js';
import { rederiveReport } from '../report/rederive.js';
import { checkReportsAgainstRun, parseUntrustedReport } from '../report/validate.js';
import { LeakwatchError } from '../settings/errors.js';
import { settings } from '../settings/table.js';
import { actionsCacheStore } from './base-cache.js';
import type { ActionConfig } from './config.js';
import { type ActionResult, publish, type Rendered } from './publish.js';

export interface ActionDeps {
  /** An Octokit for a token: githubClient (retrying, throttled) in the action; tests point it at a local server. */
  octokit: (token: string) => GitHubClient;
  /** Where progress, warnings and errors go (the job log). */
  log: { info: (line: string) => void; warning: (line: string) => void; error: (line: string) => void };
  /** The file system report-dir is read from and written to. */
  fs: {
    mkdir: (path: string, options: { recursive: true }) => Promise<unknown>;
    readdir: (path: string, options: { recursive: true; withFileTypes: true }) => Promise<Dirent[]>;
    readFile: (path: string, encoding: 'utf8') => Promise<string>;
    writeFile: (path: string, data: string) => Promise<void>;
  };
}

/** `config` is the action's config, or why it could not be read (the run then reports that error). */
export async function runAction(
  config: Readonly<ActionConfig> | LeakwatchError,
  deps: ActionDeps,
): Promise<ActionResult> {
  if (config instanceof LeakwatchError) return publish(null, failed(config, null, deps), deps);
  let rendered: Rendered;
  try {
    rendered = config.mode === 'report' ? await readReports(config, deps) : await measure(config, deps);
  } catch (error) {
    if (!(error instanceof LeakwatchError)) throw error;
    rendered = failed(error, config, deps);
  }
  return publish(config, rendered, deps);
}

function failed(error: LeakwatchError, config: Readonly<ActionConfig> | null, deps: ActionDeps): Rendered {
  deps.log.error(`${error.message}${error.hint ? `\nhint: ${error.hint}` : ''}`);
  return {
    reports: [],
    error: error.toReported(),
    runUrl: config?.runUrl ?? undefined,
  };
}

async function measure(config: Readonly<ActionConfig>, deps: ActionDeps): Promise<Rendered> {
  const repoDir = config.workspace;
  const logDir = resolve(repoDir, config.reportDir, 'logs');
  // Install and build logs are opened inside it before anything else would create it.
  await deps.fs.mkdir(logDir, { recursive: true });
  const outcome = await withTimeLimit(config.timeLimitMinutes * 60_000, () =>
    compareRefsFor(config, logDir, deps),
  );
  const runUrl = config.runUrl ?? undefined;
  if (outcome.kind === 'skipped') return { reports: [], skipped: { reason: outcome.reason }, runUrl };
  const report = withPullRequest(outcome, config);
  const reportDir = resolve(repoDir, config.reportDir);
  await deps.fs.mkdir(reportDir, { recursive: true });
  await deps.fs.writeFile(join(reportDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  return { reports: [report], runUrl };
}

function compareRefsFor(config: Readonly<ActionConfig>, logDir: string, deps: ActionDeps) {
  const repoDir = config.workspace;
  return compareRefs({
    repoDir,
    ...refsToCompare(config),
    workingDirectory: config.workingDirectory,
    installCommand: config.installCommand,
    buildCommand: config.buildCommand,
    settings: config.settings,
    scenario: config.scenario,
    isForced: !config.onlyOnDependencyChange,
    bisect: config.bisect,
    remedy: config.remedy,
    ...(config.baseCache.isEnabled
      ? {
          baseCache: actionsCacheStore({
            stagingDir: join(config.runnerTemp, 'leakwatch-base-cache'),
            maySave: config.baseCache.maySave,
            log: deps.log.info,
          }),
        }
      : {}),
    nodeSource: config.nodeSource,
    logDir,
    ...(config.heapSnapshotsDir ? { keepSnapshotsDir: resolve(repoDir, config.heapSnapshotsDir) } : {}),
    installEnv: config.installEnv,
    log: deps.log.info,
  });
}

function refsToCompare(config: Readonly<ActionConfig>): { baseRef: string; headRef: string } {
  const { trigger } = config;
  if (trigger.kind === 'pull-request') return { baseRef: trigger.baseSha, headRef: trigger.headSha };
  // Outside a PR (push, workflow_dispatch) the change under test is the pushed range, or the last commit.
  const headRef = config.commitSha ?? 'HEAD';
  const pushedFrom = trigger.kind === 'none' ? trigger.pushedFrom : null;
  return { baseRef: pushedFrom ?? `${headRef}~1`, headRef };
}

function withPullRequest(
  outcome: Extract<CompareRefsOutcome, { kind: 'compared' }>,
  config: Readonly<ActionConfig>,
): CompareReport {
  const trigger = config.trigger;
  const pr =
    trigger.kind === 'pull-request'
      ? { number: trigger.number, headSha: trigger.headSha, baseSha: trigger.baseSha }
      : undefined;
  return { ...outcome.report, ...(pr ? { pr } : {}), ...(config.runUrl ? { runUrl: config.runUrl } : {}) };
}

/** `mode: report`: the reports come from a fork's run, so they are validated and re-rendered, never trusted. */
async function readReports(config: Readonly<ActionConfig>, deps: ActionDeps): Promise<Rendered> {
  const trigger = config.trigger;
  if (trigger.kind !== 'workflow-run')
    throw new LeakwatchError('CONFIG_INVALID', '`mode: report` needs a workflow_run event');
  const dir = resolve(config.workspace, config.reportDir);
  const entries = await deps.fs.readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  const files = entries
    .filter((entry) => entry.isFile() && entry.name === 'report.json')
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
  if (files.length === 0) {
    // A measure job that failed before writing its report is a failure to show, never a skip.
    if (trigger.conclusion !== 'success') {
      throw new LeakwatchError(
        'MEASURE_FAILED',
        `the measure job failed (conclusion: ${trigger.conclusion ?? 'unknown'}) before writing report.json: see run ${trigger.htmlUrl ?? trigger.runId}`,
        { hint: "Open the measuring run's log; its error is there." },
      );
    }
    return {
      reports: [],
      skipped: { reason: `no report.json under ${config.reportDir} (the measure run skipped)` },
    };
  }
  const threshold = config.settings.thresholdBytesPerRequest ?? settings.thresholdBytesPerRequest.default;
  const heapCapMb = config.settings.heapCapMb ?? settings.heapCapMb.default;
  const reports = await Promise.all(
    files.map(async (file) => {
      const source = relative(config.workspace, file);
      const parsed = parseUntrustedReport(await deps.fs.readFile(file, 'utf8'), source);
      return rederiveReport(parsed, threshold, heapCapMb, source);
    }),
  );
  const pullRequest = checkReportsAgainstRun(reports, trigger);
  if (!pullRequest.isConfirmedByRun && config.githubToken && config.repository) {
    await confirmPullRequestHead({
      octokit: deps.octokit(config.githubToken),
      ...config.repository,
      number: pullRequest.number,
      headSha: trigger.headSha,
    });
  }
  return { reports, runUrl: config.runUrl ?? undefined };
}
