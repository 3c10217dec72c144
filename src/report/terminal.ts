// The CLI's closing table: plain text for a terminal, from the same typed report the comment renders.
import { markdownTable } from 'markdown-table';
import { formatBytes } from '../analysis/analysis.js';
import type { DependencyChange } from '../model/deps.js';
import type {
  CompareReport,
  HeapExplanation,
  MeasureReport,
  MetricFit,
  SideResult,
  SlopeFit,
} from '../model/report.js';
import { renderBisectionText } from './bisect.js';
import { describeNetwork } from './network.js';
import { describeBaseCache } from './sections.js';

const verdictLabels: Record<CompareReport['comparison']['verdict'], string> = {
  regression: 'FAIL: regression',
  improvement: 'PASS: improvement',
  unchanged: 'PASS: no regression',
  'pre-existing': 'WARN: pre-existing leak',
  error: 'ERROR',
};

const metricLabels: Record<MetricFit['metric'], string> = {
  heapPlusExternal: 'heap + external (B/req)',
  arrayBuffers: 'arrayBuffers (B/req)',
  rss: 'RSS (B/req)',
  activeResources: 'active resources (/req)',
};

function formatFit(fit: SlopeFit | null, metric: MetricFit['metric']): string {
  if (!fit) return 'n/a';
  if (metric === 'activeResources')
    return `${fit.slope.toFixed(4)} [${fit.low.toFixed(4)}, ${fit.high.toFixed(4)}]`;
  return `${formatBytes(fit.slope)} [${formatBytes(fit.low)}, ${formatBytes(fit.high)}]`;
}

function describeSide(side: SideResult): string {
  const network = describeNetwork(side);
  const outbound = network ? `\n  ${network}` : '';
  if (side.error)
    return `${side.label}: ${side.error.message}${side.error.hint ? `\n  hint: ${side.error.hint}` : ''}${outbound}`;
  const exit = side.exit ? `, stopped: ${side.exit.kind} after ${side.exit.requestsSent} requests` : '';
  return `${side.label}: ${side.load.requests} requests at ${Math.round(side.load.requestsPerSecond)} req/s, p99 ${side.load.latencyP99Ms} ms, ${side.samples.length} samples${exit}${outbound}`;
}

function fitTable(sides: SideResult[]): string {
  const header = ['metric (steady slope, 95 % CI)', ...sides.map((side) => side.label)];
  const rows = (Object.keys(metricLabels) as MetricFit['metric'][]).map((metric) => [
    metricLabels[metric],
    ...sides.map((side) => {
      const fit = side.fits.find((candidate) => candidate.metric === metric);
      return fit ? `${formatFit(fit.steady, metric)} ${fit.verdict ?? ''}`.trim() : 'n/a';
    }),
  ]);
  return markdownTable([header, ...rows]);
}

export function renderDependencyText(changes: DependencyChange[]): string {
  if (changes.length === 0) return 'dependency changes: none';
  const rows = changes.map((change) => [
    change.name,
    `${change.from ?? '(none)'} → ${change.to ?? '(removed)'}`,
    change.kind,
    change.direct ? 'direct' : 'transitive',
  ]);
  return markdownTable([['package', 'version', 'kind', 'dependency'], ...rows]);
}

function describeHeapDiffs(diffs: HeapExplanation[] | undefined): string[] {
  return (diffs ?? []).flatMap((diff) => {
    if (diff.status === 'skipped') return [`${diff.label} heap diff: skipped (${diff.reason})`];
    if (diff.growing.length === 0) return [`${diff.label} heap diff: nothing grows steadily`];
    return [
      `${diff.label} heap diff, what grows per request over ${diff.requests} requests:`,
      ...diff.growing
        .slice(0, 5)
        .flatMap((row) => [
          `  ${row.name}: +${row.objectsPerRequest.toFixed(2)} objects, ${formatBytes(row.bytesPerRequest)}` +
            `${row.bumpedPackages.length > 0 ? ` [bumped: ${row.bumpedPackages.join(', ')}]` : ''}`,
          ...(row.retainerPath ? [`    held by ${row.retainerPath}`] : []),
        ]),
    ];
  });
}

export function renderCompareText(report: CompareReport): string {
  const { comparison } = report;
  const heap = describeHeapDiffs(report.heapDiffs);
  return [
    fitTable([report.base, report.head]),
    '',
    describeSide(report.base),
    describeSide(report.head),
    ...(heap.length > 0 ? ['', ...heap] : []),
    ...(report.baseCache ? ['', describeBaseCache(report.baseCache)] : []),
    ...(report.bisection ? ['', renderBisectionText(report.bisection)] : []),
    '',
    `${verdictLabels[comparison.verdict]}: ${comparison.reason}`,
  ].join('\n');
}

export function renderMeasureText(report: MeasureReport): string {
  return [fitTable([report.app]), '', describeSide(report.app), '', `verdict: ${report.app.verdict}`].join(
    '\n',
  );
}
