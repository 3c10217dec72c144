// The sticky PR comment and the job summary. The comment leads with one decisive line, the cost and the next
// step, then the evidence; the job summary holds every detail. Both always fit their limit.

import type { DependencyChange } from '../model/deps.js';
import type { CompareReport } from '../model/report.js';
import type { ReportedError } from '../settings/errors.js';
import { adaptiveNotes } from './adaptive.js';
import { renderBisectionLine, renderBisectionSteps } from './bisect.js';
import { renderMemoryChart } from './chart.js';
import { commentMarker, escapeInline, inlineCode, preformatted } from './escape.js';
import {
  causeText,
  costText,
  decisiveText,
  failedSides,
  markdownInline,
  revisionsText,
  subjectText,
} from './headline.js';
import { renderHeapSection } from './heap.js';
import { firstErrorLine, nextStepText, sideLog } from './next-step.js';
import { HEADLINES, overallVerdict, reportVerdict } from './overall-verdict.js';
import {
  details,
  REPORT_EMOJI,
  renderDecisiveTable,
  renderDependencyTable,
  renderLoadTable,
  renderLogTails,
  renderOtherMetricsTable,
} from './sections.js';
import { renderSettingsTable } from './settings-table.js';
import { renderTrafficList } from './traffic.js';

/** GitHub rejects issue comments longer than this many characters. */
export const MAX_COMMENT_CHARS = 65_536;

export interface MarkdownReportInput {
  /** Identifies the sticky comment (scenario or working directory); goes into the hidden marker. */
  commentKey: string;
  /** One report per scenario or matrix entry. */
  reports: CompareReport[];
  /** Overrides the reports' own `dependencyChanges` when the caller diffed once for all of them. */
  dependencyChanges?: DependencyChange[];
  skipped?: { reason: string };
  /** A failure that prevented any report (install, build, config...). */
  error?: ReportedError;
  runUrl?: string;
  /** Defaults to GitHub's comment limit. */
  maxChars?: number;
}

type Detail = 'full' | 'compact' | 'summary' | 'verdict';
/** The comment points to the job summary; the summary opens every section and shows every row. */
type Audience = 'comment' | 'job-summary';

/** `❌ +3.6 KiB retained per request (±0.3, 95 % CI) · contentful-sdk-core 6.4.5 → 6.4.4 (downgrade)`. */
export function reportHeadline(report: CompareReport, changes: DependencyChange[]): string {
  const subject = subjectText(report, changes, markdownInline);
  return `${REPORT_EMOJI[report.comparison.verdict]} ${decisiveText(report)}${subject ? ` · ${subject}` : ''}`;
}

function safeRunLink(runUrl: string | undefined, label: string): string | null {
  if (!runUrl) return null;
  try {
    const url = new URL(runUrl);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
    const href = url.href.replace(
      /[()<>"'`\s\\[\]!]/g,
      (char) => `%${char.charCodeAt(0).toString(16).padStart(2, '0')}`,
    );
    return `[${label}](${href})`;
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

/** The cause of an error as the log says it: which sides failed, the first error line, whose log it is. */
function errorCauseLine(report: CompareReport): string {
  const failed = [report.head, report.base].find((side) => sideLog(side) !== undefined);
  const line = failed ? firstErrorLine(sideLog(failed)) : null;
  const said = line ? `: ${inlineCode(line, 300)} (${failed?.label} log)` : '';
  return `**Cause:** ${escapeInline(failedSides(report), 300)}${said}`;
}

/** Cause, cost and next step as a short list. */
function keyLines(report: CompareReport, changes: DependencyChange[]): string {
  const next = nextStepText(report, changes, markdownInline);
  if (report.comparison.verdict === 'error') {
    return [`- ${errorCauseLine(report)}`, ...(next ? [`- **Fix:** ${next}`] : [])].join('\n');
  }
  const cause = causeText(report, markdownInline);
  const cost = costText(report, markdownInline);
  const bisection = report.bisection ? renderBisectionLine(report.bisection) : null;
  return [
    ...(bisection ? [`- **Bisection:** ${bisection}`] : []),
    ...(cause ? [`- **Cause:** ${cause}`] : []),
    ...(cost ? [`- **Cost:** ${cost}`] : []),
    ...(next ? [`- **Next step:** ${next}`] : []),
  ].join('\n');
}

interface ReportSection {
  body: string;
  /** Collapsible blocks, gathered at the end of the comment so the evidence stays together. */
  collapsed: string[];
}

function evidence(report: CompareReport, audience: Audience): string[] {
  const traffic = renderTrafficList(report);
  if (report.comparison.verdict === 'error') {
    const tails = renderLogTails(report).map((tail) => details('Log tail', tail, true));
    return traffic ? [traffic, ...tails] : tails;
  }
  const blocks = [
    renderDecisiveTable(report),
    traffic,
    renderHeapSection(report, audience === 'comment' ? 5 : 20),
    // A pre-existing leak lives at base: what grows there tells the reader where it is.
    report.comparison.verdict === 'pre-existing'
      ? renderHeapSection(report, audience === 'comment' ? 5 : 20, 'base')
      : null,
  ];
  blocks.push(renderMemoryChart(report.base.samples, report.head.samples));
  return blocks.filter((block): block is string => block !== null);
}

function collapsedBlocks(
  report: CompareReport,
  detail: Detail,
  audience: Audience,
  suffix: string,
): string[] {
  const isOpen = audience === 'job-summary';
  const blocks: string[] = [];
  if (detail !== 'full') return blocks;
  if (report.comparison.verdict !== 'error') {
    const tables = [renderOtherMetricsTable(report), renderLoadTable(report)].filter(
      (table) => table !== null,
    );
    if (tables.length > 0)
      blocks.push(details(`Other metrics and load${suffix}`, tables.join('\n\n'), isOpen));
  }
  if (report.bisection) blocks.push(renderBisectionSteps(report.bisection, isOpen));
  blocks.push(details(`Settings, versions and runner${suffix}`, renderSettingsTable(report), isOpen));
  const tails = renderLogTails(report);
  if (tails.length > 0 && report.comparison.verdict !== 'error')
    blocks.push(details(`Log tails${suffix}`, tails.join('\n\n'), isOpen));
  return blocks;
}

function renderReportSection(
  report: CompareReport,
  changes: DependencyChange[],
  isOnlyReport: boolean,
  detail: Detail,
  audience: Audience,
): ReportSection {
  const name = inlineCode(report.plan.scenarioName, 80);
  if (detail === 'summary')
    return { body: isOnlyReport ? '' : `- ${name}: ${reportHeadline(report, changes)}`, collapsed: [] };
  const blocks: string[] = [];
  if (!isOnlyReport) blocks.push(`### ${name}: ${reportHeadline(report, changes)}`);
  const revisions = revisionsText(report, markdownInline);
  blocks.push(
    [revisions, isOnlyReport ? null : `scenario ${name}`].filter((part) => part !== null).join(' · '),
  );
  // Plain lines for now (the hint names settings in backticks, which render as code).
  const notes = adaptiveNotes(report).map((note) =>
    note.startsWith('hint: ') ? `_Hint:_ ${note.slice(6)}` : note,
  );
  blocks.push(keyLines(report, changes), ...notes, ...evidence(report, audience));
  const suffix = isOnlyReport ? '' : ` of ${name}`;
  return {
    body: blocks.filter((block) => block.length > 0).join('\n\n'),
    collapsed: collapsedBlocks(report, detail, audience, suffix),
  };
}

function topBlocks(input: MarkdownReportInput, detail: Detail, shared: DependencyChange[] | null): string[] {
  const verdict = overallVerdict(input);
  const worst = input.reports.find((report) => reportVerdict(report) === verdict);
  if (input.error) {
    const line = firstErrorLine(input.error.logTail);
    const blocks = [
      `## 💥 could not measure: ${escapeInline(input.error.message, 300)}`,
      `- **Cause:** ${inlineCode(input.error.code, 60)}${line ? `: ${inlineCode(line, 300)}` : ''}`,
    ];
    if (input.error.hint && detail !== 'verdict')
      blocks[1] += `\n- **Fix:** ${escapeInline(input.error.hint, 500)}`;
    if (input.error.logTail && detail !== 'verdict')
      blocks.push(details('Log tail', preformatted(input.error.logTail), true));
    return blocks;
  }
  if (worst) {
    const changes = shared ?? worst.dependencyChanges ?? [];
    const count = input.reports.filter((report) => reportVerdict(report) === verdict).length;
    const scope =
      input.reports.length > 1
        ? `${inlineCode(worst.plan.scenarioName, 80)} (${count} of ${input.reports.length} scenarios): `
        : '';
    return [`## ${scope}${reportHeadline(worst, changes)}`];
  }
  return [`## ⏭️ leakwatch skipped: ${escapeInline(input.skipped?.reason ?? 'nothing to measure', 300)}`];
}

function renderAtDetail(input: MarkdownReportInput, detail: Detail, audience: Audience): string {
  const shared = sharedChanges(input);
  const blocks = [
    ...(audience === 'comment' ? [commentMarker(input.commentKey)] : []),
    ...topBlocks(input, detail, shared),
  ];
  if (detail !== 'verdict') {
    const sections = input.reports.map((report) =>
      renderReportSection(
        report,
        shared ?? report.dependencyChanges ?? [],
        input.reports.length === 1,
        detail,
        audience,
      ),
    );
    const bodies = sections.map((section) => section.body).filter((body) => body.length > 0);
    if (bodies.length > 0) blocks.push(bodies.join(detail === 'summary' ? '\n' : '\n\n'));
    if (shared && shared.length > 0 && input.reports.length > 0) {
      const maxRows = detail === 'full' ? 100 : detail === 'compact' ? 20 : 5;
      const title = `Changed packages (${shared.length})`;
      blocks.push(details(title, renderDependencyTable(shared, maxRows), audience === 'job-summary'));
    }
    blocks.push(...sections.flatMap((section) => section.collapsed));
  }
  blocks.push(`<sub>${footer(input, detail, audience)}</sub>`);
  return `${blocks.join('\n\n')}\n`;
}

function footer(input: MarkdownReportInput, detail: Detail, audience: Audience): string {
  if (audience === 'job-summary') {
    const run = safeRunLink(input.runUrl, 'workflow run');
    return ['leakwatch · every table, step and log of this run', run]
      .filter((part) => part !== null)
      .join(' · ');
  }
  const link = safeRunLink(input.runUrl, 'full report in the job summary');
  const shortened = detail === 'full' ? '' : ' · shortened to fit GitHub’s comment limit';
  return `${['leakwatch', link].filter((part) => part !== null).join(' · ')}${shortened}`;
}

function renderWithin(input: MarkdownReportInput, audience: Audience): string {
  const maxChars = input.maxChars ?? MAX_COMMENT_CHARS;
  for (const detail of ['full', 'compact', 'summary', 'verdict'] as const) {
    const body = renderAtDetail(input, detail, audience);
    if (body.length <= maxChars) return body;
  }
  return `${audience === 'comment' ? `${commentMarker(input.commentKey)}\n\n` : ''}## ${HEADLINES[overallVerdict(input)]}\n`;
}

/**
 * Renders the comment body. When the full report exceeds the limit, it drops log tails and settings, then
 * keeps one line per scenario, then the verdict alone: each stage is whole markup, never a cut string.
 */
export function renderMarkdownReport(input: MarkdownReportInput): string {
  return renderWithin(input, 'comment');
}

/** The job summary: the full detail the comment links to, every section open, no sticky marker. */
export function renderJobSummary(input: MarkdownReportInput): string {
  return renderWithin(input, 'job-summary');
}
