// The typed outcome of a bisection: what the comment renders and report mode validates.
import type { DependencyChange } from './deps.js';

/** How one candidate (base plus a subset of the bumps) fared against base. */
export type BisectionStepVerdict =
  | 'regression'
  | 'clean'
  | 'inconclusive'
  | 'install-failed'
  | 'build-failed'
  | 'error';

export interface BisectionStep {
  /** What was applied on top of base: each unit's lead (a bump's direct dependency), or `name@version`. */
  packages: string[];
  verdict: BisectionStepVerdict;
  /** Steady heap slope of the candidate, bytes/request; null when it was not measured or it died first. */
  slopeBytesPerRequest: number | null;
  /** 95 % interval of that slope; null when there is no slope. */
  slopeInterval: { low: number; high: number } | null;
  /** Candidate minus base, bytes/request; null when there is no slope. */
  deltaBytesPerRequest: number | null;
  /** The candidate ran out of memory (or hit the RSS watchdog) after this many requests; null when it did not. */
  diedAfterRequests: number | null;
  /** The comparison's verdict and deciding rule, or why the candidate could not be built. */
  reason: string;
  /** This step only applied the culprit: it is the confirmation run. */
  isConfirmation: boolean;
  durationMs: number;
}

/**
 * How the culprit was confirmed: it was the PR's only bump (head is the culprit alone), it ran out of memory
 * alone as head did, or its slope alone agrees with head's. `none` when it regressed but did not match head.
 */
export type CulpritConfirmation = 'only-bump' | 'ran-out-of-memory' | 'slope' | 'none';

export type BisectionOutcome =
  | {
      kind: 'culprit';
      /** One unit (its direct change first, then what it brings in), or units that only install together. */
      changes: DependencyChange[];
      /** The culprit alone on base: candidate slope minus base slope, bytes/request; null if it died first. */
      deltaBytesPerRequest: number | null;
      slopeBytesPerRequest: number | null;
      /** The culprit alone reproduced head's outcome (see `confirmation`). */
      isConfirmed: boolean;
      confirmation: CulpritConfirmation;
    }
  | {
      kind: 'interaction';
      /** The smallest set that reproduced the leak; no part of it leaks alone. */
      changes: DependencyChange[];
    }
  | { kind: 'inconclusive'; reason: string };

/** A bump the bisection worked with: its lead and every change it carries. */
export interface BisectionUnit {
  lead: string;
  kind: 'bump' | 'transitive';
  packages: string[];
}

/** What to do instead of the PR's culprit version: a newer release measured clean, or staying where base is. */
export interface Remedy {
  name: string;
  /** `bump`: `version` measured clean; `stay`: keep base's `version`; `unknown`: nothing could be decided. */
  advice: 'bump' | 'stay' | 'unknown';
  version: string | null;
  /** One plain sentence, e.g. "contentful-sdk-core 6.11.0 (newest 6.x) does not leak: bump to it instead". */
  sentence: string;
  /** The releases measured against base, in order. */
  steps: BisectionStep[];
  durationMs: number;
}

export interface BisectionResult {
  outcome: BisectionOutcome;
  /** In the order they ran. */
  steps: BisectionStep[];
  /** The PR's bumps as the bisection split them. */
  units: BisectionUnit[];
  /** Candidates built and measured or attempted (install failures included); 0 for a single bump. */
  candidateCount: number;
  /** Changes no candidate can apply (lockfile-only removals); never blamed. */
  notBisected: string[];
  durationMs: number;
  /** Set when the culprit is known and the remedy search is on. */
  remedy?: Remedy;
}
