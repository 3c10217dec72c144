// The comment's building blocks. Each returns finished markdown; untrusted text is escaped where it enters.

import { markdownTable } from 'markdown-table';
import type { DependencyChange } from '../model/deps.js';
import type {
  BaseCacheUse,
  CompareReport,
  ComparisonVerdict,
  MetricFit,
  MetricName,
  SideResult,
  SlopeFit,
} from '../model/report.js';
import { escapeInline, inlineCode, preformatted } from './escape.js';
import {
  byteUnitFor,
  formatBytes,
  formatDurationMs,
  formatInteger,
  formatMs,
  formatSignedCount,
} from './units.js';

const METRIC_LABELS: Record<MetricName, string> = {
  heapPlusExternal: 'Heap + external',
  arrayBuffers: 'ArrayBuffers',
  rss: 'RSS',
  activeResources: 'Active handles',
};

const METRIC_ORDER: MetricName[] = ['heapPlusExternal', 'arrayBuffers', 'rss', 'activeResources'];

export function steadySlope(side: SideResult, metric: MetricName): SlopeFit | null {
  return side.fits.find((fit) => fit.metric === metric)?.steady ?? null;
}

function formatSlopes(metric: MetricName, slopes: (SlopeFit | null)[]) {
  const isBytes = metric !== 'activeResources';
  const largest = Math.max(
    0,
    ...slopes.map((fit) => Math.max(Math.abs(fit?.slope ?? 0), Math.abs(fit?.high ?? 0))),
  );
  const unit = byteUnitFor(largest);
  const value = (amount: number) => (isBytes ? formatBytes(amount, { unit }) : formatSignedCount(amount));
  // An interval reads best in its own unit: `±40 B` says more than `±0.0 KB`.
  const plusMinus = (amount: number) =>
    isBytes ? formatBytes(amount, { signed: false }) : formatSignedCount(amount).replace('+', '');
  return { value, plusMinus };
}

export const REPORT_EMOJI: Record<ComparisonVerdict, string> = {
  regression: '❌',
  improvement: '✅',
  unchanged: '✅',
  'pre-existing': '⚠️',
  error: '💥',
};

/**
 * The side verdicts with an emoji: on the primary metric the comparison's (head can leak far more than a base
 * that leaks a little), on the others what the side verdicts alone say.
 */
function metricVerdict(
  base: MetricFit | undefined,
  head: MetricFit | undefined,
  comparison: ComparisonVerdict | null,
): string {
  const baseVerdict = base?.verdict ?? null;
  const headVerdict = head?.verdict ?? null;
  if (!baseVerdict && !headVerdict) return '—';
  const emoji = comparison
    ? REPORT_EMOJI[comparison]
    : headVerdict === 'leak'
      ? baseVerdict === 'leak'
        ? '⚠️'
        : '❌'
      : '✅';
  return `${emoji} ${baseVerdict ?? '—'} → ${headVerdict ?? '—'}`;
}

/** One row per metric: base and head steady-state slopes with their confidence intervals, the delta, a verdict. */
export function renderMetricsTable(report: CompareReport): string {
  const rows = METRIC_ORDER.map((metric) => {
    const base = report.base.fits.find((fit) => fit.metric === metric);
    const head = report.head.fits.find((fit) => fit.metric === metric);
    const baseSlope = base?.steady ?? null;
    const headSlope = head?.steady ?? null;
    const { value, plusMinus } = formatSlopes(metric, [baseSlope, headSlope]);
    const slopeCell = (fit: SlopeFit | null) =>
      fit ? `${value(fit.slope)} ±${plusMinus((fit.high - fit.low) / 2)}` : 'n/a';
    const isPrimary = metric === 'heapPlusExternal' && report.comparison.deltaBytesPerRequest !== null;
    const delta = isPrimary
      ? report.comparison.deltaBytesPerRequest
      : baseSlope && headSlope
        ? headSlope.slope - baseSlope.slope
        : null;
    const uncertainty = isPrimary ? report.comparison.deltaUncertainty : null;
    const deltaCell =
      delta === null ? 'n/a' : `${value(delta)}${uncertainty === null ? '' : ` ±${plusMinus(uncertainty)}`}`;
    const settledCell = (fit: MetricFit | undefined) =>
      fit?.retainedAfterSettle === null || fit?.retainedAfterSettle === undefined
        ? 'n/a'
        : value(fit.retainedAfterSettle);
    return [
      METRIC_LABELS[metric],
      slopeCell(baseSlope),
      slopeCell(headSlope),
      deltaCell,
      `${settledCell(base)} / ${settledCell(head)}`,
      metricVerdict(base, head, metric === 'heapPlusExternal' ? report.comparison.verdict : null),
    ];
  });
  const header = [
    'Per request',
    'Base',
    'Head',
    'Δ head − base',
    'Kept after settle (base / head)',
    'Verdict',
  ];
  return markdownTable([header, ...rows], { align: ['l', 'r', 'r', 'r', 'r', 'l'] });
}

function stopCell(side: SideResult): string {
  if (side.error) return `💥 ${inlineCode(side.error.code, 60)}`;
  const exit = side.exit;
  if (!exit) return '—';
  if (exit.kind === 'oom') return `💥 out of memory after ${formatInteger(exit.requestsSent)} requests`;
  if (exit.kind === 'watchdog') {
    return `💥 RSS ${formatBytes(exit.rssBytes, { signed: false })} over the ${formatBytes(exit.limitBytes, { signed: false })} limit`;
  }
  const how = exit.signal ? `signal ${escapeInline(exit.signal, 20)}` : `exit code ${exit.code ?? '?'}`;
  return `💥 crashed (${how}) after ${formatInteger(exit.requestsSent)} requests`;
}

/** Requests sent, failures, throughput, latency and how each side ended. */
export function renderLoadTable(report: CompareReport): string {
  const row = (label: string, side: SideResult) => [
    label,
    formatInteger(side.load.requests),
    formatInteger(side.load.errors + side.load.non2xx),
    `${formatInteger(side.load.requestsPerSecond)} req/s`,
    formatMs(side.load.latencyP50Ms),
    formatMs(side.load.latencyP99Ms),
    stopCell(side),
  ];
  return markdownTable(
    [
      ['Load', 'Requests sent', 'Failed', 'Throughput', 'p50', 'p99', 'Crash / OOM'],
      row('Base', report.base),
      row('Head', report.head),
    ],
    { align: ['l', 'r', 'r', 'r', 'r', 'r', 'l'] },
  );
}

function formatVersion(version: string | null): string {
  return version === null ? '—' : escapeInline(version, 60);
}

/** Direct dependencies first: they are the ones a reviewer can act on. */
export function orderChanges(changes: DependencyChange[]): DependencyChange[] {
  return [...changes].sort((a, b) => Number(b.direct) - Number(a.direct) || a.name.localeCompare(b.name));
}

export function formatChange(change: DependencyChange): string {
  return `${inlineCode(change.name, 100)} ${formatVersion(change.from)} → ${formatVersion(change.to)}`;
}

export function renderDependencyTable(changes: DependencyChange[], maxRows: number): string {
  if (changes.length === 0) return '_No dependency changed between base and head._';
  const ordered = orderChanges(changes);
  const rows = ordered
    .slice(0, maxRows)
    .map((change) => [
      inlineCode(change.name, 100),
      `${formatVersion(change.from)} → ${formatVersion(change.to)}`,
      escapeInline(change.kind, 20),
      change.direct ? 'direct' : 'transitive',
    ]);
  const table = markdownTable([['Package', 'Version', 'Kind', 'Dependency'], ...rows]);
  const hidden = ordered.length - rows.length;
  return hidden > 0 ? `${table}\n\n_…and ${formatInteger(hidden)} more._` : table;
}

/** Settings both sides shared, the versions and the runner, as a key/value table. */
export function renderSettingsTable(report: CompareReport): string {
  const { plan, environment, schedule } = report;
  const rows: [string, string][] = [
    ['Scenario', inlineCode(plan.scenarioName, 100)],
    ...(report.baseCache
      ? [
          [
            'Base cache',
            escapeInline(describeBaseCache(report.baseCache).replace(/^base cache /, ''), 400),
          ] as [string, string],
        ]
      : []),
    ['Start command', inlineCode(plan.startCommand, 300)],
    ['Ready path', `${inlineCode(plan.readyPath, 200)} within ${formatDurationMs(plan.readyTimeoutMs)}`],
    ['Heap cap', `${formatInteger(plan.heapCapMb)} MB`],
    ['RSS limit', `${formatInteger(plan.rssLimitMb)} MB`],
    ['Connections', formatInteger(plan.connections)],
    [
      'Warm-up',
      `${formatInteger(schedule.warmupRequests)} requests (planned ${formatInteger(plan.warmupRequests)})`,
    ],
    [
      'Rounds',
      `${formatInteger(schedule.roundsRun)} of ${formatInteger(schedule.roundsPlanned)} × ${formatInteger(schedule.requestsPerRound)} requests` +
        (schedule.isStoppedEarly ? ', stopped early: the verdict was clear' : ''),
    ],
    [
      'Time budget',
      `${formatDurationMs(plan.timeBudgetMs)} of load per side` +
        (schedule.isShrunkToBudget
          ? `, sized down at ${formatInteger(schedule.warmupRequestsPerSecond)} req/s`
          : ''),
    ],
    [
      'Request rate',
      plan.ratePerSecond === null ? 'as fast as served' : `${formatInteger(plan.ratePerSecond)} req/s`,
    ],
    [
      'Settle',
      plan.settleMs > 0 ? `${formatDurationMs(plan.settleMs)} idle before and after the rounds` : 'off',
    ],
    ['Threshold', `${formatBytes(plan.thresholdBytesPerRequest, { signed: false })} per request`],
    ['Seed', formatInteger(plan.seed)],
    ['leakwatch', escapeInline(environment.leakwatchVersion, 40)],
    ['Node.js', escapeInline(environment.nodeVersion, 40)],
    ['Runner', `${escapeInline(environment.platform, 40)}, ${formatInteger(environment.cpus)} CPUs`],
    ['Started', escapeInline(report.startedAt, 40)],
    ['Duration', formatDurationMs(report.durationMs)],
  ];
  return markdownTable([['Setting', 'Value'], ...rows]);
}

/** Log tails of every side that failed or crashed, each in an inert `<pre>` block. */
export function renderLogTails(report: CompareReport): string[] {
  const tails: string[] = [];
  for (const side of [report.base, report.head]) {
    const logTail =
      side.error?.logTail ?? (side.exit && 'logTail' in side.exit ? side.exit.logTail : undefined);
    if (!logTail) continue;
    tails.push(`<b>${escapeInline(side.label, 10)}</b>\n\n${preformatted(logTail)}`);
  }
  return tails;
}

export function details(summary: string, body: string): string {
  return `<details>\n<summary>${summary}</summary>\n\n${body}\n\n</details>`;
}

/** One line: whether base came from the cache, so a fast run is never a mystery. */
export function describeBaseCache(cache: BaseCacheUse): string {
  const what =
    cache.status === 'hit'
      ? `hit: base's install and build skipped, restored in ${(cache.durationMs / 1000).toFixed(1)} s`
      : cache.status === 'rebuilt'
        ? 'corrupt entry rebuilt and saved'
        : 'miss: base installed, built and saved';
  return `base cache (${cache.store}): ${what}${cache.note ? ` (${cache.note})` : ''}; key ${cache.key}`;
}
