// The GitHub Action over the engine: `full` measures and comments, `measure` measures and writes report-dir (no
// token, for fork PRs), `report` reads report-dir in a workflow_run and comments.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import * as core from '@actions/core';
import * as github from '@actions/github';
import { primaryFit } from '../analysis/analysis.js';
import { type CheckConclusion, MAX_CHECK_SUMMARY_CHARS, publishCheckRun } from '../github/check-run.js';
import { upsertStickyComment } from '../github/comment.js';
import { confirmPullRequestHead } from '../github/pull-request.js';
import { LeakwatchError } from '../model/errors.js';
import type { CompareReport } from '../model/report.js';
import { type CompareRefsOutcome, compareRefs } from '../pipeline/pipeline.js';
import { withTimeLimit } from '../process/time-limit.js';
import { INCONCLUSIVE_HINT } from '../report/adaptive.js';
import {
  HEADLINES,
  type MarkdownReportInput,
  type OverallVerdict,
  overallVerdict,
  renderJobSummary,
  renderMarkdownReport,
} from '../report/markdown.js';
import { rederiveReport } from '../report/rederive.js';
import { checkReportsAgainstRun, parseUntrustedReport } from '../report/validate.js';
import { settings } from '../settings/table.js';
import { actionsCacheStore } from './base-cache.js';
import { type ActionConfig, readActionConfig } from './config.js';

type Rendered = Omit<MarkdownReportInput, 'commentKey'>;

const MAX_SUMMARY_BYTES = 1024 * 1024;

export async function runAction(): Promise<void> {
  let config: Readonly<ActionConfig> | undefined;
  let rendered: Rendered | undefined;
  try {
    config = readActionConfig();
    rendered = config.mode === 'report' ? await readReports(config) : await measure(config);
  } catch (error) {
    if (!(error instanceof LeakwatchError)) throw error;
    core.error(`${error.message}${error.hint ? `\nhint: ${error.hint}` : ''}`);
    rendered = {
      reports: [],
      error: { code: error.code, message: error.message, hint: error.hint, logTail: logTailOf(error) },
      runUrl: config?.runUrl ?? undefined,
    };
  }
  await publish(config, rendered);
}

async function measure(config: Readonly<ActionConfig>): Promise<Rendered> {
  const repoDir = process.env.GITHUB_WORKSPACE ?? process.cwd();
  const logDir = resolve(repoDir, config.reportDir, 'logs');
  // Install and build logs are opened inside it before anything else would create it.
  await mkdir(logDir, { recursive: true });
  const outcome = await withTimeLimit(config.timeLimitMinutes * 60_000, () =>
    compareRefsFor(config, repoDir, logDir),
  );
  const runUrl = config.runUrl ?? undefined;
  if (outcome.kind === 'skipped') return { reports: [], skipped: { reason: outcome.reason }, runUrl };
  const report = withPullRequest(outcome, config);
  await writeReport(resolve(repoDir, config.reportDir), report);
  return { reports: [report], runUrl };
}

function compareRefsFor(config: Readonly<ActionConfig>, repoDir: string, logDir: string) {
  const { baseRef, headRef } = refsToCompare(config);
  return compareRefs({
    repoDir,
    baseRef,
    headRef,
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
            stagingDir: join(process.env.RUNNER_TEMP ?? tmpdir(), 'leakwatch-base-cache'),
            maySave: config.baseCache.maySave,
            log: (line) => core.info(line),
          }),
        }
      : {}),
    nodeSource: config.nodeSource,
    logDir,
    ...(config.heapSnapshotsDir ? { keepSnapshotsDir: resolve(repoDir, config.heapSnapshotsDir) } : {}),
    installEnv: config.installEnv,
    log: (line) => core.info(line),
  });
}

function refsToCompare(config: Readonly<ActionConfig>): { baseRef: string; headRef: string } {
  if (config.trigger.kind === 'pull-request')
    return { baseRef: config.trigger.baseSha, headRef: config.trigger.headSha };
  // Outside a PR (push, workflow_dispatch) the change under test is the last commit, or the pushed range.
  const before = (github.context.payload as { before?: string }).before;
  const headRef = process.env.GITHUB_SHA || 'HEAD';
  return { baseRef: before && !/^0+$/.test(before) ? before : `${headRef}~1`, headRef };
}

function withPullRequest(
  outcome: Extract<CompareRefsOutcome, { kind: 'compared' }>,
  config: Readonly<ActionConfig>,
) {
  const trigger = config.trigger;
  const pr =
    trigger.kind === 'pull-request'
      ? { number: trigger.number, headSha: trigger.headSha, baseSha: trigger.baseSha }
      : undefined;
  return { ...outcome.report, ...(pr ? { pr } : {}), ...(config.runUrl ? { runUrl: config.runUrl } : {}) };
}

async function writeReport(dir: string, report: CompareReport): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
}

/** `mode: report`: the reports come from a fork's run, so they are validated and re-rendered, never trusted. */
async function readReports(config: Readonly<ActionConfig>): Promise<Rendered> {
  const trigger = config.trigger;
  if (trigger.kind !== 'workflow-run')
    throw new LeakwatchError('CONFIG_INVALID', '`mode: report` needs a workflow_run event');
  const dir = resolve(process.env.GITHUB_WORKSPACE ?? process.cwd(), config.reportDir);
  const files = (await readdir(dir, { recursive: true }).catch(() => []))
    .filter((file) => file === 'report.json' || file.endsWith('/report.json'))
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
  const reports = await Promise.all(
    files.map(async (file) => {
      const source = relative(process.cwd(), join(dir, file));
      const parsed = parseUntrustedReport(await readFile(join(dir, file), 'utf8'), source);
      return rederiveReport(parsed, threshold, source);
    }),
  );
  const pullRequest = checkReportsAgainstRun(reports, trigger);
  if (!pullRequest.isConfirmedByRun && config.githubToken && config.repository) {
    await confirmPullRequestHead({
      octokit: github.getOctokit(config.githubToken),
      ...config.repository,
      number: pullRequest.number,
      headSha: trigger.headSha,
    });
  }
  return { reports, runUrl: config.runUrl ?? undefined };
}

async function publish(config: Readonly<ActionConfig> | undefined, rendered: Rendered): Promise<void> {
  const commentKey = config?.commentKey ?? 'default';
  const body = renderMarkdownReport({ ...rendered, commentKey });
  const verdict = overallVerdict(rendered);
  const report = rendered.reports[0];
  setSlopeOutputs(report);
  core.setOutput('verdict', verdict);
  core.setOutput('comment-body', body);
  if (config && config.mode !== 'report' && report) {
    core.setOutput(
      'report-path',
      resolve(process.env.GITHUB_WORKSPACE ?? process.cwd(), config.reportDir, 'report.json'),
    );
  }
  if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(summaryBody(rendered, commentKey)).write();
  if (config?.mode === 'measure') {
    const reportDir = resolve(process.env.GITHUB_WORKSPACE ?? process.cwd(), config.reportDir);
    await mkdir(reportDir, { recursive: true });
    await writeFile(join(reportDir, 'report.md'), body);
  }
  const pullRequestNumber = pullRequestToComment(config, rendered);
  if (
    config?.githubToken &&
    config.repository &&
    pullRequestNumber !== null &&
    shouldComment(config, rendered)
  ) {
    const posted = await upsertStickyComment({
      octokit: github.getOctokit(config.githubToken),
      ...config.repository,
      issueNumber: pullRequestNumber,
      commentKey,
      body,
      log: (line) => core.info(line),
    });
    core.setOutput('comment-url', posted.url);
  }
  if (config) await publishCheck(config, verdict, rendered, commentKey);
  gate(config?.failOn ?? 'regression', verdict, rendered);
}

/** The `check-name` check run. A failure to publish it only warns: the step's result gates the merge anyway. */
async function publishCheck(
  config: Readonly<ActionConfig>,
  verdict: OverallVerdict,
  rendered: Rendered,
  commentKey: string,
): Promise<void> {
  const headSha = config.trigger.kind === 'none' ? process.env.GITHUB_SHA : config.trigger.headSha;
  if (!config.checkName || !config.githubToken || !config.repository || !headSha) return;
  try {
    const url = await publishCheckRun({
      octokit: github.getOctokit(config.githubToken),
      ...config.repository,
      name: config.checkName,
      headSha,
      conclusion: checkConclusion(config.failOn, verdict),
      title: HEADLINES[verdict],
      summary: renderMarkdownReport({ ...rendered, commentKey, maxChars: MAX_CHECK_SUMMARY_CHARS }),
      ...(config.runUrl ? { detailsUrl: config.runUrl } : {}),
    });
    core.setOutput('check-run-url', url);
  } catch (error) {
    const status = (error as { status?: number }).status;
    core.warning(
      `Could not publish the check run \`${config.checkName}\` (HTTP ${status ?? '?'}): ${String(error)}. ` +
        "Give the workflow `permissions: checks: write`; a fork PR's token cannot write checks, so publish it from `mode: report`.",
    );
  }
}

/** What the check shows: a failure exactly when the step fails; otherwise what passed, or that nothing ran. */
function checkConclusion(failOn: ActionConfig['failOn'], verdict: OverallVerdict): CheckConclusion {
  if (failsStep(failOn, verdict)) return 'failure';
  if (verdict === 'no-regression') return 'success';
  if (verdict === 'skipped') return 'skipped';
  return 'neutral';
}

function failsStep(failOn: ActionConfig['failOn'], verdict: OverallVerdict): boolean {
  // Inconclusive fails like an error: an untested pass would be a false PASS.
  const isLikeError = verdict === 'error' || verdict === 'inconclusive';
  return (verdict === 'regression' && failOn === 'regression') || (isLikeError && failOn !== 'never');
}

/**
 * The job summary holds the full report the shortened comment points to: GitHub caps a step's summary at
 * 1 MiB (bytes, where the comment limit counts characters).
 */
function summaryBody(rendered: Rendered, commentKey: string): string {
  const full = renderJobSummary({ ...rendered, commentKey, maxChars: MAX_SUMMARY_BYTES });
  return Buffer.byteLength(full) <= MAX_SUMMARY_BYTES ? full : renderJobSummary({ ...rendered, commentKey });
}

function setSlopeOutputs(report: CompareReport | undefined): void {
  if (!report) return;
  const base = primaryFit(report.base)?.steady?.slope;
  const head = primaryFit(report.head)?.steady?.slope;
  if (base !== undefined) core.setOutput('base-slope', base.toFixed(1));
  if (head !== undefined) core.setOutput('head-slope', head.toFixed(1));
  if (report.comparison.deltaBytesPerRequest !== null)
    core.setOutput('delta', report.comparison.deltaBytesPerRequest.toFixed(1));
}

function pullRequestToComment(config: Readonly<ActionConfig> | undefined, rendered: Rendered): number | null {
  if (!config || config.mode === 'measure') return null;
  if (config.trigger.kind === 'pull-request') return config.trigger.number;
  // A measure job that failed wrote no report to name the PR: the run lists it, unless it is a fork's.
  const listed =
    config.trigger.kind === 'workflow-run' && rendered.error?.code === 'MEASURE_FAILED'
      ? config.trigger.pullRequestNumbers[0]
      : undefined;
  return rendered.reports[0]?.pr?.number ?? listed ?? null;
}

function shouldComment(config: Readonly<ActionConfig>, rendered: Rendered): boolean {
  if (config.comment === 'never') return false;
  if (config.comment === 'always') return true;
  // on-change: only when the PR changed dependencies, or something went wrong that the author must see.
  return (
    rendered.error !== undefined ||
    rendered.reports.some(
      (report) => (report.dependencyChanges ?? []).length > 0 || report.comparison.verdict === 'error',
    )
  );
}

function gate(failOn: ActionConfig['failOn'], verdict: OverallVerdict, rendered: Rendered): void {
  const reason =
    rendered.error?.message ?? rendered.reports.map((report) => report.comparison.reason).join('; ');
  if (!failsStep(failOn, verdict)) core.info(`leakwatch: ${verdict}${reason ? `: ${reason}` : ''}`);
  else if (verdict === 'regression') core.setFailed(`leakwatch: memory regression: ${reason}`);
  else if (verdict === 'inconclusive')
    core.setFailed(`leakwatch: inconclusive: ${reason}. ${INCONCLUSIVE_HINT}`);
  else core.setFailed(`leakwatch: could not measure: ${reason}`);
}

function logTailOf(error: LeakwatchError): string | undefined {
  return typeof error.cause === 'string' ? error.cause : undefined;
}
