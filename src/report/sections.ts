// The comment's building blocks. Each returns finished markdown; untrusted text is escaped where it enters.

import { markdownTable } from 'markdown-table';
import type { DependencyChange } from '../model/deps.js';
import type {
  CompareReport,
  ComparisonVerdict,
  MeasuredSide,
  MetricFit,
  MetricName,
  SideResult,
  SlopeFit,
} from '../model/report.js';
import {
  type ByteUnit,
  byteUnitFor,
  formatAmount,
  formatBytes,
  formatInteger,
  formatIntervalText,
  formatMs,
  formatSignedCount,
} from '../model/units.js';
import { escapeInline, inlineCode, preformatted } from './escape.js';
import { METRIC_LABELS, OTHER_METRICS } from './metric-labels.js';
import { sideLog } from './next-step.js';

export const REPORT_EMOJI: Record<ComparisonVerdict, string> = {
  regression: '❌',
  improvement: '✅',
  unchanged: '✅',
  'pre-existing': '⚠️',
  inconclusive: '❓',
  error: '💥',
};

function fitOf(side: SideResult, metric: MetricName): MetricFit | undefined {
  return side.fits.find((fit) => fit.metric === metric);
}

export function steadySlope(side: SideResult, metric: MetricName): SlopeFit | null {
  return fitOf(side, metric)?.steady ?? null;
}

const halfWidth = (fit: SlopeFit) => (fit.high - fit.low) / 2;

function amountWithin(value: number, half: number | null, unit: ByteUnit): string {
  return half === null
    ? formatAmount(value, unit)
    : `${formatAmount(value, unit)} ±${formatAmount(half, unit, false)}`;
}

/**
 * The metric the verdict rests on, in one unit: base, head and their difference, under load and (when the
 * settle pause ran) what each side kept after idling.
 */
export function renderDecisiveTable(report: CompareReport): string | null {
  const base = fitOf(report.base, 'heapPlusExternal');
  const head = fitOf(report.head, 'heapPlusExternal');
  if (!base?.steady || !head?.steady) return null;
  const { deltaBytesPerRequest: delta, deltaUncertainty } = report.comparison;
  const settled =
    base.retainedAfterSettle !== null && head.retainedAfterSettle !== null
      ? {
          base: base.retainedAfterSettle,
          head: head.retainedAfterSettle,
          baseHalf: base.retainedAfterSettleUncertainty,
          headHalf: head.retainedAfterSettleUncertainty,
        }
      : null;
  const magnitudes = [
    base.steady.slope,
    head.steady.slope,
    delta ?? 0,
    settled?.base ?? 0,
    settled?.head ?? 0,
  ];
  const unit = byteUnitFor(Math.max(...magnitudes.map(Math.abs)));
  const rows = [
    [
      'Under load',
      amountWithin(base.steady.slope, halfWidth(base.steady), unit),
      amountWithin(head.steady.slope, halfWidth(head.steady), unit),
      delta === null ? '—' : `**${amountWithin(delta, deltaUncertainty, unit)}**`,
    ],
  ];
  if (settled) {
    const half =
      settled.baseHalf === null || settled.headHalf === null
        ? null
        : Math.hypot(settled.baseHalf, settled.headHalf);
    rows.push([
      'Kept after settling',
      amountWithin(settled.base, settled.baseHalf, unit),
      amountWithin(settled.head, settled.headHalf, unit),
      amountWithin(settled.head - settled.base, half, unit),
    ]);
  }
  const table = markdownTable([[`${unit} retained per request`, 'Base', 'Head', 'Δ head − base'], ...rows], {
    align: ['l', 'r', 'r', 'r'],
  });
  const threshold = formatBytes(report.plan.thresholdBytesPerRequest, { signed: false });
  return `${table}\n\n<sub>Heap + external after GC. ± is the half-width of the 95 % confidence interval. A regression needs Δ above ${threshold} per request and above its ±.</sub>`;
}

function isZeroFit(fit: SlopeFit | null): boolean {
  return fit === null || [fit.slope, fit.low, fit.high].every((value) => Math.abs(value) < 1e-6);
}

/** The metrics the verdict did not rest on, one unit per row, without verdict emoji; all-zero rows are left out. */
export function renderOtherMetricsTable(report: CompareReport): string | null {
  const rows = OTHER_METRICS.flatMap((metric) => {
    const base = steadySlope(report.base, metric);
    const head = steadySlope(report.head, metric);
    if (isZeroFit(base) && isZeroFit(head)) return [];
    const isBytes = metric !== 'activeResources' && metric !== 'openFds';
    const unit = byteUnitFor(Math.max(...[base, head].map((fit) => Math.abs(fit?.high ?? 0))));
    const cell = (fit: SlopeFit | null) =>
      !fit
        ? '—'
        : isBytes
          ? formatIntervalText(fit.slope, halfWidth(fit), unit)
          : `${formatSignedCount(fit.slope)} ±${formatSignedCount(halfWidth(fit)).replace('+', '')}`;
    const delta = base && head ? head.slope - base.slope : null;
    const deltaCell =
      delta === null ? '—' : isBytes ? formatBytes(delta, { unit }) : formatSignedCount(delta);
    return [[METRIC_LABELS[metric].row, cell(base), cell(head), deltaCell]];
  });
  if (rows.length === 0) return null;
  return markdownTable([['Per request', 'Base', 'Head', 'Δ'], ...rows], { align: ['l', 'r', 'r', 'r'] });
}

function stopCell(side: SideResult): string {
  if (side.error) return `💥 ${inlineCode(side.error.code, 60)}`;
  const exit = side.exit;
  if (!exit) return '—';
  if (exit.kind === 'oom') return `💥 out of memory after ${formatInteger(exit.requestsSent)} requests`;
  if (exit.kind === 'exhausted') {
    return `💥 ran out of resources (${escapeInline(exit.errorCode, 20)}) after ${formatInteger(exit.requestsSent)} requests`;
  }
  if (exit.kind === 'watchdog') {
    return `💥 RSS ${formatBytes(exit.rssBytes, { signed: false })} over the ${formatBytes(exit.limitBytes, { signed: false })} limit`;
  }
  const how = exit.signal ? `signal ${escapeInline(exit.signal, 20)}` : `exit code ${exit.code ?? '?'}`;
  return `💥 crashed (${how}) after ${formatInteger(exit.requestsSent)} requests`;
}

/** Requests sent, failures, throughput and latency per side; how a side ended only when one stopped. */
export function renderLoadTable(report: CompareReport): string | null {
  // A side that never ran (its install or build failed) has no load: its error says why.
  const sides = [report.base, report.head].filter((side): side is MeasuredSide => side.load !== undefined);
  if (sides.every((side) => side.load.requests === 0)) return null;
  const hasStop = sides.some((side) => side.error || side.exit);
  const row = (side: MeasuredSide) => [
    side.label === 'base' ? 'Base' : 'Head',
    formatInteger(side.load.requests),
    side.traffic ? formatInteger(side.traffic.failed) : '—',
    `${formatInteger(side.load.requestsPerSecond)}/s`,
    `${formatMs(side.load.latencyP50Ms)} / ${formatMs(side.load.latencyP99Ms)}`,
    ...(hasStop ? [stopCell(side)] : []),
  ];
  const header = ['Load', 'Requests', 'Failed', 'Rate', 'p50 / p99', ...(hasStop ? ['Stopped'] : [])];
  return markdownTable([header, ...sides.map(row)], { align: ['l', 'r', 'r', 'r', 'r', 'l'] });
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
      `${escapeInline(change.kind, 20)}, ${change.direct ? 'direct' : 'transitive'}`,
    ]);
  const table = markdownTable([['Package', 'Version', 'Kind'], ...rows]);
  const hidden = ordered.length - rows.length;
  return hidden > 0 ? `${table}\n\n_…and ${formatInteger(hidden)} more._` : table;
}

/** Log tails of every side that failed or crashed, each in an inert `<pre>` block. */
export function renderLogTails(report: CompareReport): string[] {
  const logs = [report.base, report.head].flatMap((side) => {
    const logTail = sideLog(side);
    return logTail ? [{ label: side.label, logTail }] : [];
  });
  // Both sides failing the same way (a start command that names a missing file) print one log.
  const [first, second] = logs;
  if (first && second && first.logTail === second.logTail)
    return [`<b>base and head (the same)</b>\n\n${preformatted(first.logTail)}`];
  return logs.map(({ label, logTail }) => `<b>${escapeInline(label, 10)}</b>\n\n${preformatted(logTail)}`);
}

export function details(summary: string, body: string, isOpen = false): string {
  return `<details${isOpen ? ' open' : ''}>\n<summary>${summary}</summary>\n\n${body}\n\n</details>`;
}
