// The sticky PR comment (and job summary): verdict first, then evidence, then details, always under the limit.

import type { DependencyChange } from '../model/deps.js';
import type { CompareReport } from '../model/report.js';
import { renderBisectionLine, renderBisectionSteps } from './bisect.js';
import { renderMemoryChart } from './chart.js';
import { commentMarker, escapeInline, inlineCode, preformatted } from './escape.js';
import { renderHeapSection, renderTopRetainerPath } from './heap.js';
import { renderNetworkSection } from './network.js';
import {
  details,
  formatChange,
  orderChanges,
  REPORT_EMOJI,
  renderDependencyTable,
  renderLoadTable,
  renderLogTails,
  renderMetricsTable,
  renderSettingsTable,
  steadySlope,
} from './sections.js';
import { byteUnitFor, formatBytes, formatInteger } from './units.js';

/** GitHub rejects issue comments longer than this many characters. */
export const MAX_COMMENT_CHARS = 65_536;

export type OverallVerdict = 'regression' | 'no-regression' | 'pre-existing' | 'skipped' | 'error';

export interface MarkdownReportInput {
  /** Identifies the sticky comment (scenario or working directory); goes into the hidden marker. */
  commentKey: string;
  /** One report per scenario or matrix entry. */
  reports: CompareReport[];
  /** Overrides the reports' own `dependencyChanges` when the caller diffed once for all of them. */
  dependencyChanges?: DependencyChange[];
  skipped?: { reason: string };
  /** A failure that prevented any report (install, build, config...). */
  error?: { code: string; message: string; hint?: string; logTail?: string };
  runUrl?: string;
  /** Defaults to GitHub's comment limit. */
  maxChars?: number;
}

type Detail = 'full' | 'compact' | 'summary' | 'verdict';

export const HEADLINES: Record<OverallVerdict, string> = {
  regression: '❌ leakwatch: memory regression',
  'no-regression': '✅ leakwatch: no memory regression',
  'pre-existing': '⚠️ leakwatch: pre-existing leak, not introduced by this change',
  skipped: '⏭️ leakwatch: skipped',
  error: '💥 leakwatch: could not measure',
};

function reportVerdict(report: CompareReport): OverallVerdict {
  const verdict = report.comparison.verdict;
  return verdict === 'improvement' || verdict === 'unchanged' ? 'no-regression' : verdict;
}

/** The verdict of the whole comment: a regression anywhere outranks an error, which outranks a pre-existing leak. */
export function overallVerdict(
  input: Pick<MarkdownReportInput, 'reports' | 'skipped' | 'error'>,
): OverallVerdict {
  if (input.error) return 'error';
  if (input.reports.length === 0) return input.skipped ? 'skipped' : 'error';
  const verdicts = new Set(input.reports.map(reportVerdict));
  for (const verdict of ['regression', 'error', 'pre-existing'] as const) {
    if (verdicts.has(verdict)) return verdict;
  }
  return 'no-regression';
}

function formatPackages(changes: DependencyChange[]): string {
  const ordered = orderChanges(changes);
  const named = ordered.slice(0, 3).map(formatChange).join(', ');
  return ordered.length > 3 ? `${named} and ${ordered.length - 3} more` : named;
}

function reportReason(report: CompareReport, changes: DependencyChange[]): string {
  if (report.comparison.verdict === 'error') {
    const failed = report.head.error ?? report.base.error;
    return escapeInline(failed?.message ?? report.comparison.reason, 300);
  }
  const headSlope = steadySlope(report.head, 'heapPlusExternal')?.slope ?? Number.NaN;
  const baseSlope = steadySlope(report.base, 'heapPlusExternal')?.slope ?? Number.NaN;
  const unit = byteUnitFor(Math.max(Math.abs(headSlope) || 0, Math.abs(baseSlope) || 0));
  const parts = [
    `head retains ${formatBytes(headSlope, { unit })} per request (base ${formatBytes(baseSlope, { unit })})`,
  ];
  if (report.head.exit?.kind === 'oom') {
    parts.push(`head ran out of memory after ${formatInteger(report.head.exit.requestsSent)} requests`);
  }
  if (changes.length > 0) parts.push(formatPackages(changes));
  if (report.bisection) parts.push(renderBisectionLine(report.bisection));
  return parts.join('; ');
}

function safeRunLink(runUrl: string | undefined): string | null {
  if (!runUrl) return null;
  try {
    const url = new URL(runUrl);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
    const href = url.href.replace(
      /[()<>"'`\s\\[\]!]/g,
      (char) => `%${char.charCodeAt(0).toString(16).padStart(2, '0')}`,
    );
    return `[workflow run](${href})`;
  } catch {
    return null;
  }
}

function sharedChanges(input: MarkdownReportInput): DependencyChange[] | null {
  if (input.dependencyChanges) return input.dependencyChanges;
  const lists = input.reports.map((report) => report.dependencyChanges ?? []);
  const first = JSON.stringify(lists[0] ?? []);
  return lists.every((list) => JSON.stringify(list) === first) ? (lists[0] ?? []) : null;
}

interface ReportSection {
  body: string;
  /** Collapsible blocks, gathered at the end of the comment so the evidence stays together. */
  collapsed: string[];
}

function renderReportSection(
  report: CompareReport,
  ownChanges: DependencyChange[] | null,
  isOnlyReport: boolean,
  detail: Detail,
): ReportSection {
  const emoji = REPORT_EMOJI[report.comparison.verdict];
  const name = inlineCode(report.plan.scenarioName, 80);
  const changes = ownChanges ?? report.dependencyChanges ?? [];
  if (detail === 'summary')
    return { body: `- ${emoji} ${name}: ${reportReason(report, changes)}`, collapsed: [] };
  const blocks: string[] = [];
  if (!isOnlyReport) blocks.push(`### ${emoji} ${name}`, reportReason(report, changes));
  blocks.push(`> ${escapeInline(report.comparison.reason, 500)}`, renderMetricsTable(report));
  const chart = renderMemoryChart(report.base.samples, report.head.samples);
  if (chart) blocks.push(chart);
  blocks.push(renderLoadTable(report));
  const network = renderNetworkSection(report);
  if (network) blocks.push(network);
  const heap = renderHeapSection(report);
  if (heap) blocks.push(heap);
  if (ownChanges) blocks.push(`#### Changed packages\n\n${renderDependencyTable(ownChanges, 20)}`);
  const collapsed: string[] = [];
  if (report.bisection) collapsed.push(renderBisectionSteps(report.bisection));
  if (detail === 'full') {
    const suffix = isOnlyReport ? '' : ` of ${name}`;
    const retainerPath = renderTopRetainerPath(report);
    if (retainerPath)
      collapsed.push(details(`Retainer path of the largest growing object${suffix}`, retainerPath));
    collapsed.push(details(`Settings, versions and runner${suffix}`, renderSettingsTable(report)));
    const tails = renderLogTails(report);
    if (tails.length > 0) collapsed.push(details(`Log tails${suffix}`, tails.join('\n\n')));
  }
  return { body: blocks.join('\n\n'), collapsed };
}

function renderAtDetail(input: MarkdownReportInput, detail: Detail): string {
  const verdict = overallVerdict(input);
  const shared = sharedChanges(input);
  const worst = input.reports.find((report) => reportVerdict(report) === verdict);
  const blocks = [commentMarker(input.commentKey), `## ${HEADLINES[verdict]}`];

  if (input.error) {
    blocks.push(`**${escapeInline(input.error.message, 500)}** (${inlineCode(input.error.code, 60)})`);
    if (input.error.hint && detail !== 'verdict')
      blocks.push(`_Hint:_ ${escapeInline(input.error.hint, 500)}`);
    if (input.error.logTail && detail === 'full')
      blocks.push(details('Log tail', preformatted(input.error.logTail)));
  } else if (worst) {
    const scope =
      input.reports.length > 1
        ? `${inlineCode(worst.plan.scenarioName, 80)} (${input.reports.filter((report) => reportVerdict(report) === verdict).length} of ${input.reports.length} scenarios): `
        : '';
    blocks.push(`**${scope}${reportReason(worst, shared ?? worst.dependencyChanges ?? [])}**`);
  } else if (input.skipped) {
    blocks.push(`**${escapeInline(input.skipped.reason, 300)}**`);
  }

  if (detail !== 'verdict') {
    const sections = input.reports.map((report) =>
      renderReportSection(
        report,
        shared ? null : (report.dependencyChanges ?? []),
        input.reports.length === 1,
        detail,
      ),
    );
    if (sections.length > 0)
      blocks.push(sections.map((section) => section.body).join(detail === 'summary' ? '\n' : '\n\n'));
    if (shared && (shared.length > 0 || input.reports.length > 0)) {
      const maxRows = detail === 'full' ? 100 : detail === 'compact' ? 20 : 5;
      blocks.push(`### Changed packages\n\n${renderDependencyTable(shared, maxRows)}`);
    }
    blocks.push(...sections.flatMap((section) => section.collapsed));
  }

  const footer = ['leakwatch', safeRunLink(input.runUrl)].filter((part) => part !== null).join(' · ');
  const shortened =
    detail === 'full'
      ? ''
      : ' · shortened to fit GitHub’s comment limit; the job summary has the full report';
  blocks.push(`<sub>${footer}${shortened}</sub>`);
  return `${blocks.join('\n\n')}\n`;
}

/**
 * Renders the comment body. When the full report exceeds the limit, it drops log tails and settings, then
 * keeps one line per scenario, then the verdict alone: each stage is whole markup, never a cut string.
 */
export function renderMarkdownReport(input: MarkdownReportInput): string {
  const maxChars = input.maxChars ?? MAX_COMMENT_CHARS;
  for (const detail of ['full', 'compact', 'summary', 'verdict'] as const) {
    const body = renderAtDetail(input, detail);
    if (body.length <= maxChars) return body;
  }
  return `${commentMarker(input.commentKey)}\n\n## ${HEADLINES[overallVerdict(input)]}\n`;
}
