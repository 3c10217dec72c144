// The lines a reviewer reads first, for the comment and the terminal alike: the decisive number, what it is
// about, the revisions, one sentence of cause, the cost at production traffic and the next step.
import { stubMissLead } from '../analysis/stub-misses.js';
import { isTrafficError, trafficLead } from '../analysis/traffic.js';
import type { DependencyChange } from '../model/deps.js';
import type { CompareReport, SideResult } from '../model/report.js';
import { formatBytes, formatInteger, formatInterval } from '../model/units.js';
import { type Cost, costAtTraffic, formatPerHour, renderCostLine } from './cost.js';
import { escapeInline, inlineCode, plainText } from './escape.js';
import { foldedHead } from './heap.js';
import type { PersonRow, RetainerHop } from './heap-rows.js';
import { describeComparison, detectionLimitText } from './verdict-text.js';

/** How untrusted names enter a line: escaped markdown for the comment, control-free text for a terminal. */
export interface Inline {
  code: (text: string) => string;
  text: (text: string) => string;
}
export const markdownInline: Inline = {
  code: (text) => inlineCode(text, 100),
  text: (text) => escapeInline(text, 300),
};
export const plainInline: Inline = {
  code: (text) => plainText(text, 100),
  text: (text) => plainText(text, 300),
};

function steady(side: SideResult) {
  return side.fits.find((fit) => fit.metric === 'heapPlusExternal')?.steady ?? null;
}

/** Which sides failed and how, e.g. `base and head failed to start`. */
export function failedSides(report: CompareReport): string {
  const failed = [report.base, report.head].filter((side) => side.error || side.exit?.kind === 'crash');
  const first = failed[0];
  if (!first) return describeComparison(report);
  const names = failed.map((side) => side.label).join(' and ');
  // The first side whose requests failed, with the other side's share of the same failure.
  const trafficSide = failed.find((side) => isTrafficError(side.error?.code));
  if (trafficSide) {
    const other = [report.base, report.head].find((side) => side !== trafficSide);
    return `${trafficLeadOf(trafficSide, other)} (${trafficSide.error?.code})`;
  }
  const missSide = failed.find((side) => side.error?.code === 'UPSTREAM_MISSES');
  if (missSide) {
    const other = [report.base, report.head].find((side) => side !== missSide);
    return `${stubMissLead(missSide, other)} (UPSTREAM_MISSES)`;
  }
  if (first.error?.code === 'UPSTREAM_UNUSED')
    return `${names}: a declared upstream got no request (UPSTREAM_UNUSED)`;
  if (first.exit?.kind === 'crash') {
    const how = first.exit.signal ?? `exit code ${first.exit.code ?? '?'}`;
    return `${names} crashed (${how}) after ${formatInteger(first.exit.requestsSent)} requests`;
  }
  const message = first.error?.message ?? '';
  const stage = /failed to (install|build)/.exec(message)?.[1];
  return `${names} failed to ${stage ?? 'start'}`;
}

function trafficLeadOf(side: SideResult, other: SideResult | undefined): string {
  if (!side.traffic) return `${side.label}'s requests failed`;
  const counts = (each: SideResult | undefined) =>
    each?.traffic ? { label: each.label, traffic: each.traffic } : undefined;
  return trafficLead({ label: side.label, traffic: side.traffic }, counts(other));
}

const DEATHS = {
  oom: 'ran out of memory',
  watchdog: 'was stopped by the RSS watchdog',
  exhausted: 'ran out of file descriptors or sockets',
  crash: 'crashed',
} as const;

const hasDied = (side: SideResult) => side.exit !== null && side.exit.kind !== 'crash';

/** The number the verdict rests on, with its interval; numbers and fixed words only. */
export function decisiveText(report: CompareReport): string {
  const { comparison, head, base } = report;
  if (comparison.verdict === 'error') return `could not measure: ${failedSides(report)}`;
  // A death's numbers (how far each side got, how fast it grew) follow in the notes: the headline says who died.
  const dead = [head, base].find((side) => side.exit?.kind === 'oom') ?? [head, base].find(hasDied);
  if (dead?.exit) {
    const other = dead === head ? base : head;
    const survived = hasDied(other) ? 'and so did' : 'while';
    return `${dead.label} ${DEATHS[dead.exit.kind]} after ${formatInteger(dead.exit.requestsSent)} requests, ${survived} ${other.label}${hasDied(other) ? '' : ' survived'}`;
  }
  const delta = comparison.deltaBytesPerRequest;
  if (delta === null) return describeComparison(report);
  const { value, halfWidth } = formatInterval(delta, comparison.deltaUncertainty);
  const interval = halfWidth ? ` (${halfWidth}, 95 % CI)` : '';
  if (comparison.verdict === 'pre-existing') {
    const headSlope = steady(head)?.slope ?? Number.NaN;
    const baseSlope = steady(base)?.slope ?? Number.NaN;
    return `pre-existing leak: head retains ${formatBytes(headSlope)} per request, base ${formatBytes(baseSlope)}`;
  }
  const finding = comparison.finding;
  const tail =
    finding.rule === 'detection-limit'
      ? `: ${detectionLimitText(finding)}`
      : comparison.verdict === 'unchanged'
        ? ', below the noise: no regression'
        : '';
  return `${value} retained per request${interval}${tail}`;
}

function formatVersion(version: string | null): string {
  return version ?? '(none)';
}

export function changeText(change: DependencyChange, fmt: Inline): string {
  const kind = change.kind === 'downgrade' ? ' (downgrade)' : change.kind === 'major' ? ' (major)' : '';
  // A runtime bump is named as the runtime: `Node.js 20.15.1 → 22.12.0`, not a package called node.
  const name = change.isRuntime ? 'Node.js' : fmt.code(change.name);
  return `${name} ${fmt.text(formatVersion(change.from))} → ${fmt.text(formatVersion(change.to))}${kind}`;
}

/** The culprit first when bisection named one, else the direct bumps, else the count. */
export function subjectText(report: CompareReport, changes: DependencyChange[], fmt: Inline): string | null {
  const outcome = report.bisection?.outcome;
  const [lead] = outcome?.kind === 'culprit' ? outcome.changes : [];
  if (lead && report.bisection) {
    // The culprit's other changes are what its bump brings in (transitive), not bumps of their own.
    const bumps = report.bisection.units.filter((unit) => unit.kind === 'bump').length;
    return `${changeText(lead, fmt)}${bumps > 1 ? ` (culprit of ${bumps} bumps)` : ''}`;
  }
  if (changes.length === 0) return null;
  return changesText(changes, fmt);
}

/**
 * The direct bumps by name and count, the lockfile-only moves they bring as one count:
 * `next 12.1.0 → 12.1.6 (+16 transitive)`, `next … and 2 more (+16 transitive)`.
 */
function changesText(changes: DependencyChange[], fmt: Inline): string {
  const direct = changes.filter((change) => change.direct);
  const [first] = direct.length > 0 ? direct : changes;
  if (!first) return '';
  if (direct.length === 0) {
    const others = changes.length - 1;
    return `${changeText(first, fmt)}${others > 0 ? ` and ${formatInteger(others)} more` : ''}, all transitive`;
  }
  const more = direct.length > 1 ? ` and ${formatInteger(direct.length - 1)} more` : '';
  const transitive = changes.length - direct.length;
  return `${changeText(first, fmt)}${more}${transitive > 0 ? ` (+${formatInteger(transitive)} transitive)` : ''}`;
}

export function revisionsText(report: CompareReport, fmt: Inline): string | null {
  const revisions = report.pr ?? report.revisions;
  if (!revisions) return null;
  return `base ${fmt.code(revisions.baseSha.slice(0, 7))} → head ${fmt.code(revisions.headSha.slice(0, 7))}`;
}

const COLLECTION = /^(Map|Set|WeakMap|WeakSet|Array|Object)$/;

/**
 * The hop that holds the growth. A named collection in a module (`Map (defaultsByInstance)` in a file) is where
 * objects pile up, on whichever shown row's path it appears: paths are cut to their last hops, so the largest
 * row's may not reach it. Else where the largest row's path enters a package, else its last hop with a file.
 */
export function holderHop(rows: PersonRow[]): RetainerHop | null {
  const hops = rows.flatMap((row) => row.path.filter((hop) => hop.name !== '…'));
  const collection = hops.find((hop) => COLLECTION.test(hop.name) && hop.edge !== null && hop.file !== null);
  const top = rows[0]?.path.filter((hop) => hop.name !== '…') ?? [];
  return (
    collection ??
    top.find((hop) => hop.file?.startsWith('node_modules/')) ??
    top.findLast((hop) => hop.file !== null) ??
    top[top.length - 1] ??
    null
  );
}

function packageOfHop(hop: RetainerHop): string {
  const match = /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(hop.file ?? '');
  return match?.[1] ?? (hop.file ? hop.file : 'your app');
}

function formatCount(value: number): string {
  return value >= 10 ? formatInteger(value) : String(Number(value.toPrecision(2)));
}

/** `13 wrap() and 17 Object from axios`: the largest rows a holder keeps, each owner named once. */
function heldObjects(rows: PersonRow[], fmt: Inline): string {
  const owners = new Set(rows.map((row) => row.owner));
  const [onlyOwner] = owners;
  const named = rows.map((row) => {
    const owner = owners.size > 1 ? ` (${fmt.text(row.owner)})` : '';
    return `${formatCount(row.objectsPerRequest)} ${fmt.code(row.name)}${owner}`;
  });
  const list = named.length > 1 ? `${named.slice(0, -1).join(', ')} and ${named.at(-1)}` : (named[0] ?? '');
  const from = onlyOwner === 'app' ? 'of your app' : `from ${fmt.text(onlyOwner ?? '')}`;
  return owners.size === 1 ? `${list} ${from}` : list;
}

function describeHop(hop: RetainerHop, fmt: Inline): string {
  const edge = hop.edge ? ` (${fmt.code(hop.edge)})` : '';
  return `${fmt.code(hop.name)}${edge} in ${fmt.text(packageOfHop(hop))}`;
}

/** `Map (defaultsByInstance) in contentful-sdk-core`: what holds the largest growing row. */
export function holderText(report: CompareReport, fmt: Inline): string | null {
  const holder = holderHop(foldedHead(report)?.rows ?? []);
  return holder ? describeHop(holder, fmt) : null;
}

/** `Map (defaultsByInstance) in contentful-sdk-core keeps 13 wrap(), 17 Object and 4 Array from axios per request.` */
export function causeText(report: CompareReport, fmt: Inline): string | null {
  if (report.comparison.verdict === 'error') return null;
  const rows = foldedHead(report)?.rows ?? [];
  const [top] = rows;
  if (!top) return null;
  const holder = holderHop(rows);
  const objects = heldObjects(rows.slice(0, 3), fmt);
  if (!holder) return `${objects} accumulate per request.`;
  return `${describeHop(holder, fmt)} keeps ${objects} per request.`;
}

function lastHeapUsed(side: SideResult): number | null {
  const measured = side.samples.filter((sample) => sample.phase === 'measure');
  return measured[measured.length - 1]?.heapUsedBytes ?? null;
}

/** The cost of the growth the verdict is about; null when there is none to price. */
export function verdictCost(report: CompareReport): Cost | null {
  const { comparison, plan } = report;
  const growth =
    comparison.verdict === 'regression'
      ? comparison.deltaBytesPerRequest
      : comparison.verdict === 'improvement'
        ? comparison.deltaBytesPerRequest === null
          ? null
          : -comparison.deltaBytesPerRequest
        : comparison.verdict === 'pre-existing'
          ? (steady(report.head)?.slope ?? null)
          : null;
  if (growth === null || growth <= 0) return null;
  return costAtTraffic({
    bytesPerRequest: growth,
    productionRps: plan.productionRps ?? null,
    heapCapMb: plan.heapCapMb,
    heapInUseBytes: lastHeapUsed(report.head),
  });
}

export function costText(report: CompareReport, fmt: Inline): string | null {
  const cost = verdictCost(report);
  if (!cost) return null;
  const hint = cost.isPerOneRequestPerSecond ? ` (set ${fmt.code('production-rps')} for your traffic)` : '';
  if (report.comparison.verdict === 'improvement') return `Saves ≈ ${formatPerHour(cost)}${hint}.`;
  return `${renderCostLine(cost)}${hint}.`;
}
