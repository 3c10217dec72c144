// What a run leaves behind: the outputs, the job summary, report.md, the sticky comment, the check run, and
// whether the step fails. Comment and check go through the Octokit the caller gave; the rest is returned.
import { join, resolve } from 'node:path';
import { primaryFit } from '../analysis/analysis.js';
import { type CheckConclusion, MAX_CHECK_SUMMARY_CHARS, publishCheckRun } from '../github/check-run.js';
import { upsertStickyComment } from '../github/comment.js';
import type { CompareReport } from '../model/report.js';
import { type MarkdownReportInput, renderJobSummary, renderMarkdownReport } from '../report/markdown.js';
import { HEADLINES, type OverallVerdict, overallVerdict } from '../report/overall-verdict.js';
import { describeComparison, inconclusiveHint } from '../report/verdict-text.js';
import { LeakwatchError } from '../settings/errors.js';
import type { ActionConfig } from './config.js';
import type { ActionDeps } from './run-action.js';

export type Rendered = Omit<MarkdownReportInput, 'commentKey'>;

export interface ActionResult {
  verdict: OverallVerdict;
  /** The action's outputs (action.yml), by name. */
  outputs: Record<string, string>;
  /** The job summary: the full report the shortened comment points to. */
  summary: string;
  /** The sticky comment, when one was posted or edited. */
  comment: { url: string } | null;
  /** The `check-name` check run, when one was published. */
  check: { url: string; conclusion: CheckConclusion } | null;
  /** Why the step fails; null when it passes. */
  failure: string | null;
  /** Comment or check calls that failed after retries, each naming the call and the permission it needs. */
  publishErrors: string[];
}

const MAX_SUMMARY_BYTES = 1024 * 1024;

export async function publish(
  config: Readonly<ActionConfig> | null,
  rendered: Rendered,
  deps: ActionDeps,
): Promise<ActionResult> {
  const commentKey = config?.commentKey ?? 'default';
  const body = renderMarkdownReport({ ...rendered, commentKey });
  const verdict = overallVerdict(rendered);
  const report = rendered.reports[0];
  const outputs: Record<string, string> = { ...slopeOutputs(report), verdict, 'comment-body': body };
  if (config && config.mode !== 'report' && report) {
    outputs['report-path'] = resolve(config.workspace, config.reportDir, 'report.json');
  }
  if (config?.mode === 'measure') {
    const reportDir = resolve(config.workspace, config.reportDir);
    await deps.fs.mkdir(reportDir, { recursive: true });
    await deps.fs.writeFile(join(reportDir, 'report.md'), body);
  }
  const pullRequestNumber = pullRequestToComment(config, rendered);
  // Comment and check are attempted independently: one failing call never hides the other, nor the verdict.
  const publishErrors: string[] = [];
  const attempt = async <T>(call: () => Promise<T>): Promise<T | null> => {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof LeakwatchError)) throw error;
      deps.log.error(error.message);
      publishErrors.push(error.message);
      return null;
    }
  };
  let comment: ActionResult['comment'] = null;
  if (
    config?.githubToken &&
    config.repository &&
    pullRequestNumber !== null &&
    shouldComment(config, rendered)
  ) {
    const { githubToken, repository } = config;
    comment = await attempt(() =>
      upsertStickyComment({
        octokit: deps.octokit(githubToken),
        ...repository,
        issueNumber: pullRequestNumber,
        commentKey,
        body,
        log: deps.log.info,
      }),
    );
    if (comment) outputs['comment-url'] = comment.url;
  }
  const check = config ? await attempt(() => publishCheck(config, verdict, rendered, deps)) : null;
  if (check) outputs['check-run-url'] = check.url;
  const failOn = config?.failOn ?? 'regression';
  const failure = withPublishErrors(failureOf(failOn, verdict, rendered), failOn, verdict, publishErrors);
  if (!failure) deps.log.info(`leakwatch: ${verdict}${reasonOf(rendered) ? `: ${reasonOf(rendered)}` : ''}`);
  const summary = summaryBody(rendered, commentKey);
  return { verdict, outputs, summary, comment, check, failure, publishErrors };
}

/**
 * A comment or check that could not be published fails the step like an error (unless `fail-on: never`):
 * the measurement stands (the verdict output says it), but nobody would see it.
 */
function withPublishErrors(
  failure: string | null,
  failOn: ActionConfig['failOn'],
  verdict: OverallVerdict,
  errors: string[],
): string | null {
  if (errors.length === 0 || failOn === 'never') return failure;
  const publishing = `publishing failed: ${errors.join('; ')}`;
  return failure ? `${failure}; ${publishing}` : `leakwatch: ${verdict}, but ${publishing}`;
}

/** The `check-name` check run; null when none is configured. */
async function publishCheck(
  config: Readonly<ActionConfig>,
  verdict: OverallVerdict,
  rendered: Rendered,
  deps: ActionDeps,
): Promise<ActionResult['check']> {
  const headSha = config.trigger.kind === 'none' ? config.commitSha : config.trigger.headSha;
  if (!config.checkName || !config.githubToken || !config.repository || !headSha) return null;
  const conclusion = checkConclusion(config.failOn, verdict);
  const url = await publishCheckRun({
    octokit: deps.octokit(config.githubToken),
    ...config.repository,
    name: config.checkName,
    headSha,
    conclusion,
    title: HEADLINES[verdict],
    summary: renderMarkdownReport({
      ...rendered,
      commentKey: config.commentKey,
      maxChars: MAX_CHECK_SUMMARY_CHARS,
    }),
    ...(config.runUrl ? { detailsUrl: config.runUrl } : {}),
  });
  return { url, conclusion };
}

/**
 * What the check shows: a failure exactly when the measurement fails the step (a failed comment fails the
 * step too, but is no verdict on the code); otherwise what passed, or that nothing ran.
 */
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

function failureOf(
  failOn: ActionConfig['failOn'],
  verdict: OverallVerdict,
  rendered: Rendered,
): string | null {
  if (!failsStep(failOn, verdict)) return null;
  if (verdict === 'regression') return `leakwatch: memory regression: ${reasonOf(rendered)}`;
  if (verdict === 'inconclusive')
    return `leakwatch: inconclusive: ${reasonOf(rendered)}. ${hintsOf(rendered)}`.trimEnd();
  return `leakwatch: could not measure: ${reasonOf(rendered)}`;
}

function reasonOf(rendered: Rendered): string {
  return rendered.error?.message ?? rendered.reports.map(describeComparison).join('; ');
}

function hintsOf(rendered: Rendered): string {
  const hints = rendered.reports.map((report) => inconclusiveHint(report.comparison.finding));
  return [...new Set(hints.filter((hint) => hint !== null))].join(' ');
}

/** GitHub caps a step's summary at 1 MiB (bytes, where the comment limit counts characters). */
function summaryBody(rendered: Rendered, commentKey: string): string {
  const full = renderJobSummary({ ...rendered, commentKey, maxChars: MAX_SUMMARY_BYTES });
  return Buffer.byteLength(full) <= MAX_SUMMARY_BYTES ? full : renderJobSummary({ ...rendered, commentKey });
}

function slopeOutputs(report: CompareReport | undefined): Record<string, string> {
  if (!report) return {};
  const base = primaryFit(report.base)?.steady?.slope;
  const head = primaryFit(report.head)?.steady?.slope;
  const delta = report.comparison.deltaBytesPerRequest;
  return {
    ...(base === undefined ? {} : { 'base-slope': base.toFixed(1) }),
    ...(head === undefined ? {} : { 'head-slope': head.toFixed(1) }),
    ...(delta === null ? {} : { delta: delta.toFixed(1) }),
  };
}

function pullRequestToComment(config: Readonly<ActionConfig> | null, rendered: Rendered): number | null {
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
