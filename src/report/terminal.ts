// The CLI's result: the verdict line first (coloured on a TTY), then cause, cost and next step, then the
// evidence. Same formatters and sentences as the comment, plain text, every line within 100 columns.
import type { BisectionResult } from '../model/bisect.js';
import type { DependencyChange } from '../model/deps.js';
import type {
  CompareReport,
  MeasuredSide,
  MeasureReport,
  MetricName,
  SideResult,
  SlopeFit,
} from '../model/report.js';
import {
  byteUnitFor,
  formatAmount,
  formatInteger,
  formatIntervalText,
  formatMs,
  formatSignedCount,
} from '../model/units.js';
import { adaptiveNotes } from './adaptive.js';
import { bisectionPlainLines, bisectionPlainRows, bisectionSummary } from './bisect.js';
import { plainText } from './escape.js';
import {
  causeText,
  costText,
  decisiveText,
  failedSides,
  plainInline,
  revisionsText,
  subjectText,
} from './headline.js';
import { foldedHead, splitTrunk } from './heap.js';
import type { RetainerHop } from './heap-rows.js';
import { METRIC_LABELS, OTHER_METRICS } from './metric-labels.js';
import { firstErrorLine, nextStepText, sideLog } from './next-step.js';
import { describeBaseCache } from './settings-table.js';
import { formatColumns, type Paint, painter, wrapText } from './text-layout.js';
import { trafficTextLines } from './traffic.js';

export interface TerminalOptions {
  /** ANSI colours: on a TTY unless NO_COLOR is set; the entry decides. */
  isColor?: boolean;
}

const VERDICT_WORDS = {
  regression: ['FAIL', 'red'],
  improvement: ['PASS', 'green'],
  unchanged: ['PASS', 'green'],
  'pre-existing': ['WARN', 'yellow'],
  inconclusive: ['INCONCLUSIVE', 'red'],
  error: ['ERROR', 'red'],
} as const;

function verdictLine(report: CompareReport, paint: Paint): string[] {
  const [word, colour] = VERDICT_WORDS[report.comparison.verdict];
  const subject = subjectText(report, report.dependencyChanges ?? [], plainInline);
  const text = `${decisiveText(report)}${subject ? ` · ${subject}` : ''}`;
  const lines = wrapText(text, { first: `${word} `, rest: '     ' });
  return [paint(colour, paint('bold', lines[0] ?? '')), ...lines.slice(1)];
}

function labelled(label: string, text: string | null): string[] {
  return text ? wrapText(text, { first: `  ${label.padEnd(8)}` }) : [];
}

function keyLines(report: CompareReport): string[] {
  const changes = report.dependencyChanges ?? [];
  const next = nextStepText(report, changes, plainInline);
  if (report.comparison.verdict === 'error') {
    const failed = [report.head, report.base].find((side) => sideLog(side) !== undefined);
    const line = failed ? firstErrorLine(sideLog(failed)) : null;
    const cause = `${failedSides(report)}${line ? `: ${plainText(line, 300)} (${failed?.label} log)` : ''}`;
    return [...labelled('cause', cause), ...labelled('fix', next)];
  }
  return [
    ...(report.bisection
      ? labelled('culprit', bisectionPlainLines(report.bisection).culprit.replace(/^Culprit: /, ''))
      : []),
    ...(report.bisection
      ? labelled('remedy', bisectionPlainLines(report.bisection).remedy?.replace(/^Remedy: /, '') ?? null)
      : []),
    ...labelled('cause', causeText(report, plainInline)),
    ...labelled('cost', costText(report, plainInline)),
    ...labelled('next', next),
  ];
}

const halfWidth = (fit: SlopeFit) => (fit.high - fit.low) / 2;
const steadyOf = (side: SideResult, metric: MetricName) =>
  side.fits.find((fit) => fit.metric === metric)?.steady ?? null;

function decisiveTable(report: CompareReport): string[] {
  const base = steadyOf(report.base, 'heapPlusExternal');
  const head = steadyOf(report.head, 'heapPlusExternal');
  if (!base || !head) return [];
  const { deltaBytesPerRequest: delta, deltaUncertainty } = report.comparison;
  const unit = byteUnitFor(Math.max(Math.abs(base.slope), Math.abs(head.slope), Math.abs(delta ?? 0)));
  const cell = (value: number, half: number | null) =>
    `${formatAmount(value, unit)}${half === null ? '' : ` ±${formatAmount(half, unit, false)}`}`;
  const rows = [
    [`${unit} retained per request (± = 95 % CI)`, 'base', 'head', 'Δ head − base'],
    [
      'under load',
      cell(base.slope, halfWidth(base)),
      cell(head.slope, halfWidth(head)),
      delta === null ? '—' : cell(delta, deltaUncertainty),
    ],
  ];
  const [baseFit, headFit] = [report.base, report.head].map((side) =>
    side.fits.find((fit) => fit.metric === 'heapPlusExternal'),
  );
  const baseKept = baseFit?.retainedAfterSettle ?? null;
  const headKept = headFit?.retainedAfterSettle ?? null;
  if (baseKept !== null && headKept !== null) {
    const baseHalf = baseFit?.retainedAfterSettleUncertainty ?? null;
    const headHalf = headFit?.retainedAfterSettleUncertainty ?? null;
    const half = baseHalf === null || headHalf === null ? null : Math.hypot(baseHalf, headHalf);
    rows.push([
      'kept after settling',
      cell(baseKept, baseHalf),
      cell(headKept, headHalf),
      cell(headKept - baseKept, half),
    ]);
  }
  return formatColumns(rows, ['l', 'r', 'r', 'r'], '');
}

function otherMetrics(report: CompareReport): string[] {
  const rows = OTHER_METRICS.flatMap((metric) => {
    const label = METRIC_LABELS[metric].short;
    const fits = [steadyOf(report.base, metric), steadyOf(report.head, metric)];
    if (fits.every((fit) => !fit || [fit.slope, fit.low, fit.high].every((value) => Math.abs(value) < 1e-6)))
      return [];
    const unit = byteUnitFor(Math.max(...fits.map((fit) => Math.abs(fit?.high ?? 0))));
    return [
      [
        label,
        ...fits.map((fit) =>
          !fit
            ? '—'
            : metric === 'activeResources' || metric === 'openFds'
              ? formatSignedCount(fit.slope)
              : formatIntervalText(fit.slope, halfWidth(fit), unit),
        ),
      ],
    ];
  });
  return rows.length === 0
    ? []
    : formatColumns([['other metrics per request', 'base', 'head'], ...rows], ['l', 'r', 'r'], '');
}

function loadLines(report: CompareReport): string[] {
  // A side that never ran (its install or build failed) has no load to show: its error says why.
  const sides = [report.base, report.head].filter(
    (side): side is MeasuredSide => side.load !== undefined && side.load.requests > 0,
  );
  if (sides.length === 0) return [];
  const rows = sides.map((side) => [
    side.label,
    formatInteger(side.load.requests),
    side.traffic ? formatInteger(side.traffic.failed) : '—',
    `${formatInteger(side.load.requestsPerSecond)}/s`,
    `${formatMs(side.load.latencyP50Ms)} / ${formatMs(side.load.latencyP99Ms)}`,
  ]);
  const header = ['load', 'requests', 'failed', 'rate', 'p50 / p99'];
  return formatColumns([header, ...rows], ['l', 'r', 'r', 'r', 'r'], '');
}

function hopText(hop: RetainerHop): string {
  const edge = hop.edge ? ` (${plainText(hop.edge, 60)})` : '';
  return `${plainText(hop.name, 60)}${edge}${hop.file ? ` in ${plainText(hop.file, 200)}` : ''}`;
}

function heapLines(report: CompareReport): string[] {
  const folded = foldedHead(report);
  if (!folded || folded.rows.length === 0) return [];
  const unit = byteUnitFor(Math.max(...folded.rows.map((row) => row.bytesPerRequest)));
  const table = formatColumns(
    folded.rows.map((row) => [
      plainText(row.name, 30),
      `${plainText(row.owner, 40)}${row.isOwnerBumped ? ' (bumped)' : ''}`,
      formatSignedCount(row.objectsPerRequest),
      `${formatAmount(row.bytesPerRequest, unit)} ${unit}`,
    ]),
    ['l', 'l', 'r', 'r'],
  );
  const shown = folded.rows.filter((row) => row.path.length > 0);
  const { trunk, tails } = splitTrunk(shown);
  const trunkLines = trunk.flatMap((hop, index) =>
    wrapText(hopText(hop), { first: `  ${index + 1}. `, rest: '       ' }),
  );
  const tailLines = shown.flatMap((row, index) => {
    const tail = (tails[index] ?? []).map(hopText).join(' → ');
    return wrapText(`${plainText(row.name, 30)}${tail ? `: → ${tail}` : ''}`, {
      first: '     - ',
      rest: '       ',
    });
  });
  const held = ['held by (from the GC root; shared hops once):', ...trunkLines, ...tailLines];
  return [
    'what grows at head, per request (V8 internals folded into their holder):',
    ...table,
    ...(shown.length > 0 ? held : []),
  ];
}

function bisectionLines(bisection: BisectionResult | undefined): string[] {
  if (!bisection) return [];
  const [header, ...rows] = bisectionPlainRows(bisection);
  const steps = rows.map(([packages = '', ...rest]) => [`base + ${plainText(packages, 60)}`, ...rest]);
  const notBisected = bisection.notBisected.length
    ? wrapText(`not bisected (lockfile-only removals): ${plainText(bisection.notBisected.join(', '), 300)}`, {
        first: '  ',
      })
    : [];
  return [
    bisectionSummary(bisection),
    ...(rows.length > 0 && header
      ? formatColumns([header.map((cell) => cell.toLowerCase()), ...steps], ['l', 'r', 'r', 'l'])
      : []),
    ...notBisected,
  ];
}

function logTail(report: CompareReport): string[] {
  if (report.comparison.verdict !== 'error') return [];
  return [report.base, report.head].flatMap((side) => {
    const log = sideLog(side);
    if (!log) return [];
    const lines = log
      .split('\n')
      .slice(-12)
      .map((line) => plainText(line, 300));
    return [`${side.label} log (last lines):`, ...lines.flatMap((line) => wrapText(line, { first: '  ' }))];
  });
}

/** Transitive changes listed in full up to this many: a lockfile format change moves hundreds. */
const transitiveShown = 20;

export function renderDependencyText(changes: DependencyChange[]): string {
  if (changes.length === 0) return 'changed packages: none';
  const transitive = changes.filter((change) => !change.direct);
  const listed =
    transitive.length > transitiveShown
      ? [...changes.filter((change) => change.direct), ...transitive.slice(0, transitiveShown)]
      : changes;
  const rows = listed.map((change) => [
    plainText(change.name, 60),
    `${plainText(change.from ?? '(none)', 30)} → ${plainText(change.to ?? '(removed)', 30)}`,
    `${change.kind}, ${change.direct ? 'direct' : 'transitive'}`,
  ]);
  const hidden = changes.length - listed.length;
  const more =
    hidden > 0 ? [`  … and ${hidden} more transitive changes (all of them in --report's JSON)`] : [];
  return ['changed packages:', ...formatColumns(rows, ['l', 'l', 'l']), ...more].join('\n');
}

/** The verdict block and the evidence; `renderDependencyText` is printed before it by compare --base/--head. */
export function renderCompareText(report: CompareReport, options: TerminalOptions = {}): string {
  const paint = painter(options.isColor ?? false);
  const revisions = revisionsText(report, plainInline);
  const head = [...verdictLine(report, paint), ...(revisions ? [`  ${revisions}`] : []), ...keyLines(report)];
  // An error has no numbers to show: the cause, the fix and the log say it all.
  const traffic = trafficTextLines([report.base, report.head]);
  const evidence =
    report.comparison.verdict === 'error'
      ? [traffic, logTail(report)]
      : [decisiveTable(report), otherMetrics(report), loadLines(report), traffic, heapLines(report)];
  const cache = report.baseCache ? wrapText(plainText(describeBaseCache(report.baseCache), 600)) : [];
  const notes = adaptiveNotes(report).flatMap((note) => wrapText(plainText(note, 600)));
  const blocks = [head, notes, ...evidence, bisectionLines(report.bisection), cache];
  return blocks
    .filter((block) => block.length > 0)
    .map((block) => block.join('\n'))
    .join('\n\n');
}

export function renderMeasureText(report: MeasureReport, options: TerminalOptions = {}): string {
  const paint = painter(options.isColor ?? false);
  const { app } = report;
  const fit = steadyOf(app, 'heapPlusExternal');
  const isLeak = app.verdict === 'leak' || app.verdict === 'crashed' || app.verdict === 'error';
  const slope = fit
    ? `${formatIntervalText(fit.slope, halfWidth(fit))} retained per request (95 % CI)`
    : 'no slope';
  const verdict = paint(isLeak ? 'red' : 'green', paint('bold', `${app.verdict.toUpperCase()} ${slope}`));
  const detail = app.error
    ? labelled(
        'cause',
        `${app.error.message} (${app.error.code})${app.error.hint ? `; ${app.error.hint}` : ''}`,
      )
    : labelled(
        'load',
        `${formatInteger(app.load.requests)} requests, ${formatInteger(app.traffic?.failed ?? 0)} failed, ${formatInteger(app.load.requestsPerSecond)}/s, p99 ${formatMs(app.load.latencyP99Ms)}`,
      );
  return [verdict, ...detail, ...trafficTextLines([app])].join('\n');
}
