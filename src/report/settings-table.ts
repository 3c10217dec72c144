// The settings both sides shared, the versions and the runner. When nothing ran, only the configuration is
// shown: a warm-up or round count that never happened must not read as if it had.
import { markdownTable } from 'markdown-table';
import type { BaseCacheUse, CompareReport } from '../model/report.js';
import { formatBytes, formatDurationMs, formatInteger } from '../model/units.js';
import { escapeInline, inlineCode } from './escape.js';

export function hasLoadRun(report: CompareReport): boolean {
  return (report.base.load?.requests ?? 0) > 0 || (report.head.load?.requests ?? 0) > 0;
}

function scheduleRows(report: CompareReport): [string, string][] {
  const { plan, schedule } = report;
  if (!schedule || !hasLoadRun(report)) {
    return [
      ['Warm-up', `${formatInteger(plan.warmupRequests)} requests planned, not run`],
      [
        'Rounds',
        `${formatInteger(plan.rounds)} × ${formatInteger(plan.requestsPerRound)} requests planned, not run`,
      ],
    ];
  }
  return [
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
    ['Started', escapeInline(report.startedAt, 40)],
    ['Duration', formatDurationMs(report.durationMs)],
  ];
}

export function renderSettingsTable(report: CompareReport): string {
  const { plan, environment } = report;
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
    ['Heap cap', `${formatInteger(plan.heapCapMb)} MiB`],
    ['RSS limit', `${formatInteger(plan.rssLimitMb)} MiB`],
    ['Connections', formatInteger(plan.connections)],
    ...scheduleRows(report),
    [
      'Request rate',
      plan.ratePerSecond === null ? 'as fast as served' : `${formatInteger(plan.ratePerSecond)} req/s`,
    ],
    [
      'Settle',
      plan.settleMs > 0 ? `${formatDurationMs(plan.settleMs)} idle before and after the rounds` : 'off',
    ],
    ['Threshold', `${formatBytes(plan.thresholdBytesPerRequest, { signed: false })} per request`],
    [
      'Production traffic',
      plan.productionRps
        ? `${formatInteger(plan.productionRps)} req/s (prices the cost)`
        : 'not set: cost per 1 req/s',
    ],
    ['Seed', formatInteger(plan.seed)],
    ['leakwatch', escapeInline(environment.leakwatchVersion, 40)],
    ['Node.js', nodeVersions(report)],
    ['Runner', `${escapeInline(environment.platform, 40)}, ${formatInteger(environment.cpus)} CPUs`],
    ['Isolation', escapeInline(environment.isolation ?? 'not recorded', 200)],
  ];
  return markdownTable([['Setting', 'Value'], ...rows]);
}

/** One line: whether base came from the cache, so a fast run is never a mystery. */
export function describeBaseCache(cache: BaseCacheUse): string {
  const what =
    cache.status === 'hit'
      ? `hit: base's install and build skipped, restored in ${(cache.durationMs / 1000).toFixed(1)} s`
      : cache.status === 'rebuilt'
        ? 'corrupt entry discarded, base installed and built'
        : 'miss: base installed and built';
  return `base cache (${cache.store}): ${what}${cache.note ? ` (${cache.note})` : ''}; key ${cache.key}`;
}

/** leakwatch's Node.js, then each app's where its probe reported one (a runtime bump runs each on its own). */
function nodeVersions(report: CompareReport): string {
  const apps = [report.base, report.head]
    .filter((side) => side.nodeVersion)
    .map((side) => `${side.label} app ${escapeInline(side.nodeVersion ?? '', 40)}`);
  const own = escapeInline(report.environment.nodeVersion, 40);
  return apps.length > 0 ? `${own} (leakwatch); ${apps.join(', ')}` : own;
}
