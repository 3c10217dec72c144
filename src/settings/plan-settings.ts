// The run plan's entries of the settings table: what both sides share and the report records.
import { above0, type SettingSpec, text, wholeAbove0, wholeFrom0 } from './spec.js';

// Every number has an upper bound: a scenario in the PR's head sets them, and `rounds: 1e308` ran until the job's
// timeout. The heap cap is further held to the machine's memory when the plan is built.
export const planSettings = {
  startCommand: {
    input: 'start-command',
    cli: 'start',
    placeholder: '<cmd>',
    isPlan: true,
    rule: text,
    default: 'npm start',
    description:
      'Starts the app in its folder, with `PORT` set; an app that listens on a fixed port instead (its first server) is moved to `PORT`.',
  },
  readyPath: {
    input: 'ready-path',
    cli: 'ready-path',
    scenario: 'readyPath',
    placeholder: '<path>',
    isPlan: true,
    rule: { kind: 'text', startsWith: '/' },
    default: '/',
    description: 'Answers below 500 once the app is ready.',
  },
  readyTimeoutMs: {
    isPlan: true,
    rule: { ...wholeAbove0, max: 600_000 },
    default: 60_000,
    description: 'How long the app may take to answer the ready path (ms).',
  },
  heapCapMb: {
    input: 'heap-cap-mb',
    cli: 'heap-cap-mb',
    scenario: 'heapCapMb',
    isPlan: true,
    // Like the leak stories' containers: a leak then ends in an OOM, which counts as a result.
    rule: { kind: 'number', isWhole: true, min: 16, max: 262_144 },
    default: 256,
    description: "The app's `--max-old-space-size` (MB).",
  },
  rssLimitMb: {
    cli: 'rss-limit-mb',
    isPlan: true,
    rule: { ...wholeAbove0, max: 1_048_576 },
    // Catches off-heap leaks that never reach the heap cap.
    default: (plan) => plan.heapCapMb * 4,
    defaultText: '4 × heap cap',
    description: 'RSS watchdog (MB).',
  },
  connections: {
    cli: 'connections',
    scenario: 'connections',
    isPlan: true,
    rule: { ...wholeAbove0, max: 1000 },
    default: 10,
    description: 'Concurrent connections.',
  },
  thresholdBytesPerRequest: {
    input: 'threshold',
    cli: 'threshold',
    isPlan: true,
    rule: above0,
    default: 8,
    description: 'Extra retained bytes per request (head − base) that count as a regression.',
  },
  requestsPerRound: {
    input: 'requests',
    cli: 'requests',
    scenario: 'requestsPerRound',
    isPlan: true,
    rule: { ...wholeAbove0, max: 1_000_000 },
    default: 500,
    description: 'Requests per measured round.',
  },
  rounds: {
    input: 'rounds',
    cli: 'rounds',
    scenario: 'rounds',
    isPlan: true,
    rule: { ...wholeAbove0, max: 1000 },
    default: 20,
    description: 'Measured rounds per side.',
  },
  warmupRequests: {
    input: 'warmup',
    cli: 'warmup',
    scenario: 'warmupRequests',
    isPlan: true,
    rule: { ...wholeFrom0, max: 10_000_000 },
    // JIT and code space make an unwarmed server read 170–210 B/req; 5k requests get below 3 B/req.
    default: 5000,
    description:
      'Warm-up requests per side, not fitted. Warm-up ends sooner once the post-GC heap stops drifting within its own scatter, and runs on while it still drifts, up to the whole planned load or the time budget.',
  },
  seed: {
    cli: 'seed',
    isPlan: true,
    rule: wholeFrom0,
    default: 1,
    description: 'Seed of the request sequence.',
  },
  settleMs: {
    input: 'settle-ms',
    cli: 'settle-ms',
    isPlan: true,
    rule: { ...wholeFrom0, max: 600_000 },
    // Longer than the keep-alive and short timers of a typical server (Node's keepAliveTimeout is 5 s).
    default: 10_000,
    description:
      'Longest idle (ms) before each settle sample, before and after the rounds: settling ends sooner once memory stops falling and the timers the load left have fired. Time-held memory that leakwatch detects makes it wait at least its hold time. `0` turns settling off.',
  },
  timeBudgetMs: {
    input: 'time-budget-ms',
    cli: 'time-budget-ms',
    isPlan: true,
    rule: { ...wholeAbove0, max: 3_600_000 },
    // Keeps a Next.js comparison to about 90 s of load per side.
    default: 90_000,
    description:
      'Load time per side (ms) that warm-up and rounds shrink to fit at the warm-up throughput (never below 8 rounds). A warm-up still drifting may run up to this long again.',
  },
  explainBudgetMs: {
    input: 'explain-budget-ms',
    cli: 'explain-budget-ms',
    isPlan: true,
    rule: wholeAbove0,
    // A Next.js comparison's snapshot batches stay within about a minute.
    default: 60_000,
    description:
      'Load time (ms) the heap-snapshot batches of both sides may take together; batches shrink to fit.',
  },
  ratePerSecond: {
    input: 'rate',
    cli: 'rate',
    scenario: 'ratePerSecond',
    isPlan: true,
    rule: { ...above0, max: 1_000_000 },
    default: null,
    defaultText: 'unlimited',
    description:
      "Request rate cap (requests/s), e.g. production's, so time-expiring caches fill as they do there. It wins over the rate leakwatch picks for time-held memory.",
  },
  productionRps: {
    input: 'production-rps',
    cli: 'production-rps',
    scenario: 'productionRps',
    isPlan: true,
    rule: above0,
    default: null,
    defaultText: 'per 1 req/s',
    description:
      'Production traffic (requests/s) the report prices the growth at: MiB per hour and the time until the heap cap fills. It never changes the load.',
  },
  maxFailedShare: {
    input: 'max-failed-share',
    cli: 'max-failed-share',
    scenario: 'maxFailedShare',
    isPlan: true,
    rule: { kind: 'number', isWhole: false, min: 0, max: 1 },
    // A slope measured on 404 pages or refused connections says nothing about the app's pages.
    default: 0.05,
    description:
      "Share of requests (0–1) a side may fail (not 2xx/3xx or the request's `expectStatus`, a connection error, a timeout) before the run is an error.",
  },
  heapSnapshots: {
    input: 'heap-snapshots',
    cli: 'heap-snapshots',
    placeholder: '<when>',
    isPlan: true,
    rule: { kind: 'oneOf', values: ['on-regression', 'always', 'never'] },
    // Snapshots pause the app and cost memory: only when there is a regression to explain.
    default: 'on-regression',
    description: '`on-regression`, `always` or `never`: heap diffs that name what grows.',
  },
  outbound: {
    input: 'outbound',
    cli: 'outbound',
    scenario: 'outbound',
    placeholder: '<policy>',
    isPlan: true,
    rule: { kind: 'oneOf', values: ['block', 'allow'] },
    // The app's outbound traffic stays on the machine: connections no upstream stub claims are refused.
    default: 'block',
    description:
      '`block`: connections to non-loopback hosts no upstream stub claims are refused and listed. `allow`: real traffic, marked in the comment.',
  },
} as const satisfies Record<string, SettingSpec & { isPlan: true }>;
