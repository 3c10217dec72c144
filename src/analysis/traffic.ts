// Decides whether the traffic behind a measurement can carry a verdict: memory measured on error pages, refused
// connections, or on a head that answers differently from base, is no comparison of the change.
import type { TrafficCounts } from '../model/report.js';

export interface TrafficSide {
  label: string;
  traffic: TrafficCounts;
  /** False for a side that crashed or never started: its own verdict stands, and no other is compared to it. */
  isMeasured?: boolean;
}

export interface TrafficProblem {
  label: string;
  /** `REQUESTS_FAILED`: a side failed more than the allowed share; `FAILURES_DIFFER`: head and base differ clearly. */
  code: 'REQUESTS_FAILED' | 'FAILURES_DIFFER';
  message: string;
  hint: string;
}

export const isTrafficError = (code: string | undefined) =>
  code === 'REQUESTS_FAILED' || code === 'FAILURES_DIFFER';

/** Below this z-score a difference in failure shares may be chance (a few hundred warm-up requests). */
const minDifferenceZ = 3;

export function failedShare(traffic: TrafficCounts): number {
  return traffic.requests > 0 ? traffic.failed / traffic.requests : 0;
}

/**
 * A side whose failed share exceeds `maxFailedShare` is a problem; so is, when both stay within it, a side that
 * fails more than the other by over half of it, beyond chance. Returns one problem per side at fault.
 */
export function checkTraffic(allSides: readonly TrafficSide[], maxFailedShare: number): TrafficProblem[] {
  const sides = allSides.filter((side) => side.isMeasured !== false);
  const failing = sides.filter((side) => failedShare(side.traffic) > maxFailedShare);
  const problem = (side: TrafficSide, code: TrafficProblem['code']): TrafficProblem => {
    const other = sides.find((candidate) => candidate !== side);
    return {
      label: side.label,
      code,
      message: describeFailures(side, other),
      hint: code === 'REQUESTS_FAILED' ? failingHint(maxFailedShare) : differingHint(side.label),
    };
  };
  if (failing.length > 0) return failing.map((side) => problem(side, 'REQUESTS_FAILED'));
  const [first, second] = sides;
  if (allSides.length !== 2 || !first || !second) return [];
  const [worse, better] =
    failedShare(first.traffic) >= failedShare(second.traffic) ? [first, second] : [second, first];
  const isClear = differsClearly(
    { failed: worse.traffic.failed, total: worse.traffic.requests },
    { failed: better.traffic.failed, total: better.traffic.requests },
    maxFailedShare,
  );
  return isClear ? [problem(worse, 'FAILURES_DIFFER')] : [];
}

/**
 * True when `worse` fails more than `better` by over half the allowed share, beyond chance (a two-proportion
 * z-score over `minDifferenceZ`).
 */
export function differsClearly(
  worse: { failed: number; total: number },
  better: { failed: number; total: number },
  maxFailedShare: number,
): boolean {
  const share = (counts: { failed: number; total: number }) =>
    counts.total > 0 ? counts.failed / counts.total : 0;
  const pooled = (worse.failed + better.failed) / Math.max(worse.total + better.total, 1);
  const spread = Math.sqrt(
    pooled * (1 - pooled) * (1 / Math.max(worse.total, 1) + 1 / Math.max(better.total, 1)),
  );
  const difference = share(worse) - share(better);
  return difference > maxFailedShare / 2 && spread > 0 && difference / spread > minDifferenceZ;
}

/**
 * What most of a side's failures are (one status, connection errors or timeouts): a verb ending in the
 * preposition the other side's share takes, and how to count it on any side.
 */
function topFailure(traffic: TrafficCounts): { verb: string; count: (counts: TrafficCounts) => number } {
  const [status, statusCount = 0] =
    Object.entries(traffic.failedStatuses).sort((a, b) => b[1] - a[1])[0] ?? [];
  if (status !== undefined && statusCount >= Math.max(traffic.connectionErrors, traffic.timeouts)) {
    return { verb: `answers ${status} to`, count: (counts) => counts.failedStatuses[status] ?? 0 };
  }
  if (traffic.timeouts > traffic.connectionErrors) {
    return { verb: 'times out on', count: (counts) => counts.timeouts };
  }
  return { verb: 'drops or refuses the connection on', count: (counts) => counts.connectionErrors };
}

/** `head answers 500 to 40 % of requests, base to 0 %`: a side's most common failure against the other side's. */
export function trafficLead(side: TrafficSide, other: TrafficSide | undefined): string {
  const top = topFailure(side.traffic);
  const share = (counts: TrafficCounts) =>
    formatShare(counts.requests > 0 ? top.count(counts) / counts.requests : 0);
  return (
    `${side.label} ${top.verb} ${share(side.traffic)} of requests` +
    (other ? `, ${other.label} ${top.verb.split(' ').at(-1)} ${share(other.traffic)}` : '')
  );
}

function describeFailures(side: TrafficSide, other: TrafficSide | undefined): string {
  const { traffic } = side;
  const lead = trafficLead(side, other);
  const statuses = Object.entries(traffic.statuses)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([status, count]) => `${status} ×${formatCount(count)}`);
  const errors = [
    traffic.connectionErrors > 0 ? `connection errors ×${formatCount(traffic.connectionErrors)}` : '',
    traffic.timeouts > 0 ? `timeouts ×${formatCount(traffic.timeouts)}` : '',
  ].filter(Boolean);
  const failure = traffic.firstFailure;
  const first = failure
    ? `; first failure: ${failure.method} ${failure.path} answered ${failure.status}: ${JSON.stringify(failure.bodyStart.replace(/\s+/g, ' ').trim())}`
    : traffic.firstError
      ? `; first error: ${traffic.firstError}`
      : '';
  return (
    `${lead} (${formatCount(traffic.failed)} of ${formatCount(traffic.requests)} failed; ` +
    `${[...statuses, ...errors].join(', ')})${first}`
  );
}

function failingHint(maxFailedShare: number): string {
  return (
    'Measure routes that work: set `ready-path` and the scenario to pages your app serves, or write a scenario ' +
    'for its routes (docs/scenarios.md). A request that answers 404 or 302 on purpose can declare `expectStatus`. ' +
    `\`max-failed-share\` (now ${formatShare(maxFailedShare)}) sets how many failures a side may have.`
  );
}

function differingHint(label: string): string {
  return (
    `Base and head answer the same requests differently, so their memory is not measured on the same pages: ` +
    `check ${label}'s app log and the first failure above. If the change is meant to alter these routes, point ` +
    'the scenario at routes both serve.'
  );
}

export function formatShare(share: number): string {
  const percent = share * 100;
  return `${percent >= 10 ? Math.round(percent) : Number(percent.toFixed(1))} %`;
}

export function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}
