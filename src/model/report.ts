// The typed JSON report: everything later stages (comment, summary, bisection) render or decide from.

import type { ReportedError } from '../settings/errors.js';
import type { SideNetwork, TrafficCounts } from './traffic.js';

export type {
  FailedAnswer,
  OutboundHost,
  SideNetwork,
  StubTraffic,
  TemplateTraffic,
  TrafficCounts,
} from './traffic.js';

import type { RunPlan } from '../settings/table.js';
import type { BisectionResult } from './bisect.js';
import type { DependencyChange } from './deps.js';
import type { VerdictFinding } from './verdict.js';

/** One post-GC sample, summed over every probed process of the app. Sizes in bytes. */
export interface MemorySample {
  /** Requests the harness had sent to this side when the sample was taken (warm-up included). */
  requestsSent: number;
  /** Requests the probes saw (diagnostics_channel), summed over processes. */
  requestsSeen: number;
  /** Milliseconds since the side's app started. */
  elapsedMs: number;
  /** `idle`: taken while the app idles (watching time-held memory drain, settling) before the settled sample. */
  phase: 'warmup' | 'measure' | 'explain' | 'idle' | 'settle';
  heapUsedBytes: number;
  externalBytes: number;
  arrayBuffersBytes: number;
  rssBytes: number;
  /** V8's used_heap_size from v8.getHeapStatistics(). */
  v8UsedHeapBytes: number;
  /** process.getActiveResourcesInfo() counted by type. */
  activeResources: Record<string, number>;
  /** Open file descriptors (sockets, files, pipes) from /proc/self/fd; null where that does not exist. */
  openFds?: number | null;
  /** Number of probed processes that answered. */
  processCount: number;
}

export type MetricName = 'heapPlusExternal' | 'arrayBuffers' | 'rss' | 'activeResources' | 'openFds';

export interface SlopeFit {
  /** Theil–Sen slope in units per request (bytes/request, or resources/request). */
  slope: number;
  /** Lower and upper bounds of the confidence interval of the slope. */
  low: number;
  high: number;
  /** Number of samples fitted. */
  points: number;
}

/** `transient`: grew under load but gave the memory back after the settle pause (timer-held caches). */
export type SideVerdict = 'leak' | 'plateau' | 'transient' | 'flat' | 'crashed' | 'error';

export interface MetricFit {
  metric: MetricName;
  /** Fit over all measured samples. */
  whole: SlopeFit | null;
  /** Fit over the first half of the measured samples: growth there that stops later is a plateau. */
  early: SlopeFit | null;
  /** Fit over the last half of the measured samples: what the verdict is judged on. */
  steady: SlopeFit | null;
  /**
   * Units per request still retained after settling: the settle sample after the rounds minus the one before
   * them, over the requests in between; null when settling is off or a side stopped early.
   */
  retainedAfterSettle: number | null;
  /** Half-width of the 95 % interval of `retainedAfterSettle`, from how closely each settle's last samples agree. */
  retainedAfterSettleUncertainty: number | null;
  verdict: Exclude<SideVerdict, 'crashed' | 'error'> | null;
}

/**
 * Why an app stopped before the run ended, if it did. `requestsSent` counts the requests it answered up to then:
 * neither the requests in flight when it died nor the refused attempts after.
 */
export type AppExit =
  | { kind: 'oom'; requestsSent: number; elapsedMs: number; logTail: string }
  | { kind: 'watchdog'; rssBytes: number; limitBytes: number; requestsSent: number; elapsedMs: number }
  | { kind: 'crash'; code: number | null; signal: string | null; requestsSent: number; logTail: string }
  /** Died of running out of file descriptors, sockets or memory outside the heap (EMFILE, ENFILE, ENOMEM). */
  | { kind: 'exhausted'; errorCode: string; requestsSent: number; elapsedMs: number; logTail: string };

export interface LoadStats {
  requests: number;
  durationMs: number;
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
}

export interface SideResult {
  label: 'base' | 'head' | 'app';
  appDir: string;
  samples: MemorySample[];
  fits: MetricFit[];
  verdict: SideVerdict;
  exit: AppExit | null;
  /** What the load generator sent; absent when the side never ran (its install or build failed, see `error`). */
  load?: LoadStats;
  /** The Node.js version the app ran on, as its probe saw it (a runtime bump runs each side on its own). */
  nodeVersion?: string;
  /** What the app answered, over every request sent to it; absent for a side that never started. */
  traffic?: TrafficCounts;
  /** Set when the side could not be measured at all (start failure, readiness timeout...). */
  error?: ReportedError;
  /** The app's outbound traffic: requests per upstream stub, connections per non-loopback host. */
  network?: SideNetwork;
}

/** A side that ran (its app may still have failed to start or died): what it sent is known. */
export type MeasuredSide = SideResult & { load: LoadStats };

/**
 * `inconclusive`: both sides died and neither how soon nor how fast they grew tells them apart, or the interval
 * was too wide to rule out a leak well above the threshold.
 */
export type ComparisonVerdict =
  | 'regression'
  | 'improvement'
  | 'unchanged'
  | 'pre-existing'
  | 'inconclusive'
  | 'error';

export interface Comparison {
  verdict: ComparisonVerdict;
  /** The rule that decided and the numbers it compared; report/verdict-text.ts writes the sentence. */
  finding: VerdictFinding;
  /** Steady-segment slope difference, head − base, bytes/request, on the primary metric. */
  deltaBytesPerRequest: number | null;
  /** Half-width of the combined confidence interval of that difference. */
  deltaUncertainty: number | null;
  /** When a side died: how far each side got and how fast it grew before, the numbers the verdict compared. */
  deaths?: { base: DeathFacts; head: DeathFacts };
}

/** How far a side got before it died (or until the end, if it survived), and its growth on the way. */
export interface DeathFacts {
  isDead: boolean;
  requestsSent: number;
  elapsedMs: number;
  /** Theil–Sen slope of heap + external over the samples before the death, bytes/request. */
  slopeBytesPerRequest: number | null;
  /** Open file descriptors and active handles gained per request over the same samples. */
  fdsPerRequest: number | null;
  handlesPerRequest: number | null;
}

// The run plan is derived from the settings table, where each of its settings is described.
export type { HeapSnapshotPolicy, OutboundPolicy, RunPlan } from '../settings/table.js';

/** One kind of object that accumulates, from the 3-snapshot diff. */
export interface HeapGrowthRow {
  /** Constructor, closure or V8 node name. */
  name: string;
  nodeType: string;
  objectsPerRequest: number;
  bytesPerRequest: number;
  retainedBytesPerRequest: number | null;
  /** Shortest strong path from a GC root, e.g. `Map (defaultsByInstance) in node_modules/x/y.js → Axios`. */
  retainerPath: string | null;
  sourceFile: string | null;
  /** npm packages named along the path, closest first, and the ones the PR bumped. */
  packages: string[];
  bumpedPackages: string[];
}

export type HeapExplanation =
  | {
      label: SideResult['label'];
      status: 'analysed';
      requests: number;
      growing: HeapGrowthRow[];
      analysisMs: number;
    }
  | { label: SideResult['label']; status: 'skipped'; reason: string };

/** What actually ran, after sizing to the time budget and any early stop. */
export interface RunSchedule {
  warmupRequests: number;
  requestsPerRound: number;
  roundsPlanned: number;
  roundsRun: number;
  /** The verdict was statistically clear before the planned rounds ran out. */
  isStoppedEarly: boolean;
  /** Throughput during the first warm-up requests (the slower side's). */
  warmupRequestsPerSecond: number;
  isShrunkToBudget: boolean;
  /**
   * Memory that the app held on timers and gave back while idle: how long it was held, and the request rate
   * chosen so that it stays well below the heap cap (the user's `rate` wins when set). Absent when none was seen.
   */
  timeHeld?: TimeHeldMemory;
}

export interface TimeHeldMemory {
  /** How long memory was held after the requests that made it, ms (the longer side's). */
  holdMs: number;
  /** Bytes per request that came back while idle (the larger side's). */
  heldBytesPerRequest: number;
  /** Rate the warm-up and rounds ran at, requests/s. */
  ratePerSecond: number;
  rateSource: 'adaptive' | 'user';
}

export interface Environment {
  leakwatchVersion: string;
  nodeVersion: string;
  platform: string;
  cpus: number;
  /** Which OS user the untrusted code ran as: sandbox users, or `same user (why)`. Absent in older reports. */
  isolation?: string;
}

export interface MeasureReport {
  schemaVersion: 1;
  kind: 'measure';
  plan: RunPlan;
  environment: Environment;
  app: MeasuredSide;
  schedule: RunSchedule;
  heapDiffs?: HeapExplanation[];
  startedAt: string;
  durationMs: number;
}

export interface CompareReport {
  schemaVersion: 1;
  kind: 'compare';
  plan: RunPlan;
  environment: Environment;
  base: SideResult;
  head: SideResult;
  comparison: Comparison;
  /** The phases as run; absent when nothing ran because a side did not install or build. */
  schedule?: RunSchedule;
  /** Heap-snapshot diffs that name what grows; absent when none were taken. */
  heapDiffs?: HeapExplanation[];
  startedAt: string;
  durationMs: number;
  /** Packages whose resolved version differs between base and head (filled when the diff ran). */
  dependencyChanges?: DependencyChange[];
  /** The merge base and head commits measured (compare by refs); the comment names them. */
  revisions?: { baseSha: string; headSha: string };
  /** The pull request the run measured; report mode cross-checks it against the triggering run. */
  pr?: PullRequestRef;
  /** Link to the workflow run that produced the report. */
  runUrl?: string;
  /**
   * Which bump of a grouped update brings the regression: present only when the comparison regressed, more
   * than one package changed and bisection was on.
   */
  bisection?: BisectionResult;
  /** Set when a base cache was configured: whether base's install and build were restored or run. */
  baseCache?: BaseCacheUse;
}

export interface PullRequestRef {
  number: number;
  headSha: string;
  baseSha: string;
}

/** What the cache did for base; the report says so. */
export interface BaseCacheUse {
  /** `hit`: restored, install and build skipped; `miss`: installed and built; `rebuilt`: a corrupt entry was discarded. */
  status: 'hit' | 'miss' | 'rebuilt';
  key: string;
  store: string;
  /** Why an entry was not trusted, and after a build whether it was saved (`saved`, `not saved: why`). */
  note?: string;
  durationMs: number;
}

/** A comparison whose sides both ran: every comparison but one whose install or build failed. */
export type MeasuredCompareReport = CompareReport & {
  base: MeasuredSide;
  head: MeasuredSide;
  schedule: RunSchedule;
};
