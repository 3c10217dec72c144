// The sentences of a verdict, written from the rule that decided it and its numbers (model/verdict.ts): the
// analysis only decides, so the comment, the terminal, the check run and the log all say it the same way.

import { detectionLimitFactor } from '../analysis/slope-rules.js';
import type { AppExit, CompareReport, DeathFacts, SideResult } from '../model/report.js';
import { formatBytes, formatInteger } from '../model/units.js';
import type { SlopeNumbers, VerdictFinding } from '../model/verdict.js';

type Compared = Pick<CompareReport, 'base' | 'head' | 'comparison'>;

/** One sentence: why the comparison reached its verdict. */
export function describeComparison(report: Compared): string {
  const finding = report.comparison.finding;
  switch (finding.rule) {
    case 'side-error':
      return `${finding.side} could not be measured: ${finding.message}`;
    case 'side-crashed':
      return `${finding.side} crashed (${finding.signal ?? `code ${finding.code}`}) after ${finding.requestsSent} requests`;
    case 'one-side-died':
    case 'both-died':
      return describeDeaths(report);
    case 'too-few-samples':
      return 'too few samples to fit a slope; raise the number of rounds';
    case 'held-by-timers':
      return `${describeSettled(finding)}: held by timers, not leaked`;
    case 'kept-after-settling':
      return describeSettled(finding);
    case 'leak-at-both':
      return `${describeSlopes(finding)}: the leak exists at base too`;
    case 'detection-limit':
      return `${describeSlopes(finding)}; ${detectionLimitText(finding)}`;
    default:
      return describeSlopes(finding);
  }
}

/** `this run could only see leaks above ~690 B/request (threshold 8 B)`. */
export function detectionLimitText(finding: Extract<VerdictFinding, { rule: 'detection-limit' }>): string {
  const limit = formatBytes(roundToTwoDigits(finding.detectableBytesPerRequest), { signed: false });
  const threshold = formatBytes(finding.thresholdBytesPerRequest, { signed: false });
  return `this run could only see leaks above ~${limit}/request (threshold ${threshold})`;
}

/** What to change so the next run can decide; null for verdicts that need no hint. */
export function inconclusiveHint(finding: VerdictFinding): string | null {
  if (finding.rule === 'detection-limit') {
    const accepted = formatBytes(Math.ceil(finding.detectableBytesPerRequest / detectionLimitFactor), {
      signed: false,
    });
    return (
      `The 95 % interval of the difference is far wider than the threshold, so a leak could hide in it. Raise ` +
      '`time-budget-ms` (more requests narrow the interval), or set `threshold` to at least ' +
      `${accepted} if smaller leaks do not matter to you.`
    );
  }
  if (finding.rule === 'one-side-died' || finding.rule === 'both-died') {
    return (
      'A side died and neither how soon nor how fast the sides grew told them apart. Raise `heap-cap-mb`, or ' +
      'set a lower `rate` (requests/s) so that the sides live long enough to compare.'
    );
  }
  return null;
}

function describeSlopes(numbers: SlopeNumbers): string {
  return `head retains ${formatBytes(numbers.headSlopeBytesPerRequest)} per request (base ${formatBytes(numbers.baseSlopeBytesPerRequest)})`;
}

function describeSettled(
  finding: Extract<VerdictFinding, { rule: 'held-by-timers' | 'kept-after-settling' }>,
) {
  return `${describeSlopes(finding)}; after settling head keeps ${formatBytes(finding.retainedDeltaBytesPerRequest)} per request more than base`;
}

function describeDeaths(report: Compared): string {
  const deaths = report.comparison.deaths;
  if (!deaths) return report.comparison.verdict;
  return `head ${describeFacts(report.head, deaths.head)}; base ${describeFacts(report.base, deaths.base)}`;
}

function describeFacts(side: SideResult, facts: DeathFacts): string {
  const how = facts.isDead ? `${describeDeath(side.exit)} after` : 'survived';
  const slope =
    facts.slopeBytesPerRequest === null
      ? ''
      : `, growing ${formatBytes(facts.slopeBytesPerRequest, { signed: false })}/request`;
  const perRequest = (value: number | null, unit: string) =>
    value && value > 0.01 ? `, ${value.toFixed(2)} ${unit}/request` : '';
  const counts = perRequest(facts.fdsPerRequest, 'fds') + perRequest(facts.handlesPerRequest, 'handles');
  return `${how} ${formatInteger(facts.requestsSent)} requests (${(facts.elapsedMs / 1000).toFixed(0)} s)${slope}${counts}`;
}

function describeDeath(exit: AppExit | null): string {
  if (!exit) return 'running';
  if (exit.kind === 'oom') return 'ran out of heap';
  if (exit.kind === 'watchdog') return 'stopped by the RSS watchdog';
  if (exit.kind === 'exhausted') return `ran out of resources (${exit.errorCode})`;
  return 'crashed';
}

/** 685 → 690: a limit read off a wide interval is not worth more digits. */
function roundToTwoDigits(value: number): number {
  if (value <= 0) return value;
  const scale = 10 ** (Math.floor(Math.log10(value)) - 1);
  return Math.round(value / scale) * scale;
}
