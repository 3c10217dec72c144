// Every default in one place; action.yml and the CLI help mirror these.
export const defaults = {
  startCommand: 'npm start',
  readyPath: '/',
  readyTimeoutMs: 60_000,
  /** Like the leak stories' containers: a leak then ends in an OOM, which counts as a result. */
  heapCapMb: 256,
  /** RSS watchdog, as a multiple of the heap cap: catches off-heap leaks that never reach the heap cap. */
  rssLimitFactor: 4,
  connections: 10,
  /** JIT and code space make an unwarmed server read 170–210 B/req; 5k requests get below 3 B/req. */
  warmupRequests: 5000,
  requestsPerRound: 500,
  rounds: 20,
  thresholdBytesPerRequest: 8,
  seed: 1,
  /**
   * Idle before the settle sample. Longer than the keep-alive and short timers of a typical server (Node's
   * keepAliveTimeout is 5 s); raise it past the app's cache expiry (RTK Query: 60 s) when one is in play.
   */
  settleMs: 10_000,
  /** Keeps a Next.js comparison to about 90 s of load per side. */
  timeBudgetMs: 90_000,
  scenario: 'default',
  /** Snapshots pause the app and cost memory: only when there is a regression to explain. */
  heapSnapshots: 'on-regression',
  /** The app's outbound traffic stays on the machine: connections no upstream stub claims are refused. */
  outbound: 'block',
} as const;
