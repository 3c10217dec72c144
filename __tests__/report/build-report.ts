// Builds CompareReports shaped like the engine's, with samples that grow at a chosen bytes-per-request rate.

import type { DependencyChange } from '../../src/model/deps.js';
import type {
  CompareReport,
  ComparisonVerdict,
  MemorySample,
  MetricFit,
  SideResult,
  SideVerdict,
  TrafficCounts,
} from '../../src/model/report.js';
import type { VerdictFinding } from '../../src/model/verdict.js';

interface SideSpec {
  slopeBytes: number;
  verdict?: SideVerdict;
  exit?: SideResult['exit'];
  error?: SideResult['error'];
  sampleCount?: number;
  traffic?: TrafficCounts;
}

/** `requests` requests to one template, every one answered 200. */
export function allAnswered(requests = 15_000): TrafficCounts {
  return {
    requests,
    statuses: { 200: requests },
    statusClasses: { '2xx': requests },
    failedStatuses: {},
    connectionErrors: 0,
    timeouts: 0,
    failed: 0,
    templates: [
      {
        method: 'GET',
        path: '/',
        sent: requests,
        answered: requests,
        statuses: { 200: requests },
        connectionErrors: 0,
        timeouts: 0,
        failed: 0,
      },
    ],
    firstFailure: null,
    firstError: null,
  };
}

function samples(slopeBytes: number, count: number): MemorySample[] {
  return Array.from({ length: count }, (_, index) => {
    const requestsSent = 5000 + index * 500;
    return {
      requestsSent,
      requestsSeen: requestsSent,
      elapsedMs: index * 200,
      phase: 'measure',
      heapUsedBytes: 30 * 1024 * 1024 + slopeBytes * requestsSent,
      externalBytes: 2 * 1024 * 1024,
      arrayBuffersBytes: 100_000,
      rssBytes: 90 * 1024 * 1024 + slopeBytes * requestsSent,
      v8UsedHeapBytes: 30 * 1024 * 1024,
      activeResources: { TCPSocketWrap: 10 },
      processCount: 1,
    };
  });
}

function fits(slopeBytes: number, verdict: SideVerdict): MetricFit[] {
  const leakish = verdict === 'leak' ? 'leak' : 'flat';
  const slopeFit = (slope: number) => ({
    slope,
    low: slope - Math.abs(slope) * 0.05 - 1,
    high: slope + Math.abs(slope) * 0.05 + 1,
    points: 20,
  });
  return [
    {
      metric: 'heapPlusExternal',
      whole: slopeFit(slopeBytes),
      early: slopeFit(slopeBytes),
      steady: slopeFit(slopeBytes),
      retainedAfterSettle: null,
      retainedAfterSettleUncertainty: null,
      verdict: leakish,
    },
    {
      metric: 'arrayBuffers',
      whole: slopeFit(0.5),
      early: slopeFit(0.5),
      steady: slopeFit(0.5),
      retainedAfterSettle: null,
      retainedAfterSettleUncertainty: null,
      verdict: 'flat',
    },
    {
      metric: 'rss',
      whole: slopeFit(slopeBytes * 1.2),
      early: slopeFit(slopeBytes * 1.2),
      steady: slopeFit(slopeBytes * 1.2),
      retainedAfterSettle: null,
      retainedAfterSettleUncertainty: null,
      verdict: leakish,
    },
    {
      // As measured on a server that opens no handles per request: zero, with a zero interval.
      metric: 'activeResources',
      whole: { slope: 0, low: 0, high: 0, points: 20 },
      early: { slope: 0, low: 0, high: 0, points: 20 },
      steady: { slope: 0, low: 0, high: 0, points: 20 },
      retainedAfterSettle: null,
      retainedAfterSettleUncertainty: null,
      verdict: 'flat',
    },
  ];
}

function side(label: 'base' | 'head', spec: SideSpec): SideResult {
  const verdict = spec.verdict ?? (spec.slopeBytes > 1000 ? 'leak' : 'flat');
  return {
    label,
    appDir: `/tmp/${label}`,
    samples: samples(spec.slopeBytes, spec.sampleCount ?? 20),
    fits: fits(spec.slopeBytes, verdict),
    verdict,
    exit: spec.exit ?? null,
    load: {
      requests: 15_000,
      durationMs: 12_000,
      requestsPerSecond: 1250,
      latencyP50Ms: 3,
      latencyP99Ms: 41,
    },
    traffic: spec.traffic ?? allAnswered(),
    ...(spec.error ? { error: spec.error } : {}),
  };
}

const USUAL_RULES = {
  regression: 'slope-difference',
  improvement: 'slope-improvement',
  unchanged: 'within-noise',
  'pre-existing': 'leak-at-both',
} as const;

function usualFinding(verdict: ComparisonVerdict, baseSlope: number, headSlope: number): VerdictFinding {
  if (verdict === 'error') return { rule: 'too-few-samples' };
  if (verdict === 'inconclusive') return { rule: 'both-died', isHeadWorse: true, isHeadBetter: true };
  return {
    rule: USUAL_RULES[verdict],
    baseSlopeBytesPerRequest: baseSlope,
    headSlopeBytesPerRequest: headSlope,
    deltaBytesPerRequest: headSlope - baseSlope,
    deltaUncertainty: 40,
    thresholdBytesPerRequest: 256,
  };
}

export function buildReport(options: {
  verdict: ComparisonVerdict;
  base: SideSpec;
  head: SideSpec;
  scenarioName?: string;
  /** The deciding rule; by default the usual one for the verdict, with the sides' slopes. */
  finding?: VerdictFinding;
  dependencyChanges?: DependencyChange[];
  heapDiffs?: CompareReport['heapDiffs'];
  productionRps?: number;
}): CompareReport {
  return {
    schemaVersion: 1,
    kind: 'compare',
    plan: {
      startCommand: 'node server.js',
      readyPath: '/health',
      readyTimeoutMs: 30_000,
      heapCapMb: 256,
      rssLimitMb: 1024,
      explainBudgetMs: 60_000,
      connections: 10,
      warmupRequests: 5000,
      requestsPerRound: 1000,
      rounds: 10,
      thresholdBytesPerRequest: 256,
      seed: 42,
      scenarioName: options.scenarioName ?? 'default',
      settleMs: 10_000,
      timeBudgetMs: 90_000,
      ratePerSecond: null,
      heapSnapshots: 'on-regression',
      maxFailedShare: 0.05,
      outbound: 'block',
      productionRps: options.productionRps ?? null,
    },
    environment: { leakwatchVersion: '0.1.0', nodeVersion: 'v20.20.0', platform: 'linux-x64', cpus: 2 },
    base: side('base', options.base),
    head: side('head', options.head),
    comparison: {
      verdict: options.verdict,
      finding:
        options.finding ?? usualFinding(options.verdict, options.base.slopeBytes, options.head.slopeBytes),
      deltaBytesPerRequest: options.head.slopeBytes - options.base.slopeBytes,
      deltaUncertainty: 40,
    },
    schedule: {
      warmupRequests: 5000,
      requestsPerRound: 1000,
      roundsPlanned: 10,
      roundsRun: 10,
      isStoppedEarly: false,
      warmupRequestsPerSecond: 1250,
      isShrunkToBudget: false,
    },
    startedAt: '2025-01-01T00:00:00.000Z',
    durationMs: 95_000,
    ...(options.dependencyChanges ? { dependencyChanges: options.dependencyChanges } : {}),
    ...(options.heapDiffs ? { heapDiffs: options.heapDiffs } : {}),
    revisions: { baseSha: 'a'.repeat(40), headSha: 'b'.repeat(40) },
  };
}

export const contentfulBump: DependencyChange = {
  name: 'contentful-sdk-core',
  from: '6.4.5',
  to: '6.4.4',
  kind: 'downgrade',
  direct: true,
};
