// The typed outcome of a bisection: what the comment renders and report mode validates.
import type { DependencyChange } from './deps.js';

/** How one candidate (base plus a subset of the bumps) fared against base. */
export type BisectionStepVerdict = 'regression' | 'clean' | 'install-failed' | 'build-failed' | 'error';

export interface BisectionStep {
  /** Package names applied on top of base in this candidate. */
  packages: string[];
  verdict: BisectionStepVerdict;
  /** Steady heap slope of the candidate, bytes/request; null when it was not measured. */
  slopeBytesPerRequest: number | null;
  /** 95 % interval of that slope; null when it was not measured. */
  slopeInterval: { low: number; high: number } | null;
  /** Candidate minus base, bytes/request; null when it was not measured. */
  deltaBytesPerRequest: number | null;
  /** The comparison's sentence, or why the candidate could not be built. */
  reason: string;
  /** This step only applied the culprit: it is the confirmation run. */
  isConfirmation: boolean;
  durationMs: number;
}

export type BisectionOutcome =
  | {
      kind: 'culprit';
      /** One package, or an inseparable set (peer ranges that only install together). */
      changes: DependencyChange[];
      /** The culprit alone on base: candidate slope minus base slope, bytes/request. */
      deltaBytesPerRequest: number;
      slopeBytesPerRequest: number;
      /**
       * The culprit alone reproduced the regression with the full head's slope: the two agree within their
       * confidence intervals plus the spread between runs of one app.
       */
      isConfirmed: boolean;
    }
  | {
      kind: 'interaction';
      /** The smallest set that reproduced the leak; no part of it leaks alone. */
      changes: DependencyChange[];
    }
  | { kind: 'inconclusive'; reason: string };

export interface BisectionResult {
  outcome: BisectionOutcome;
  /** In the order they ran. */
  steps: BisectionStep[];
  /** Candidates built and measured or attempted (install failures included). */
  candidateCount: number;
  /** Changes no candidate can apply (lockfile-only removals); never blamed. */
  notBisected: string[];
  durationMs: number;
}
